import { ErrorResponse } from '../../../core/schemas/common.js'

/** FastAPI's `{"detail": …}` (with the core's stable `code` beside it). */
export { ErrorResponse }

/** What any /api/v1 route can answer besides its own statuses. */
export const apiErrors = { 401: ErrorResponse, 403: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse }
