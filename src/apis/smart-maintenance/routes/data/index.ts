import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyContextConfig } from 'fastify'
import { errors } from '../../../../core/errors/index.js'
import { unprocessable } from '../../../../core/ingest/errors.js'
import { ErrorResponse, apiErrors } from '../../schemas/errors.js'
import { IngestAccepted, IngestHeaders, ReadingCreate, RecentParams, RecentQuery, RecentReadings } from '../../schemas/readings.js'
import { readingProblem, toReadingRecord } from '../../ingest/records.js'
import { createReadingsRepository } from './repository.js'

const NOOP_ID = '00000000-0000-7000-8000-000000000000'
const writeErrors = { ...apiErrors, 413: ErrorResponse, 415: ErrorResponse }

/** Sensor readings: ingest (group-committed, durable before the answer) and a sensor's newest readings. */
const dataRoutes: FastifyPluginAsyncTypebox<{ routeConfig: FastifyContextConfig }> = async (app, { routeConfig }) => {
  const repo = createReadingsRepository(app.db)

  app.post('/ingest', {
    config: routeConfig,
    logLevel: 'warn',
    schema: {
      tags: ['data'],
      summary: 'Ingest one sensor reading; answered only once it is committed',
      description: 'Takes the original\'s `SensorReadingCreate` (`value`, `sensor_type`, `unit`, `quality`, …) or the suite\'s ' +
        'multi-feature reading (`temperature`, `pressure`, `vibration`, `humidity`). Concurrent requests share one ' +
        'group-commit INSERT. A retry with the same `Idempotency-Key` and payload is answered `duplicate_ignored` with the ' +
        'first event; the key with another payload is a 422. 503 + `Retry-After` when the queue is full or Postgres is unreachable.',
      headers: IngestHeaders,
      body: ReadingCreate,
      response: { 200: IngestAccepted, ...writeErrors }
    }
  }, async (request, reply) => {
    // The hot path: no logging, no Redis, one await (the commit of this reading's batch).
    const body = request.body
    const problem = readingProblem(body)
    if (problem !== undefined) throw unprocessable([problem])
    const record = toReadingRecord(body, new Date().toISOString(), request.headers['idempotency-key'])
    const replayed = await app.readingIngest.submit(record)
    if (replayed !== undefined) {
      reply.header('idempotent-replayed', 'true')
      return { status: 'duplicate_ignored' as const, event_id: replayed.id, correlation_id: record.correlation_id, sensor_id: record.sensor_id }
    }
    return { status: 'event_published' as const, event_id: record.id, correlation_id: record.correlation_id, sensor_id: record.sensor_id }
  })

  if (app.config.BENCH_NOOP_ROUTE) {
    // The ceiling bench:ingest-ratio compares ingest against: the same checks, validation and
    // reply, and no write.
    app.post('/ingest/noop', {
      config: routeConfig,
      logLevel: 'warn',
      schema: { hide: true, headers: IngestHeaders, body: ReadingCreate, response: { 200: IngestAccepted, ...writeErrors } }
    }, async (request) => {
      const problem = readingProblem(request.body)
      if (problem !== undefined) throw unprocessable([problem])
      return { status: 'event_published' as const, event_id: NOOP_ID, correlation_id: request.body.correlation_id ?? NOOP_ID, sensor_id: request.body.sensor_id }
    })
  }

  app.get('/sensor/:sensor_id/recent', {
    config: routeConfig,
    schema: {
      tags: ['data'],
      summary: 'A sensor\'s newest readings, newest first (at most `limit`)',
      description: '404 for a sensor that is neither registered nor has readings.',
      params: RecentParams,
      querystring: RecentQuery,
      response: { 200: RecentReadings, 404: ErrorResponse, ...apiErrors }
    }
  }, async (request) => {
    const { sensor_id: sensorId } = request.params
    const readings = await repo.recent(sensorId, request.query.limit)
    if (readings.length === 0 && !(await repo.isRegistered(sensorId))) throw new errors.NotFound('Sensor')
    return { sensor_id: sensorId, count: readings.length, readings }
  })
}

export default dataRoutes
