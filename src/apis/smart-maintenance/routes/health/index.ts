import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { OPEN_ROUTE } from '../../access.js'
import { ErrorResponse } from '../../schemas/errors.js'
import { checkDatabase, checkRedis } from './checks.js'

const Connection = Type.Enum(['connected', 'disconnected'])
const RedisState = Type.Enum(['connected', 'disconnected', 'disabled'])
const Component = Type.Object({
  status: Type.Enum(['healthy', 'unhealthy', 'disabled']),
  latency_ms: Type.Union([Type.Number(), Type.Null()]),
  error: Type.Optional(Type.String())
})

const Health = Type.Object({ status: Type.Enum(['ok', 'degraded']), database: Connection, redis: RedisState })
const DbHealth = Type.Object({ db_status: Type.Literal('connected'), latency_ms: Type.Number() })
const RedisHealth = Type.Object({ status: Type.Enum(['healthy', 'disabled']), redis: RedisState, latency_ms: Type.Union([Type.Number(), Type.Null()]) })
const DetailedHealth = Type.Object({
  status: Type.Enum(['healthy', 'degraded', 'unhealthy']),
  version: Type.String(),
  uptime_seconds: Type.Number(),
  components: Type.Object({
    database: Component,
    redis: Component,
    ingest: Type.Object({ status: Type.Enum(['healthy', 'degraded']), queued: Type.Integer(), batches_in_flight: Type.Integer() })
  })
})

/**
 * The original's health family, outside /api/v1: no key, never limited. /health answers 200 with
 * `degraded` as the original did; /health/db, /health/redis and /health/detailed answer 503 when
 * the part they check is down.
 */
const healthRoutes: FastifyPluginAsyncTypebox<{ version: string }> = async (app, { version }) => {
  const opts = { config: OPEN_ROUTE, logLevel: 'warn' as const }

  app.get('/health', { ...opts, schema: { tags: ['health'], summary: 'ok | degraded (always 200, as the original)', response: { 200: Health } } }, async () => {
    const [database, redis] = await Promise.all([checkDatabase(app), checkRedis(app)])
    return { status: database.ok && redis.ok ? 'ok' as const : 'degraded' as const, database: database.ok ? 'connected' as const : 'disconnected' as const, redis: redis.state }
  })

  // Not in the original: what the image's HEALTHCHECK (live) and the bench and tests (ready) wait
  // for, under the same paths as every API of this target.
  app.get('/health/live', { ...opts, schema: { tags: ['health'], summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }))
  app.get('/health/ready', {
    ...opts,
    schema: { tags: ['health'], summary: 'Ready to serve: Postgres answers (503 when it does not)', response: { 200: Health, 503: Health } }
  }, async (_request, reply) => {
    const [database, redis] = await Promise.all([checkDatabase(app), checkRedis(app)])
    return reply.code(database.ok ? 200 : 503).send({
      status: database.ok && redis.ok ? 'ok' : 'degraded', database: database.ok ? 'connected' : 'disconnected', redis: redis.state
    })
  })

  app.get('/health/db', { ...opts, schema: { tags: ['health'], response: { 200: DbHealth, 503: ErrorResponse } } }, async (_request, reply) => {
    const database = await checkDatabase(app)
    if (!database.ok) {
      return reply.code(503).header('retry-after', '1').send({ detail: `Database connection error: ${database.error}`, code: 'DATABASE_UNAVAILABLE' })
    }
    return { db_status: 'connected' as const, latency_ms: database.latency_ms! }
  })

  app.get('/health/redis', { ...opts, schema: { tags: ['health'], response: { 200: RedisHealth, 503: ErrorResponse } } }, async (_request, reply) => {
    const redis = await checkRedis(app)
    if (!redis.ok) {
      return reply.code(503).header('retry-after', '1').send({ detail: `Redis connection error: ${redis.error}`, code: 'REDIS_UNAVAILABLE' })
    }
    return { status: redis.state === 'disabled' ? 'disabled' as const : 'healthy' as const, redis: redis.state, latency_ms: redis.latency_ms }
  })

  app.get('/health/detailed', {
    ...opts,
    schema: { tags: ['health'], summary: 'healthy | degraded (Redis down, ingest queue backed up) | unhealthy (503: Postgres down)', response: { 200: DetailedHealth, 503: DetailedHealth } }
  }, async (_request, reply) => {
    const [database, redis] = await Promise.all([checkDatabase(app), checkRedis(app)])
    const writer = app.readingIngest.stats()
    const backedUp = writer.queued >= app.config.INGEST_MAX_QUEUE / 2
    const status = !database.ok ? 'unhealthy' as const : !redis.ok || backedUp ? 'degraded' as const : 'healthy' as const
    return reply.code(status === 'unhealthy' ? 503 : 200).send({
      status,
      version,
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      components: {
        database: { status: database.ok ? 'healthy' : 'unhealthy', latency_ms: database.latency_ms, ...(database.error ? { error: database.error } : {}) },
        redis: { status: redis.state === 'disabled' ? 'disabled' : redis.ok ? 'healthy' : 'unhealthy', latency_ms: redis.latency_ms, ...(redis.error ? { error: redis.error } : {}) },
        ingest: { status: backedUp ? 'degraded' : 'healthy', queued: writer.queued, batches_in_flight: writer.inFlight }
      }
    })
  })
}

export default healthRoutes
