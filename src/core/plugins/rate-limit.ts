import { createRequire } from 'node:module'
import rateLimit, { type FastifyRateLimitOptions, type FastifyRateLimitStore } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { errors } from '../errors/index.js'
import { redisAtStart } from './redis.js'
import type { RedisCircuit } from './redis-circuit.js'

// The plugin's own two stores (not exported from its entry point), combined below.
const require = createRequire(import.meta.url)
type Store = FastifyRateLimitStore
type StoreOptions = FastifyRateLimitOptions & { continueExceeding?: boolean, exponentialBackoff?: boolean }
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (continueExceeding: boolean | undefined, exponentialBackoff: boolean | undefined, redis: Redis, key: string) => Store
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding: boolean | undefined, exponentialBackoff: boolean | undefined, cache: number) => Store
type Callback = Parameters<Store['incr']>[1]

// In-process store: one counter per user and per anonymous IP. The seed suite has 350 accounts;
// room for far more before the LRU would forget a counter early.
const LOCAL_STORE_KEYS = 100_000

/**
 * Counts in Redis while the circuit is closed; in this process while it is open, and for a
 * request whose Redis command failed (which opens it). A hung Redis then costs the requests in
 * flight one command timeout, and the limits keep counting, per process, until Redis is back.
 */
class CircuitStore implements Store {
  constructor (private readonly shared: Store, private readonly local: Store, private readonly circuit: RedisCircuit) {}

  incr (key: string, callback: Callback, timeWindow: number, max: number): void {
    if (!this.circuit.usable()) return this.local.incr(key, callback, timeWindow, max)
    this.shared.incr(key, (err, result) => {
      if (!err) return callback(null, result)
      this.circuit.failure(err)
      this.local.incr(key, callback, timeWindow, max)
    }, timeWindow, max)
  }

  child (routeOptions: Parameters<Store['child']>[0]): Store {
    return new CircuitStore(this.shared.child(routeOptions), this.local.child(routeOptions), this.circuit)
  }
}

function circuitStore (redis: Redis, circuit: RedisCircuit, nameSpace: string) {
  return class extends CircuitStore {
    constructor (options: StoreOptions) {
      super(
        new RedisStore(options.continueExceeding, options.exponentialBackoff, redis, nameSpace),
        new LocalStore(options.continueExceeding, options.exponentialBackoff, LOCAL_STORE_KEYS),
        circuit
      )
    }
  }
}

/**
 * The store of every rate limit, chosen once, at start: Redis when it answered then (replicas share
 * the counters; while Redis is unreachable or hung later, CircuitStore counts in this process),
 * otherwise @fastify/rate-limit's in-process store (single-instance mode), kept for the process's
 * lifetime even if Redis appears later: switching stores mid-window would reset every counter.
 */
export function rateLimitStore (app: FastifyInstance) {
  return redisAtStart(app.redis).readyAtStart
    ? { store: circuitStore(app.redis, app.redisCircuit, `${app.config.REDIS_KEY_PREFIX}rl:`), cache: LOCAL_STORE_KEYS, skipOnError: true }
    : { cache: LOCAL_STORE_KEYS }
}

/** A window setting: milliseconds when it is a number, else a text @fastify/rate-limit reads ("1 minute"). */
export const parseWindow = (window: string): number | string => /^\d+$/.test(window) ? Number(window) : window

/**
 * Limits per user when the request carries a valid token, per IP otherwise. It runs as a
 * preHandler, after the route's authentication hook, so the key is a verified user id.
 */
export default fp(async (app) => {
  const { config } = app
  if (!config.RATE_LIMIT_ENABLED) return
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.RATE_LIMIT_MAX,
    timeWindow: parseWindow(config.RATE_LIMIT_WINDOW),
    ...rateLimitStore(app),
    keyGenerator: (request: FastifyRequest) => {
      const user = request.user as { sub?: string } | undefined
      return user?.sub ? `user:${user.sub}` : `ip:${request.ip}`
    },
    errorResponseBuilder: (_request, context) => new errors.RateLimited(context.after)
  })
}, { name: 'rate-limit', dependencies: ['config', 'redis', 'auth'] })
