import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyContextConfig } from 'fastify'
import { Type } from 'typebox'
import { apiErrors } from '../../schemas/errors.js'
import { checkRedis } from '../health/checks.js'
import { requestFigures, systemFigures } from './figures.js'
import { createStatusRepository } from './repository.js'

const Open = (description: string) => Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description })

/** Figures read live from this process, its connection pool, Postgres and the ingest writer. */
const metricsRoutes: FastifyPluginAsyncTypebox<{ routeConfig: FastifyContextConfig, version: string }> = async (app, { routeConfig, version }) => {
  const repo = createStatusRepository(app.db)
  const pool = app.db.$client

  const poolFigures = () => ({ size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: app.config.PG_POOL_MAX })

  app.get('/metrics/system', {
    config: routeConfig,
    schema: { tags: ['metrics'], summary: 'Process memory and CPU, machine load, connection pool', response: { 200: Open('process, system, database_pool'), ...apiErrors } }
  }, async () => ({ timestamp: new Date().toISOString(), ...systemFigures(), database_pool: poolFigures() }))

  app.get('/metrics/performance', {
    config: routeConfig,
    schema: { tags: ['metrics'], summary: 'Requests since start per route; ingest batching', response: { 200: Open('requests, ingest'), ...apiErrors } }
  }, async () => {
    const writer = app.readingIngest.stats()
    const committed = (await app.metrics.getSingleMetric('ingest_readings_committed_total')?.get())?.values[0]?.value ?? 0
    const histogram = (await app.metrics.getSingleMetric('ingest_batch_size')?.get())?.values as { metricName?: string, value: number }[] | undefined
    const batches = histogram?.find((v) => v.metricName === 'ingest_batch_size_count')?.value ?? 0
    return {
      timestamp: new Date().toISOString(),
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      requests: await requestFigures(app),
      ingest: {
        readings_committed: committed,
        batches,
        mean_batch_size: batches ? Math.round(committed / batches * 10) / 10 : 0,
        queued: writer.queued,
        batches_in_flight: writer.inFlight
      }
    }
  })

  app.get('/status', {
    config: routeConfig,
    schema: { tags: ['metrics'], summary: 'Service status with Postgres\'s own figures', response: { 200: Open('status, database, redis, ingest'), ...apiErrors } }
  }, async () => {
    const [database, redis] = await Promise.all([repo.figures(), checkRedis(app)])
    return {
      status: redis.ok ? 'operational' : 'degraded',
      api: 'smart-maintenance',
      version,
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      database: { status: 'connected', ...database, pool: poolFigures() },
      redis: { status: redis.state, latency_ms: redis.latency_ms },
      ingest: app.readingIngest.stats()
    }
  })
}

export default metricsRoutes
