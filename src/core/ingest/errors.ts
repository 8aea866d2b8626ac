import createError from '@fastify/error'
import { databaseError, databaseRefusal, isDatabaseUnavailable, isDataError, isTransientConflict } from '../errors/index.js'
import type { IngestTarget, RecordProblem } from './target.js'

/**
 * What an ingest request can fail with besides validation. All 503s carry `Retry-After` (added by
 * the error handler for every 503) and the contract's `{detail, code}` body.
 */
export const ingestErrors = {
  Overloaded: createError('INGEST_OVERLOADED', 'Ingest queue is full, retry shortly', 503),
  ShuttingDown: createError('SHUTTING_DOWN', 'Server is shutting down, retry shortly', 503),
  DatabaseUnavailable: createError('DATABASE_UNAVAILABLE', 'Database unavailable, retry shortly', 503),
  // An Idempotency-Key conflict whose holder vanished before it could be read (deleted meanwhile).
  RetryLater: createError('INGEST_RETRY', 'Could not settle this record, retry shortly', 503)
} as const

interface AjvLikeIssue { keyword: string, instancePath: string, message: string, params: Record<string, unknown> }

/**
 * A 422 in the contract's validation shape (`detail: [{loc, msg, type}]`), built as Fastify's own
 * validation errors are, so the one error handler formats it. `prefix` locates a record inside a
 * batch body (`/3`).
 */
export function unprocessable (problems: RecordProblem[], prefix = '', part: 'body' | 'headers' = 'body'): Error {
  const validation: AjvLikeIssue[] = problems.map((p) => ({
    keyword: p.type, instancePath: prefix + p.path, message: p.message, params: {}
  }))
  return Object.assign(new Error(problems[0]?.message ?? 'Unprocessable record'), {
    statusCode: 422, validation, validationContext: part
  })
}

/**
 * The Idempotency-Key names a record made from another payload: a retry must repeat its request, so
 * this is a different request under a used key (422, as the IETF Idempotency-Key draft recommends).
 */
export const keyReused = () => unprocessable([{
  path: '/idempotency-key', message: 'This Idempotency-Key was already used with a different payload', type: 'idempotency_key_reused'
}], '', 'headers')

/**
 * The connection died under a statement (Postgres restarted, backend terminated, socket reset):
 * the statement may or may not have committed, so the writer retries it once on a fresh connection,
 * which is safe because ids come from the app and the INSERT skips rows that already exist.
 */
export function isConnectionLost (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && (code === 'ECONNRESET' || code === 'EPIPE' || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true
  return /Connection terminated|Client has encountered a connection error|Connection ended unexpectedly/i.test(err.message)
}

/** The error a failed record is answered with. */
export function toIngestError (err: unknown, target: Pick<IngestTarget<unknown>, 'dataError'>): Error {
  if (isDatabaseUnavailable(err)) return new ingestErrors.DatabaseUnavailable()
  if (isTransientConflict(err)) return new ingestErrors.RetryLater()
  const pg = databaseError(err)
  if (pg && isDataError(pg)) {
    const named = target.dataError?.(pg)
    if (named !== undefined) return named
    // The caller's agency or user is gone (401), or another key was violated (409): the error handler says which.
    if (pg.code === '23503' || pg.code === '23505') return pg
    return unprocessable([{ path: '', message: databaseRefusal(pg), type: 'value_error' }])
  }
  // Not the client's fault and not a known outage: the error handler answers a bare 500 and logs it.
  return err instanceof Error ? err : new Error(String(err))
}
