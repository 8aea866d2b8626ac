import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { errors, type ErrorReply } from './catalog.js'
import { databaseError, fromDatabaseError, isDatabaseUnavailable } from './postgres.js'
import { toValidationIssues, type AjvIssue } from './validation.js'

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
