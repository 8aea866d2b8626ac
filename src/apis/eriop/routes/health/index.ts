import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'drizzle-orm'
import { Type } from 'typebox'
import { pingRedis, timedCheck } from '../../../../core/health.js'
import { Nullable } from '../../../../core/schemas/common.js'
import { instanceMode, redisAtStart } from '../../../../core/plugins/redis.js'

const Status = Type.Enum(['healthy', 'degraded', 'unhealthy'])
const Component = Type.Object({ name: Type.String(), status: Status, message: Type.String(), latency_ms: Nullable(Type.Number()) })
const Mode = Type.Enum(['shared', 'single-instance'], {
  description: 'shared: rate-limit counters and live events in Redis, replicas act as one service; single-instance: they stay in this process'
})
const Health = Type.Object({ status: Status, version: Type.String(), mode: Type.Optional(Mode), components: Type.Optional(Type.Array(Component)) })
type ComponentStatus = { name: string, status: 'healthy' | 'degraded' | 'unhealthy', message: string, latency_ms: number | null }

async function timed (name: string, check: () => Promise<unknown>, failure: 'degraded' | 'unhealthy'): Promise<ComponentStatus> {
  const outcome = await timedCheck(check)
  return outcome.ok
    ? { name, status: 'healthy', message: 'ok', latency_ms: outcome.latencyMs }
    : { name, status: failure, message: outcome.error!, latency_ms: null }
}

/** Liveness and readiness, outside /api/v1, no auth, never rate limited. */
const healthRoutes: FastifyPluginAsyncTypebox<{ version: string }> = async (app, { version }) => {
  const opts = { config: { rateLimit: false }, logLevel: 'warn' as const }

  app.get('/health', { ...opts, schema: { tags: ['health'], response: { 200: Health } } }, async () => ({ status: 'healthy' as const, version }))

  app.get('/health/live', { ...opts, schema: { tags: ['health'], response: { 200: Health } } }, async () => ({
    status: 'healthy' as const,
    version,
    components: [{ name: 'application', status: 'healthy' as const, message: 'Application is running', latency_ms: null }]
  }))

  /**
   * Turned off on purpose (REDIS_URL=none) is healthy: single-instance is then the chosen mode.
   * Unreachable is degraded. Back after an unreachable start is healthy, but the message says
   * that the rate-limit counters stay in this process until a restart.
   */
  const redisComponent = async (): Promise<ComponentStatus> => {
    const { enabled, readyAtStart } = redisAtStart(app.redis)
    if (!enabled) {
      return { name: 'redis', status: 'healthy', message: 'disabled (REDIS_URL=none): single-instance mode', latency_ms: null }
    }
    const checked = await timed('redis', () => pingRedis(app), 'degraded')
    if (checked.status === 'degraded' && !app.redisCircuit.isOpen) checked.message += '; single-instance mode until it is back'
    if (checked.status === 'healthy' && !readyAtStart) {
      checked.message = 'ok; unreachable at start, so rate-limit counters stay in this process until restart (live events are shared again)'
    }
    return checked
  }

  app.get('/health/ready', {
    ...opts,
    schema: { tags: ['health'], summary: 'healthy | degraded (Redis down) | unhealthy (503: Postgres down)', response: { 200: Health, 503: Health } }
  }, async (_request, reply) => {
    const pool = app.db.$client
    const [database, redis] = await Promise.all([
      timed('database', () => app.db.execute(sql`select 1`), 'unhealthy'),
      redisComponent()
    ])
    const dbPool: ComponentStatus = {
      name: 'db_pool',
      status: pool.waitingCount > 0 ? 'degraded' : 'healthy',
      message: `${pool.totalCount}/${app.config.PG_POOL_MAX} connections, ${pool.idleCount} idle, ${pool.waitingCount} waiting`,
      latency_ms: null
    }
    const components = [database, redis, dbPool]
    const status = database.status === 'unhealthy' ? 'unhealthy' : components.some((c) => c.status !== 'healthy') ? 'degraded' : 'healthy'
    // A 503 says when to look again, like every other 503 of the service (load balancers, clients that retry).
    if (status === 'unhealthy') reply.code(503).header('retry-after', '1')
    return reply.send({ status, version, mode: instanceMode(app.redis), components })
  })
}

export default healthRoutes
