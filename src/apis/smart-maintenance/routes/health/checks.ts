import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { pingRedis, timedCheck } from '../../../../core/health.js'
import { redisAtStart } from '../../../../core/plugins/redis.js'

export interface Check { ok: boolean, latency_ms: number | null, error?: string }

async function timed (check: () => Promise<unknown>): Promise<Check> {
  const outcome = await timedCheck(check)
  return outcome.ok ? { ok: true, latency_ms: outcome.latencyMs } : { ok: false, latency_ms: null, error: outcome.error }
}

/** `select 1` on this API's pool, within a second. */
export function checkDatabase (app: FastifyInstance): Promise<Check> {
  return timed(() => app.db.execute(sql`select 1`))
}

export type RedisState = 'connected' | 'disconnected' | 'disabled'

/** PING within a second; `disabled` when REDIS_URL turns Redis off on purpose (single-instance mode). */
export async function checkRedis (app: FastifyInstance): Promise<Check & { state: RedisState }> {
  if (!redisAtStart(app.redis).enabled) return { ok: true, latency_ms: null, state: 'disabled' }
  const checked = await timed(() => pingRedis(app))
  return { ...checked, state: checked.ok ? 'connected' : 'disconnected' }
}
