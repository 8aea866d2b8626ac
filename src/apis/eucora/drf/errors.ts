import type { Outcome } from '../../../core/outcome.js'

/**
 * Errors in Django REST framework's shape: `{"detail": "…"}` for everything but validation, which
 * answers `{"field": ["message", …]}` (DRF's ValidationError), both with DRF's own wording.
 */
export type DrfBody = { detail: string } | Record<string, string[]>

export class DrfError extends Error {
  constructor (readonly statusCode: number, readonly body: DrfBody, readonly headers?: Record<string, string>) {
    super('detail' in body && typeof body.detail === 'string' ? body.detail : 'Invalid input.')
  }
}

const detail = (status: number, text: string, headers?: Record<string, string>) => new DrfError(status, { detail: text }, headers)
// DRF answers 401 only with a WWW-Authenticate challenge; TokenAuthentication's names its keyword.
const CHALLENGE = { 'www-authenticate': 'Bearer realm="api"' }

export const drf = {
  notAuthenticated: () => detail(401, 'Authentication credentials were not provided.', CHALLENGE),
  invalidToken: () => detail(401, 'Invalid token.', CHALLENGE),
  invalidTokenHeader: (why: string) => detail(401, `Invalid token header. ${why}`, CHALLENGE),
  invalidCredentials: () => detail(401, 'Invalid username or password.', CHALLENGE),
  inactiveUser: () => detail(401, 'User inactive or deleted.', CHALLENGE),
  forbidden: () => detail(403, 'You do not have permission to perform this action.'),
  notFound: (what = 'Not found.') => detail(404, what),
  conflict: (why: string) => detail(409, why),
  fields: (errors: Record<string, string[]>) => new DrfError(400, errors)
}

/** A repository's outcome as DRF answers it: its value, 404 for a missing row, 409 for a refusal. */
export function settle<T> (outcome: Outcome<T>): T {
  if (outcome.kind === 'done') return outcome.value
  if (outcome.kind === 'missing') throw drf.notFound(`${outcome.what} not found.`)
  throw drf.conflict(`${outcome.reason}.`)
}
