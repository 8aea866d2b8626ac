import { createHash, timingSafeEqual } from 'node:crypto'
import createError from '@fastify/error'
import rateLimit from '@fastify/rate-limit'
import type { FastifyContextConfig, FastifyInstance, FastifyRequest } from 'fastify'
import { parseWindow, rateLimitStore } from '../../core/plugins/rate-limit.js'

const accessErrors = {
  NotAuthenticated: createError('NOT_AUTHENTICATED', 'Not authenticated', 401),
  InvalidApiKey: createError('INVALID_API_KEY', 'Could not validate credentials', 403),
  RateLimited: createError('RATE_LIMITED', 'Rate limit exceeded: %s per %s', 429)
} as const

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * The `X-API-Key` check of /api/v1 routes, on only when SMART_MAINTENANCE_API_KEY is set (the
 * original allowed anonymous access by default). Keys are compared in constant time.
 */
export function apiKeyHook (expected: string) {
  const wanted = digest(expected)
  return async (request: FastifyRequest) => {
    const given = request.headers['x-api-key']
    if (typeof given !== 'string' || given === '') throw new accessErrors.NotAuthenticated()
    if (!timingSafeEqual(digest(given), wanted)) throw new accessErrors.InvalidApiKey()
  }
}

/**
 * The route config of every /api/v1 route: the original's per-key limit (slowapi keyed by
 * X-API-Key, else client IP) when SMART_MAINTENANCE_RATE_LIMIT_MAX is set, and never the core's
 * per-user limit, which this API has no users for. When the core did not register
 * @fastify/rate-limit (RATE_LIMIT_ENABLED=false), it is registered here for these routes only.
 */
export async function apiRouteConfig (app: FastifyInstance): Promise<FastifyContextConfig> {
  const { config } = app
  const max = config.SMART_MAINTENANCE_RATE_LIMIT_MAX
  if (max === 0) return { rateLimit: false }
  if (!app.hasDecorator('rateLimit')) await app.register(rateLimit, { global: false, ...rateLimitStore(app) })
  const window = config.SMART_MAINTENANCE_RATE_LIMIT_WINDOW
  return {
    rateLimit: {
      max,
      timeWindow: parseWindow(window),
      hook: 'onRequest',
      keyGenerator: (request) => {
        const key = request.headers['x-api-key']
        return typeof key === 'string' && key !== '' ? `sm-key:${digest(key).toString('base64url')}` : `sm-ip:${request.ip}`
      },
      errorResponseBuilder: () => new accessErrors.RateLimited(max, /^\d+$/.test(window) ? `${window} ms` : window)
    }
  }
}

/** Health and metrics routes: never limited, never keyed (as in the original). */
export const OPEN_ROUTE: FastifyContextConfig = { rateLimit: false }
