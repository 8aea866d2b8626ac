import createError from '@fastify/error'
import type { Outcome } from '../outcome.js'

/**
 * Every error the API answers with: a stable `code` and an HTTP status. The body is always
 * `{detail, code}` (README, "Errors"); validation errors carry a list of `{loc, msg, type}` in `detail`.
 */
export const errors = {
  NotAuthenticated: createError('NOT_AUTHENTICATED', 'Not authenticated', 401),
  InvalidToken: createError('INVALID_TOKEN', 'Invalid or expired token', 401),
  InvalidCredentials: createError('INVALID_CREDENTIALS', 'Invalid email or password', 401),
  AccountLocked: createError('ACCOUNT_LOCKED', 'Account is locked due to too many failed login attempts. Try again later.', 401),
  AccountInactive: createError('ACCOUNT_INACTIVE', 'Account is disabled', 401),
  Forbidden: createError('FORBIDDEN', 'Insufficient permissions for this operation', 403),
  NotFound: createError('NOT_FOUND', '%s not found', 404),
  InvalidId: createError('INVALID_ID', 'Invalid id: expected a UUID', 400),
  Conflict: createError('CONFLICT', '%s', 409),
  BadRequest: createError('BAD_REQUEST', '%s', 400),
  Unavailable: createError('SERVICE_UNAVAILABLE', '%s', 503),
  RateLimited: createError('RATE_LIMITED', 'Rate limit exceeded, retry in %s', 429)
} as const

export interface ValidationIssue { loc: (string | number)[], msg: string, type: string }

export interface ErrorBody { detail: string | ValidationIssue[], code: string }

/** What a handler answers: a status, the body, and headers such as Retry-After. */
export interface ErrorReply { status: number, body: ErrorBody, headers?: Record<string, string> }

/** The usual answer to a repository's outcome: its value, 404 for a missing row, 409 for a refusal. */
export function settle<T> (outcome: Outcome<T>): T {
  if (outcome.kind === 'done') return outcome.value
  if (outcome.kind === 'missing') throw new errors.NotFound(outcome.what)
  throw new errors.Conflict(outcome.reason)
}
