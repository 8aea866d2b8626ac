// The original's response cache (L1 memory + Redis, 30-60 s), here Redis only, so that every
// replica reads and invalidates the same entries and counts hits and misses in the same counters.
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

export const CACHE_TYPES = ['webhooks', 'alerts', 'dashboard'] as const
export type CacheType = typeof CACHE_TYPES[number]

/** Seconds an entry lives, per type: the original's list TTLs (webhooks 60 s, alerts 30 s), dashboards 60 s. */
export const CACHE_TTL_S: Record<CacheType, number> = { webhooks: 60, alerts: 30, dashboard: 60 }

const COUNTER_TTL_S = 7 * 24 * 3600

export interface CacheStats { hit_rate: number, total_requests: number, hits: number, misses: number, size: number }

export interface Cached<T> { value: T, hit: boolean }

/**
 * Entries are `<prefix>pggit:cache:<type>:<key>` with a TTL; each type keeps the set of its keys
 * (`…:keys:<type>`) so that a type can be invalidated without SCAN. Hits and misses are INCRs on
 * shared counters. Redis down or slow: the cache is bypassed (every read goes to Postgres and
 * counts only in this process), never an error.
 */
export class ResponseCache {
  private readonly local = { hits: 0, misses: 0 }
  private readonly inFlight = new Map<string, Promise<unknown>>()
  private readonly base: string

  constructor (private readonly redis: Redis, keyPrefix: string, readonly enabled: boolean, private readonly log: FastifyBaseLogger) {
    this.base = `${keyPrefix}pggit:cache:`
  }

  private get ready () { return this.enabled && this.redis.status === 'ready' }
  private entry (type: CacheType, key: string) { return `${this.base}${type}:${key}` }
  private keySet (type: CacheType) { return `${this.base}keys:${type}` }

  /**
   * The cached answer for (type, key), or `compute()`'s, stored for the type's TTL. Concurrent
   * misses of one key in this process share one computation.
   */
  async remember<T> (type: CacheType, key: string, compute: () => Promise<T>): Promise<Cached<T>> {
    if (!this.enabled) return { value: await compute(), hit: false }
    const name = this.entry(type, key)
    const stored = this.ready ? await this.redis.get(name).catch(() => null) : null
    if (stored !== null) {
      this.count('hits')
      return { value: JSON.parse(stored) as T, hit: true }
    }
    this.count('misses')
    const pending = this.inFlight.get(name)
    if (pending) return { value: await pending as T, hit: false }
    const computing = compute()
    this.inFlight.set(name, computing)
    try {
      const value = await computing
      if (this.ready) {
        const ttl = CACHE_TTL_S[type]
        this.redis.multi().set(name, JSON.stringify(value), 'EX', ttl).sadd(this.keySet(type), name).expire(this.keySet(type), ttl * 2).exec()
          .catch((err: Error) => this.log.debug({ err: err.message }, 'cache write skipped'))
      }
      return { value, hit: false }
    } finally {
      this.inFlight.delete(name)
    }
  }

  /** Drops every entry of these types; how many entries were there. */
  async invalidate (types: readonly CacheType[]): Promise<number> {
    if (!this.ready) return 0
    try {
      let removed = 0
      for (const type of types) {
        const keys = await this.redis.smembers(this.keySet(type))
        removed += keys.length ? await this.redis.del(...keys) : 0
        await this.redis.del(this.keySet(type))
      }
      return removed
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cache invalidation skipped: Redis unavailable')
      return 0
    }
  }

  /** Hits and misses: the shared counters, or this process's when Redis is not there. */
  async counters (): Promise<{ hits: number, misses: number }> {
    if (!this.ready) return { ...this.local }
    try {
      const [hits, misses] = await this.redis.mget(`${this.base}hits`, `${this.base}misses`)
      return { hits: Number(hits ?? 0), misses: Number(misses ?? 0) }
    } catch {
      return { ...this.local }
    }
  }

  async hitRatePercent (): Promise<number> {
    const { hits, misses } = await this.counters()
    return percent(hits, misses)
  }

  async stats (): Promise<CacheStats> {
    const [{ hits, misses }, size] = await Promise.all([this.counters(), this.size()])
    return { hit_rate: percent(hits, misses), total_requests: hits + misses, hits, misses, size }
  }

  /** Entries alive now (keys of the type sets that still exist). */
  private async size (): Promise<number> {
    if (!this.ready) return 0
    try {
      const keys = (await Promise.all(CACHE_TYPES.map((type) => this.redis.smembers(this.keySet(type))))).flat()
      return keys.length ? await this.redis.exists(...keys) : 0
    } catch {
      return 0
    }
  }

  private count (what: 'hits' | 'misses') {
    this.local[what]++
    // Counters idle for a week expire, so test and bench prefixes do not pile up in Redis.
    if (this.ready) this.redis.pipeline().incr(`${this.base}${what}`).expire(`${this.base}${what}`, COUNTER_TTL_S).exec().catch(() => {})
  }
}

const percent = (hits: number, misses: number) => hits + misses ? Math.round((hits / (hits + misses)) * 10_000) / 100 : 0
