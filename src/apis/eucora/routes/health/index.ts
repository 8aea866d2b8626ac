import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'drizzle-orm'
import { Type } from 'typebox'
import { redisAtStart } from '../../../../core/plugins/redis.js'
import { bothSlashes } from '../../drf/form.js'
import { pingRedis, timedCheck } from '../../../../core/health.js'

const Status = Type.Enum(['healthy', 'degraded', 'unhealthy'])
const Check = Type.Object({
  status: Status,
  latency_ms: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  message: Type.Optional(Type.String())
})
const Health = Type.Object({ status: Status, timestamp: Type.String({ format: 'date-time' }), checks: Type.Record(Type.String(), Check) })
const Ready = Type.Object({ database: Type.Boolean(), cache: Type.Boolean(), status: Type.Enum(['healthy', 'degraded']) })
const Live = Type.Object({ status: Type.Literal('alive') })

type CheckResult = { status: 'healthy' | 'degraded' | 'unhealthy', latency_ms?: number, error?: string, message?: string }
async function timed (check: () => Promise<unknown>, failure: 'degraded' | 'unhealthy'): Promise<CheckResult> {
  const outcome = await timedCheck(check)
  // The original cut the error text to 100 characters; no internals beyond that.
  return outcome.ok ? { status: 'healthy', latency_ms: Math.round(outcome.latencyMs!) } : { status: failure, error: outcome.error!.slice(0, 100) }
}

/**
 * The original's three health routes, unauthenticated and never rate limited. Its Celery, MinIO and
 * circuit-breaker checks have nothing to check here; Redis turned off on purpose (REDIS_URL=none)
 * counts as healthy, since this service then runs in single-instance mode by design.
 */
const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const opts = { config: { rateLimit: false }, logLevel: 'warn' as const }

  const database = () => timed(() => app.db.execute(sql`select 1`), 'unhealthy')
  const redis = async (): Promise<CheckResult> => {
    if (!redisAtStart(app.redis).enabled) return { status: 'healthy', message: 'disabled (REDIS_URL=none): single-instance mode' }
    return timed(() => pingRedis(app), 'unhealthy')
  }

  for (const [url, hide] of bothSlashes('/api/v1/health/')) {
    app.get(url, {
      ...opts,
      schema: { hide, tags: ['health'], summary: 'Every dependency checked; 503 unless all are healthy', response: { 200: Health, 503: Health } }
    }, async (_request, reply) => {
      const checks = { database: await database(), redis: await redis() }
      const statuses = Object.values(checks).map((c) => c.status)
      const status = statuses.includes('unhealthy') ? 'unhealthy' : statuses.includes('degraded') ? 'degraded' : 'healthy'
      return reply.code(status === 'healthy' ? 200 : 503).send({ status, timestamp: new Date().toISOString(), checks })
    })
  }

  for (const [url, hide] of bothSlashes('/health/live/')) {
    app.get(url, { ...opts, schema: { hide: !hide, tags: ['health'], summary: 'Liveness', response: { 200: Live } } }, async () => ({ status: 'alive' as const }))
  }

  for (const [url, hide] of bothSlashes('/health/ready/')) {
    app.get(url, {
      ...opts,
      schema: { hide: !hide, tags: ['health'], summary: 'Readiness: 503 when Postgres does not answer; degraded (200) when only the cache does not', response: { 200: Ready, 503: Ready } }
    }, async (_request, reply) => {
      // The original also refused traffic without its cache; here Redis is an accelerator the
      // service runs without (single-instance mode), so only Postgres decides readiness.
      const [db, cache] = await Promise.all([database(), redis()])
      const ready = db.status === 'healthy'
      const status = ready && cache.status === 'healthy' ? 'healthy' : 'degraded'
      return reply.code(ready ? 200 : 503).send({ database: ready, cache: cache.status === 'healthy', status })
    })
  }
}

export default healthRoutes
