import type { ErrorObject } from 'ajv'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { databaseError, fromDatabaseError, isDatabaseUnavailable } from '../../../core/errors/postgres.js'
import { drf, DrfError, type DrfBody } from './errors.js'
import { toFieldErrors } from './validation.js'

interface Answer { status: number, body: DrfBody, headers?: Record<string, string> }

/** Any error of this API's routes as DRF would answer it; nothing becomes a 500 with internals. */
export function toDrfAnswer (err: FastifyError): Answer {
  if (err instanceof DrfError) return { status: err.statusCode, body: err.body, headers: err.headers }
  if (err.validation) {
    // Django's `<uuid:id>` path converter does not match anything else: the URL is not found.
    if (err.validationContext === 'params') return { status: 404, body: { detail: 'Not found.' } }
    return { status: 400, body: toFieldErrors(err.validation as ErrorObject[]) }
  }
  switch (err.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, body: { detail: 'JSON parse error - Expecting value: line 1 column 1 (char 0)' } }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: { detail: `JSON parse error - ${err.message}` } }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { detail: 'Request body is too large.' } }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { detail: 'Unsupported media type in request: send application/json or application/x-www-form-urlencoded.' } }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { detail: 'Malformed request.' } }
  }
  if (err instanceof SyntaxError) return { status: 400, body: { detail: `JSON parse error - ${err.message}` } }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { detail: 'Database unavailable, retry shortly.' }, headers: { 'retry-after': '1' } }
  }
  const database = databaseError(err)
  const refused = database && fromDatabaseError(database)
  if (refused?.status === 401) {
    // The token's user is gone (a foreign key to the user failed): DRF's answer for that.
    const gone = drf.inactiveUser()
    return { status: 401, body: gone.body, headers: gone.headers }
  }
  if (refused) {
    const text = typeof refused.body.detail === 'string' ? refused.body.detail : refused.body.detail.map((issue) => issue.msg).join('; ')
    return { status: refused.status === 422 ? 400 : refused.status, body: { detail: text }, headers: refused.headers }
  }
  const status = err.statusCode ?? 500
  if (status === 401) {
    const invalid = drf.invalidToken()
    return { status: 401, body: invalid.body, headers: invalid.headers }
  }
  if (status >= 400 && status < 500) return { status, body: { detail: err.message } }
  if (status === 503) return { status, body: { detail: err.message || 'Service unavailable.' }, headers: { 'retry-after': '1' } }
  return { status: 500, body: { detail: 'A server error occurred.' } }
}

export function drfErrorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err.statusCode === 429) {
    // The rate limiter has set Retry-After (seconds) on the reply already; DRF's Throttled says it too.
    const wait = Number(reply.getHeader('retry-after')) || 1
    return reply.code(429).type('application/json').serializer(JSON.stringify)
      .send({ detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.` })
  }
  const { status, body, headers } = toDrfAnswer(err)
  if (status >= 500) request.log.error({ err }, 'request failed')
  if (headers) reply.headers(headers)
  // Serialised by hand: a route's response schema must not strip an error's fields.
  return reply.code(status).type('application/json').serializer(JSON.stringify).send(body)
}

export function drfNotFoundHandler (_request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).type('application/json').serializer(JSON.stringify).send({ detail: 'Not found.' })
}
