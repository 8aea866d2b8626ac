import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'drizzle-orm'
import { Type } from 'typebox'
import { redisAtStart } from '../../../../core/plugins/redis.js'
import { Nullable } from '../../schemas/common.js'
import type { PggitServices } from '../../services.js'
import { withCheckTimeout } from '../../../../core/health.js'

const SERVICE = 'pggit-api'
const TABLES = ['webhooks', 'alert_delivery_queue', 'webhook_deliveries', 'simulator_state']

const Basic = Type.Object({ status: Type.String(), service: Type.String(), version: Type.String() })
const Deep = Type.Object({
  status: Type.Enum(['healthy', 'degraded', 'unhealthy']),
  service: Type.String(),
  version: Type.String(),
  database: Type.Object({ status: Type.String(), pool_size: Type.String(), latency_ms: Nullable(Type.Number()), error: Type.Optional(Type.String()) }),
  schema: Type.Object({ status: Type.String(), tables_validated: Type.Integer(), tables_expected: Type.Integer() }),
  cache: Type.Object({ status: Type.String(), enabled: Type.Boolean(), hit_rate: Type.Number(), size: Type.Integer() }),
  connections: Type.Object({ websocket: Type.Integer(), db_pool_total: Type.Integer(), db_pool_idle: Type.Integer(), db_pool_waiting: Type.Integer() })
}, { description: 'unhealthy (503): Postgres or the pggit tables unreachable; degraded (200): Redis away, the cache bypassed' })

/** `/health` (liveness, the original's body), `/health/deep` (the original's deep check), `/health/ready` (the same, for probes). */
const healthRoutes: FastifyPluginAsyncTypebox<{ services: PggitServices, version: string }> = async (app, { services, version }) => {
  const opts = { config: { rateLimit: false }, logLevel: 'warn' as const }

  app.get('/health', { ...opts, schema: { tags: ['Health'], response: { 200: Basic } } }, async () => ({ status: 'healthy', service: SERVICE, version }))

  const deep = async () => {
    const pool = app.db.$client
    const started = performance.now()
    const database = await withCheckTimeout(app.db.execute<{ tables: number }>(sql`
      select count(*)::int as tables from information_schema.tables where table_schema = 'pggit' and table_name in (${sql.join(TABLES.map((t) => sql`${t}`), sql`, `)})`))
      .then((result) => ({ ok: true as const, tables: result.rows[0].tables, latency: Math.round((performance.now() - started) * 100) / 100 }))
      .catch((err: Error) => ({ ok: false as const, error: err.message }))
    const cacheUp = services.cache.enabled && app.redis.status === 'ready'
    const stats = await services.cache.stats()
    const schemaOk = database.ok && database.tables === TABLES.length
    const cacheStatus = !services.cache.enabled ? 'disabled' : cacheUp ? 'healthy' : redisAtStart(app.redis).enabled ? 'unavailable' : 'disabled'
    const status = !database.ok || !schemaOk ? 'unhealthy' as const : cacheStatus === 'unavailable' ? 'degraded' as const : 'healthy' as const
    return {
      status,
      service: SERVICE,
      version,
      database: {
        status: database.ok ? 'healthy' : 'unhealthy',
        pool_size: `${pool.totalCount}/${app.config.PG_POOL_MAX}`,
        latency_ms: database.ok ? database.latency : null,
        ...(database.ok ? {} : { error: database.error })
      },
      schema: { status: schemaOk ? 'healthy' : 'unhealthy', tables_validated: database.ok ? database.tables : 0, tables_expected: TABLES.length },
      cache: { status: cacheStatus, enabled: services.cache.enabled, hit_rate: stats.hit_rate, size: stats.size },
      connections: { websocket: services.sockets(), db_pool_total: pool.totalCount, db_pool_idle: pool.idleCount, db_pool_waiting: pool.waitingCount }
    }
  }

  for (const url of ['/health/deep', '/health/ready']) {
    app.get(url, { ...opts, schema: { tags: ['Health'], response: { 200: Deep, 503: Deep } } }, async (_request, reply) => {
      const body = await deep()
      return reply.code(body.status === 'unhealthy' ? 503 : 200).send(body)
    })
  }
}

export default healthRoutes
