import createError from '@fastify/error'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

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
  return issues.map((issue) => {
    const loc: (string | number)[] = [root]
    for (const segment of issue.instancePath.split('/').slice(1)) {
      const unescaped = segment.replaceAll('~1', '/').replaceAll('~0', '~')
      loc.push(/^\d+$/.test(unescaped) ? Number(unescaped) : unescaped)
    }
    if (issue.keyword === 'required') loc.push(String(issue.params.missingProperty))
    if (issue.keyword === 'additionalProperties') loc.push(String(issue.params.additionalProperty))
    const msg = issue.keyword === 'required' ? 'Field required' : (issue.message ?? 'Invalid value')
    return { loc, msg, type: AJV_TYPES[issue.keyword] ?? issue.keyword }
  })
}

// node-postgres / network failures that mean "the database is not reachable right now".
const UNAVAILABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'])

export function isDatabaseUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string') {
    if (UNAVAILABLE_SYSTEM_CODES.has(code)) return true
    // 08xxx connection exceptions, 57P0x admin/crash shutdown, 53300 too many connections, 57014 statement timeout.
    if (code.startsWith('08') || code.startsWith('57P0') || code === '53300' || code === '57014') return true
  }
  const message = err.message
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection timeout|Cannot use a pool after calling end/i.test(message)) return true
  const cause = (err as { cause?: unknown }).cause
  return cause !== undefined && cause !== err && isDatabaseUnavailable(cause)
}

/** Maps any error to the contract's status and body. Nothing reaching this handler can become a bare 500 with internals. */
export function toErrorReply (err: FastifyError): { status: number, body: ErrorBody, headers?: Record<string, string> } {
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

export function errorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const { status, body, headers } = toErrorReply(err)
  if (status >= 500) request.log.error({ err }, 'request failed')
  if (headers) reply.headers(headers)
  // Errors raised before or during routing keep this shape too; serialise by hand so a
  // route's response schema for other statuses cannot strip fields.
  return reply.code(status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body)
}

export function notFoundHandler (request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({ detail: 'Not Found', code: 'ROUTE_NOT_FOUND' })
}
