import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { redisAtStart } from '../../../../core/plugins/redis.js'

const CHECK_TIMEOUT_MS = 1000

export interface Check { ok: boolean, latency_ms: number | null, error?: string }

async function timed (check: () => Promise<unknown>): Promise<Check> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check(),
      new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS) })
    ])
    return { ok: true, latency_ms: Math.round((performance.now() - started) * 100) / 100 }
  } catch (err) {
    return { ok: false, latency_ms: null, error: (err as Error).message || 'unreachable' }
  } finally {
    clearTimeout(timer)
  }
}

/** `select 1` on this API's pool, within a second. */
export function checkDatabase (app: FastifyInstance): Promise<Check> {
  return timed(() => app.db.execute(sql`select 1`))
}

export type RedisState = 'connected' | 'disconnected' | 'disabled'

/** PING within a second; `disabled` when REDIS_URL turns Redis off on purpose (single-instance mode). */
export async function checkRedis (app: FastifyInstance): Promise<Check & { state: RedisState }> {
  if (!redisAtStart(app.redis).enabled) return { ok: true, latency_ms: null, state: 'disabled' }
  const checked = await timed(async () => {
    if (app.redis.status !== 'ready') throw new Error(`not connected (${app.redis.status})`)
    await app.redis.ping()
  })
  return { ...checked, state: checked.ok ? 'connected' : 'disconnected' }
}
