// What every PGGIT route shares: FastAPI's error shape, a JSON parser that accepts an empty body,
// and the bearer-token check of the original's `get_current_user`.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createDecoder } from 'fast-jwt'
import { toErrorReply, toValidationIssues } from '../../core/errors/index.js'
import type { AjvIssue } from '../../core/errors/validation.js'

/** The user a request acts as: the token's `sub`. */
export interface PggitUser { sub: string }

declare module 'fastify' {
  interface FastifyRequest {
    pggitUser: PggitUser | null
  }
}

class HttpProblem extends Error {
  constructor (readonly statusCode: number, message: string, readonly code: string) {
    super(message)
  }
}

export const problems = {
  missingToken: () => new HttpProblem(401, 'Missing authentication credentials', 'NOT_AUTHENTICATED'),
  invalidToken: () => new HttpProblem(401, 'Invalid authentication credentials', 'INVALID_TOKEN'),
  notFound: (what: string) => new HttpProblem(404, `${what} not found`, 'NOT_FOUND')
}

/**
 * FastAPI's shape: `{detail}` with a string, or for 422 a list of `{loc, msg, type}` whose `loc`
 * starts with body, query or path (an integer id that is not one is a 422 at `["path", "id"]`, as
 * FastAPI answers, not the core's 400 for a malformed UUID). `code` stays beside `detail`: FastAPI
 * clients read only `detail`.
 */
export function fastApiErrorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err.validation) {
    const detail = toValidationIssues(err.validationContext, err.validation as AjvIssue[])
    return reply.code(422).type('application/json; charset=utf-8').serializer(JSON.stringify).send({ detail, code: 'VALIDATION_ERROR' })
  }
  const { status, body, headers } = err instanceof HttpProblem
    ? { status: err.statusCode, body: { detail: err.message, code: err.code }, headers: err.statusCode === 401 ? { 'www-authenticate': 'Bearer' } : undefined }
    : toErrorReply(err)
  if (status >= 500) request.log.error({ err }, 'request failed')
  if (headers) reply.headers(headers)
  return reply.code(status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body)
}

/**
 * The suite posts `Content-Type: application/json` with no body to the cache invalidation routes,
 * which Starlette takes as "no body" and Fastify's default parser refuses (400
 * FST_ERR_CTP_EMPTY_JSON_BODY). Here an empty body is no body; anything else goes through
 * Fastify's own JSON parser (prototype-poisoning checks included).
 */
export function acceptEmptyJsonBodies (app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString()
    if (text.trim() === '') return done(null, undefined)
    return parseJson(request, text, done)
  })
}

const decode = createDecoder({ complete: true })

interface Decoded { header: { alg?: unknown }, payload: { sub?: unknown, exp?: unknown } }

/**
 * The original verifies HS256 tokens; its published suite sends one whose signature is the text
 * PLACEHOLDER. By default (PGGIT_VERIFY_TOKENS=false) a token is accepted when it is a well-formed
 * HS256 JWT with a string `sub` and an `exp` (if any) in the future; its signature is not checked.
 * With PGGIT_VERIFY_TOKENS=true the signature must verify with the service's signing key
 * (JWT_SECRET, or the key kept in the database): `verify` is the core's verifier.
 */
export function tokenReader (opts: { verify?: (token: string) => unknown }): (token: string) => PggitUser | null {
  const verifier = opts.verify
  return (token) => {
    let payload: Decoded['payload']
    try {
      const decoded = decode(token) as Decoded
      if (decoded.header.alg !== 'HS256') return null
      payload = verifier ? verifier(token) as Decoded['payload'] : decoded.payload
    } catch {
      return null
    }
    if (typeof payload?.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) return null
    if (payload.exp !== undefined && (typeof payload.exp !== 'number' || payload.exp * 1000 <= Date.now())) return null
    return { sub: payload.sub }
  }
}

/** The bearer token of a request: the Authorization header, else `?token=` (the original's dependency read it from the query). */
export function requestToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    return match ? match[1] : ''
  }
  const query = request.query as { token?: unknown } | undefined
  return typeof query?.token === 'string' ? query.token : undefined
}

/** onRequest hook of every authenticated route: 401 without a token or with a malformed one. */
export function authenticateWith (read: (token: string) => PggitUser | null) {
  return async (request: FastifyRequest) => {
    const token = requestToken(request)
    if (token === undefined) throw problems.missingToken()
    const user = token ? read(token) : null
    if (!user) throw problems.invalidToken()
    request.pggitUser = user
    // The core's rate limiter keys on `request.user.sub`: the same user, per token subject.
    ;(request as unknown as { user: PggitUser }).user = user
  }
}
