import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors/index.js'
import { redisAtStart } from './redis.js'

// In-process store: one counter per user and per anonymous IP. The seed suite has 350 accounts;
// room for far more before the LRU would forget a counter early.
const LOCAL_STORE_KEYS = 100_000

/**
 * Limits per user when the request carries a valid token, per IP otherwise. It runs as a
 * preHandler, after the route's authentication hook, so the key is a verified user id.
 *
 * The store is chosen once, at start: Redis when it answered then (replicas share the counters;
 * if Redis goes away later the limiter fails open rather than failing requests), otherwise
 * @fastify/rate-limit's in-process store (single-instance mode), kept for the process's lifetime
 * even if Redis appears later: switching stores mid-window would reset every counter.
 */
export default fp(async (app) => {
  const { config } = app
  if (!config.RATE_LIMIT_ENABLED) return
  const shared = redisAtStart(app.redis).readyAtStart
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.RATE_LIMIT_MAX,
    timeWindow: /^\d+$/.test(config.RATE_LIMIT_WINDOW) ? Number(config.RATE_LIMIT_WINDOW) : config.RATE_LIMIT_WINDOW,
    ...(shared
      ? { redis: app.redis, nameSpace: `${config.REDIS_KEY_PREFIX}rl:`, skipOnError: true }
      : { cache: LOCAL_STORE_KEYS }),
    keyGenerator: (request: FastifyRequest) => {
      const user = request.user as { sub?: string } | undefined
      return user?.sub ? `user:${user.sub}` : `ip:${request.ip}`
    },
    errorResponseBuilder: (_request, context) => new errors.RateLimited(context.after)
  })
}, { name: 'rate-limit', dependencies: ['config', 'redis', 'auth'] })
