import { Redis } from 'ioredis'
import fp from 'fastify-plugin'
import { RedisCircuit } from './redis-circuit.js'

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis
    /** Whether Redis may be asked now; see RedisCircuit. */
    redisCircuit: RedisCircuit
  }
}

// A probe that takes longer than this counts as failed: a healthy Redis answers a PING in well
// under a millisecond, and the probe must never itself wait out the 1 s command timeout.
const PROBE_TIMEOUT_MS = 250
const PROBE_INTERVAL_MS = 1000

/**
 * - `shared`: Redis was reachable at start and still is. Rate-limit counters and live events go
 *   through Redis, so any number of replicas behave as one service.
 * - `single-instance`: no Redis (REDIS_URL empty or `none`, or unreachable at start, or gone since).
 *   Counters live in this process and events reach this process's subscribers only: correct for
 *   one process, not for replicas.
 */
export type InstanceMode = 'shared' | 'single-instance'

export interface RedisAtStart {
  /** REDIS_URL names a Redis (it is not empty or `none`). */
  enabled: boolean
  /** It answered while the app was starting: the rate-limit store is Redis for the app's lifetime. */
  readyAtStart: boolean
}

const atStart = new WeakMap<Redis, RedisAtStart>()

/** REDIS_URL empty, `none`, `off` or `false`: Redis is turned off on purpose. */
export function redisDisabled (url: string): boolean {
  return ['', 'none', 'off', 'false'].includes(url.trim().toLowerCase())
}

export function redisAtStart (redis: Redis): RedisAtStart {
  return atStart.get(redis) ?? { enabled: true, readyAtStart: false }
}

export function instanceMode (redis: Redis): InstanceMode {
  return redisAtStart(redis).readyAtStart && redis.status === 'ready' ? 'shared' : 'single-instance'
}

/** REDIS_URL host and port without credentials, for logs. */
function describe (url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || 6379}`
  } catch {
    return 'the configured Redis'
  }
}

/**
 * What `app.redis` is when Redis is turned off: a client that is closed from the start and never
 * connects, so every caller's "Redis is not ready" path applies (commands reject at once,
 * `status` is `end`), and a duplicate of it (e.g. the events subscriber) is just as inert.
 */
class DisabledRedis extends Redis {
  constructor () {
    super({ lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
    this.disconnect()
  }

  override duplicate (): Redis {
    return new DisabledRedis()
  }
}

/**
 * Redis is an accelerator, never a dependency: commands fail fast while it is down or hung (no
 * offline queue, one retry, a command timeout), callers fall back, and the client reconnects by
 * itself in the background.
 * Which mode the service runs in is decided here and announced once; see InstanceMode.
 */
export default fp(async (app) => {
  const url = app.config.REDIS_URL
  if (redisDisabled(url)) {
    const redis = new DisabledRedis()
    atStart.set(redis, { enabled: false, readyAtStart: false })
    app.decorate('redis', redis)
    app.decorate('redisCircuit', new RedisCircuit(redis, { probeIntervalMs: PROBE_INTERVAL_MS, probeTimeoutMs: PROBE_TIMEOUT_MS, log: app.log }))
    app.log.info({ mode: 'single-instance' }, 'Redis disabled (REDIS_URL is empty or none): single-instance mode, rate-limit counters and live events stay in this process')
    return
  }

  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    // A Redis that stops answering without closing the connection (paused, partitioned) still looks
    // ready: its commands fail after this long instead of holding requests until TCP gives up.
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000)
  })
  let warned = false
  redis.on('error', (err) => {
    if (!warned) app.log.warn({ err: err.message }, 'redis unavailable; continuing without it')
    warned = true
  })
  try {
    await redis.connect()
  } catch {
    // Already logged by the error listener; the retry strategy keeps trying.
  }
  const readyAtStart = redis.status === 'ready'
  atStart.set(redis, { enabled: true, readyAtStart })
  if (readyAtStart) {
    app.log.info({ mode: 'shared', redis: describe(url) }, `Redis connected at ${describe(url)}: shared mode, replicas share rate-limit counters and live events`)
  } else {
    app.log.warn({ mode: 'single-instance', redis: describe(url) },
      `Redis unreachable at ${describe(url)}: single-instance mode, rate-limit counters in this process (until restart), live events local until Redis is back`)
  }
  redis.on('ready', () => {
    if (warned) {
      app.log.info(readyAtStart
        ? 'redis connection restored: shared mode again'
        : 'redis connection established: live events are shared again; rate-limit counters stay in this process until restart')
    }
    warned = false
  })
  const circuit = new RedisCircuit(redis, { probeIntervalMs: PROBE_INTERVAL_MS, probeTimeoutMs: PROBE_TIMEOUT_MS, log: app.log })
  app.decorate('redis', redis)
  app.decorate('redisCircuit', circuit)
  app.addHook('onClose', async () => {
    circuit.stop()
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect())
    else redis.disconnect()
  })
}, { name: 'redis', dependencies: ['config'] })
