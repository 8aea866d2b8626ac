import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'

export interface RedisCircuitOptions {
  /** How often Redis is probed while the circuit is open. */
  probeIntervalMs: number
  /** A probe that takes longer than this counts as failed. */
  probeTimeoutMs: number
  log: FastifyBaseLogger
}

/**
 * A circuit breaker in front of Redis. Without it, a Redis that hangs (paused, partitioned: the
 * connection stays open, nothing answers) costs every request that asks it the full command
 * timeout, so the API falls to a trickle. Instead, the first failure (a timeout or an error)
 * opens the circuit: callers stop asking Redis and take their fallback at once (rate limits fail
 * open, events are delivered locally), while one PING a second, with a short timeout, probes it
 * in the background; the first probe answered closes the circuit again. So a hung Redis costs the
 * requests in flight at that moment one timeout, not one per request.
 */
export class RedisCircuit {
  private openedAt: number | undefined
  private lastError = ''
  private timer: NodeJS.Timeout | undefined
  private probing = false
  /** Times the circuit opened since start (a counter, for /metrics). */
  openings = 0

  constructor (private readonly redis: Redis, private readonly opts: RedisCircuitOptions) {}

  get isOpen (): boolean {
    return this.openedAt !== undefined
  }

  /** Whether a caller may ask Redis now: circuit closed and connected. */
  usable (): boolean {
    return this.openedAt === undefined && this.redis.status === 'ready'
  }

  /** What /health/ready says while open. */
  describe (): string {
    const seconds = this.openedAt === undefined ? 0 : Math.round((Date.now() - this.openedAt) / 1000)
    return `circuit open for ${seconds} s after "${this.lastError}": not asked, probed every ${this.opts.probeIntervalMs} ms; rate limits fail open, live events stay in this process`
  }

  /** A command failed: stop asking Redis until a probe succeeds. */
  failure (err: unknown): void {
    if (this.openedAt !== undefined) return
    this.openedAt = Date.now()
    this.lastError = (err as Error)?.message ?? String(err)
    this.openings++
    this.opts.log.warn({ err: this.lastError }, 'redis circuit open: not asking Redis until it answers a probe')
    this.timer = setInterval(() => { this.probe().catch(() => {}) }, this.opts.probeIntervalMs)
    this.timer.unref()
  }

  private async probe (): Promise<void> {
    if (this.probing || this.redis.status !== 'ready') return
    this.probing = true
    let timeout: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        this.redis.ping(),
        new Promise((_resolve, reject) => { timeout = setTimeout(() => reject(new Error('probe timed out')), this.opts.probeTimeoutMs) })
      ])
      this.close()
    } catch {
      // Still down: the next probe will tell.
    } finally {
      clearTimeout(timeout)
      this.probing = false
    }
  }

  private close (): void {
    if (this.openedAt === undefined) return
    const seconds = Math.round((Date.now() - this.openedAt) / 1000)
    this.openedAt = undefined
    clearInterval(this.timer)
    this.opts.log.info({ openSeconds: seconds }, 'redis circuit closed: Redis answers again')
  }

  /** Stops probing (app close). */
  stop (): void {
    clearInterval(this.timer)
  }
}
