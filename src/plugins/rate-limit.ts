import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors.js'

/**
 * Limits per user when the request carries a valid token, per IP otherwise. It runs as a
 * preHandler, after the route's authentication hook, so the key is a verified user id. Counters
 * live in Redis so replicas share them; when Redis is down the limiter fails open.
 */
export default fp(async (app) => {
  const { config } = app
  if (!config.RATE_LIMIT_ENABLED) return
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.RATE_LIMIT_MAX,
    timeWindow: /^\d+$/.test(config.RATE_LIMIT_WINDOW) ? Number(config.RATE_LIMIT_WINDOW) : config.RATE_LIMIT_WINDOW,
    redis: app.redis,
    nameSpace: `${config.REDIS_KEY_PREFIX}rl:`,
    skipOnError: true,
    keyGenerator: (request: FastifyRequest) => {
      const user = request.user as { sub?: string } | undefined
      return user?.sub ? `user:${user.sub}` : `ip:${request.ip}`
    },
    errorResponseBuilder: (_request, context) => new errors.RateLimited(context.after)
  })
}, { name: 'rate-limit', dependencies: ['config', 'redis', 'auth'] })
