import { Redis } from 'ioredis'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis
  }
}

/**
 * Redis is an accelerator, never a dependency: commands fail fast while it is down (no offline
 * queue, one retry), callers fall back, and the client reconnects by itself in the background.
 */
export default fp(async (app) => {
  const redis = new Redis(app.config.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000)
  })
  let warned = false
  redis.on('error', (err) => {
    if (!warned) app.log.warn({ err: err.message }, 'redis unavailable; continuing without it')
    warned = true
  })
  redis.on('ready', () => {
    if (warned) app.log.info('redis connection restored')
    warned = false
  })
  try {
    await redis.connect()
  } catch {
    // Already logged by the error listener; the retry strategy keeps trying.
  }
  app.decorate('redis', redis)
  app.addHook('onClose', async () => {
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect())
    else redis.disconnect()
  })
}, { name: 'redis', dependencies: ['config'] })
