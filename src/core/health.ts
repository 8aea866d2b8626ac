import type { FastifyInstance } from 'fastify'

/** How long a health check waits for a dependency before calling it down. */
const CHECK_TIMEOUT_MS = 1000

/** `work`, or a rejection after CHECK_TIMEOUT_MS: a health check never hangs on a hung dependency. */
export function withCheckTimeout<T> (work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    work,
    new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS) })
  ]).finally(() => clearTimeout(timer))
}

/**
 * Every API's Redis check, for timedCheck: it fails at once while the Redis circuit is open (a PING
 * would wait out its timeout) or the client is not connected, and a failed PING opens the circuit.
 */
export async function pingRedis (app: FastifyInstance): Promise<void> {
  if (app.redisCircuit.isOpen) throw new Error(app.redisCircuit.describe())
  if (app.redis.status !== 'ready') throw new Error(`not connected (${app.redis.status})`)
  await app.redis.ping().catch((err: Error) => {
    app.redisCircuit.failure(err)
    throw err
  })
}

export interface CheckOutcome { ok: boolean, latencyMs: number | null, error?: string }

/** Runs one check within the timeout: whether it passed and how long it took (ms), or why it failed. */
export async function timedCheck (check: () => Promise<unknown>): Promise<CheckOutcome> {
  const started = performance.now()
  try {
    await withCheckTimeout(check())
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 }
  } catch (err) {
    return { ok: false, latencyMs: null, error: (err as Error).message || 'unreachable' }
  }
}
