import type { Socket } from 'node:net'
import createError from '@fastify/error'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import pg from 'pg'
import { NO_NUL } from './schemas/common.js'

/**
 * Every error the API answers with: a stable `code` and an HTTP status. The body is always
 * `{detail, code}` (DESIGN.md §3); validation errors carry a list of `{loc, msg, type}` in `detail`.
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

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' }

const AJV_TYPES: Record<string, string> = {
  required: 'missing',
  type: 'type_error',
  enum: 'enum',
  const: 'literal_error',
  minimum: 'greater_than_equal',
  exclusiveMinimum: 'greater_than',
  maximum: 'less_than_equal',
  exclusiveMaximum: 'less_than',
  minLength: 'string_too_short',
  maxLength: 'string_too_long',
  minItems: 'too_short',
  maxItems: 'too_long',
  format: 'value_error',
  pattern: 'string_pattern_mismatch',
  additionalProperties: 'extra_forbidden',
  anyOf: 'union_error'
}

interface AjvIssue { keyword: string, instancePath: string, message?: string, params: Record<string, unknown> }

export function toValidationIssues (part: string | undefined, issues: AjvIssue[]): ValidationIssue[] {
  const root = PART_NAMES[part ?? 'body'] ?? 'body'
  return withoutNullableNoise(issues).map((issue) => {
    const loc: (string | number)[] = [root]
    for (const segment of issue.instancePath.split('/').slice(1)) {
      const unescaped = segment.replaceAll('~1', '/').replaceAll('~0', '~')
      loc.push(/^\d+$/.test(unescaped) ? Number(unescaped) : unescaped)
    }
    if (issue.keyword === 'required') loc.push(String(issue.params.missingProperty))
    if (issue.keyword === 'additionalProperties') loc.push(String(issue.params.additionalProperty))
    if (issue.keyword === 'pattern' && issue.params.pattern === NO_NUL) {
      return { loc, msg: 'Text must not contain NUL (\\u0000) characters', type: 'string_nul' }
    }
    const msg = issue.keyword === 'required' ? 'Field required' : (issue.message ?? 'Invalid value')
    return { loc, msg, type: AJV_TYPES[issue.keyword] ?? issue.keyword }
  })
}

/**
 * A nullable field (`anyOf: [T, null]`) that fails as T also reports "must be null" and "must match a
 * schema in anyOf" at the same place: only T's reason says what is wrong.
 */
function withoutNullableNoise (issues: AjvIssue[]): AjvIssue[] {
  if (!issues.some((issue) => issue.keyword === 'anyOf')) return issues
  const explained = new Set(issues.filter((i) => i.keyword !== 'anyOf' && !isNullBranch(i)).map((i) => i.instancePath))
  return issues.filter((i) => !explained.has(i.instancePath) || (i.keyword !== 'anyOf' && !isNullBranch(i)))
}

