import pg from 'pg'
import type { ErrorReply } from './catalog.js'

// node-postgres / network failures that mean "the database is not reachable right now".
const UNAVAILABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

export function isDatabaseUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (UNAVAILABLE_SYSTEM_CODES.has(code)) return true
    // 08xxx connection exceptions, 57P0x admin/crash shutdown, 57014 statement timeout, 53xxx out of
    // resources (disk full, out of memory, too many connections), 58xxx system or I/O errors, 25006 a
    // read-only server (a standby after failover).
    if (code.startsWith('08') || code.startsWith('57P0') || code === '57014' || code.startsWith('53') ||
      code.startsWith('58') || code === '25006') return true
  }
  const message = err.message
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection timeout|Cannot use a pool after calling end/i.test(message)) return true
  const cause = (err as { cause?: unknown }).cause
  return cause !== undefined && cause !== err && isDatabaseUnavailable(cause)
}

/** The Postgres error behind a failure, under drizzle's wrapper (whose message carries the query) if any. */
export function databaseError (err: unknown): pg.DatabaseError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof pg.DatabaseError) return e
  }
  return undefined
}

/** Foreign keys to the caller's own agency or user: the token outlived its account (`seed clean`, say). */
const ACCOUNT_FOREIGN_KEY = /_(agencies|users)_id_fk$/

/**
 * What Postgres refused, as the client's status: validation runs first, so these are races (a row
 * deleted between a check and a write, two writers deadlocked) or values only the database judges.
 * The database's own message stays in the log; the client gets no SQL.
 */
export function fromDatabaseError (err: pg.DatabaseError): ErrorReply | undefined {
  const code = err.code ?? ''
  if (code === '23503') {
    return ACCOUNT_FOREIGN_KEY.test(err.constraint ?? '')
      ? { status: 401, body: { detail: 'The account this token was issued for no longer exists', code: 'INVALID_TOKEN' }, headers: { 'www-authenticate': 'Bearer' } }
      : { status: 409, body: { detail: 'A record this request refers to no longer exists', code: 'CONFLICT' } }
  }
  if (code === '23505') return { status: 409, body: { detail: 'This record already exists', code: 'CONFLICT' } }
  if (isTransientConflict(err)) {
    return { status: 503, body: { detail: 'Database busy, retry shortly', code: 'DATABASE_BUSY' }, headers: { 'retry-after': '1' } }
  }
  if (isDataError(err)) {
    return { status: 422, body: { detail: [{ loc: ['body'], msg: databaseRefusal(err), type: 'value_error' }], code: 'VALIDATION_ERROR' } }
  }
  return undefined
}

/** A deadlock, serialization failure or lock timeout: nothing was written, the same statement may succeed now. */
export function isTransientConflict (err: unknown): boolean {
  const code = databaseError(err)?.code
  return code === '40P01' || code === '40001' || code === '55P03'
}

/** The `msg` of a value only Postgres refused: its SQLSTATE, not its message (which may quote SQL). */
export function databaseRefusal (err: pg.DatabaseError): string {
  return `Value rejected by the database (SQLSTATE ${err.code ?? 'unknown'})`
}

/** Postgres refused the data: data exceptions (22), integrity violations (23), program limits (54). */
export function isDataError (err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && code.length === 5 && (code.startsWith('22') || code.startsWith('23') || code.startsWith('54'))
}