const isNullBranch = (issue: AjvIssue) => issue.keyword === 'type' && issue.params.type === 'null'

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
function fromDatabaseError (err: pg.DatabaseError): ErrorReply | undefined {
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

interface ErrorReply { status: number, body: ErrorBody, headers?: Record<string, string> }

/** Maps any error to the contract's status and body. Nothing reaching this handler can become a bare 500 with internals. */
export function toErrorReply (err: FastifyError): ErrorReply {
  if (err.validation) {
    if (err.validationContext === 'params') {
      return { status: 400, body: { detail: 'Invalid id: expected a UUID', code: 'INVALID_ID' } }
    }
    return { status: 422, body: { detail: toValidationIssues(err.validationContext, err.validation as AjvIssue[]), code: 'VALIDATION_ERROR' } }
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 422,
        body: { detail: [{ loc: ['body'], msg: err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'Field required' : 'JSON decode error', type: err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'missing' : 'json_invalid' }], code: 'VALIDATION_ERROR' }
      }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { detail: 'Request body is too large', code: 'BODY_TOO_LARGE' } }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return err.statusCode === 415
        ? { status: 415, body: { detail: 'Unsupported media type: send application/json', code: 'UNSUPPORTED_MEDIA_TYPE' } }
        : { status: 400, body: { detail: err.message, code: 'BAD_REQUEST' } }
  }
  if (err instanceof SyntaxError) {
    return { status: 422, body: { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }], code: 'VALIDATION_ERROR' } }
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { detail: 'Database unavailable, retry shortly', code: 'DATABASE_UNAVAILABLE' }, headers: { 'retry-after': '1' } }
  }
  const database = databaseError(err)
  const refused = database && fromDatabaseError(database)
  if (refused) return refused
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = typeof err.code === 'string' && !err.code.startsWith('FST_') ? err.code : httpCode(status)
    return { status, body: { detail: err.message, code }, headers: status === 401 ? { 'www-authenticate': 'Bearer' } : undefined }
  }
  if (status === 503) {
    return { status, body: { detail: err.message || 'Service unavailable', code: err.code ?? 'SERVICE_UNAVAILABLE' }, headers: { 'retry-after': '1' } }
  }
  return { status: 500, body: { detail: 'Internal Server Error', code: 'INTERNAL_ERROR' } }
}

function httpCode (status: number): string {
  switch (status) {
    case 400: return 'BAD_REQUEST'
    case 401: return 'NOT_AUTHENTICATED'
    case 403: return 'FORBIDDEN'
    case 404: return 'NOT_FOUND'
    case 405: return 'METHOD_NOT_ALLOWED'
    case 406: return 'NOT_ACCEPTABLE'
    case 409: return 'CONFLICT'
    case 413: return 'BODY_TOO_LARGE'
    case 415: return 'UNSUPPORTED_MEDIA_TYPE'
    case 429: return 'RATE_LIMITED'
    default: return 'BAD_REQUEST'
  }
}

// While Postgres is down every request fails the same way: one warning per interval says so,
// rather than an error with the query and its parameters per request.
const UNAVAILABLE_LOG_INTERVAL_MS = 5000
const unavailable = { loggedAt: 0, since: 0 }

export function errorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, body, headers } = toErrorReply(err)
  if (body.code === 'DATABASE_UNAVAILABLE') {
    unavailable.since++
    if (Date.now() - unavailable.loggedAt >= UNAVAILABLE_LOG_INTERVAL_MS) {
      const reason = (err.cause as Error | undefined)?.message ?? err.message
      request.log.warn({ reason, refused: unavailable.since }, 'database unavailable: answering 503 + Retry-After until it is back')
      unavailable.loggedAt = Date.now()
      unavailable.since = 0
    }
  } else if (status >= 500) request.log.error({ err }, 'request failed')
  if (headers) reply.headers(headers)
  // Errors raised before or during routing keep this shape too; serialise by hand so a
  // route's response schema for other statuses cannot strip fields.
  return reply.code(status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body)
}

/**
 * Errors the router raises before any route runs: a path that is not valid percent-encoding, or a
 * path parameter longer than any id (every parameter of this API is a UUID).
 */
export function frameworkErrorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const mapped = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? new errors.InvalidId()
    : new errors.BadRequest('Malformed URL: invalid percent-encoding')
  return errorHandler(mapped, request, reply)
}

/**
 * Requests Node's HTTP parser refuses (bad request line or headers, headers too large, request
 * timeout) get the contract's body too; the socket is closed behind it, as Node does.
 */
export function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, reason, body] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'Request Timeout', { detail: 'Request timed out', code: 'REQUEST_TIMEOUT' }]
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', { detail: 'Request headers are too large', code: 'HEADERS_TOO_LARGE' }]
      : [400, 'Bad Request', { detail: 'Malformed HTTP request', code: 'BAD_REQUEST' }]
  const text = JSON.stringify(body)
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`)
  }
  socket.destroy(err)
}

export function notFoundHandler (request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({ detail: 'Not Found', code: 'ROUTE_NOT_FOUND' })
}
