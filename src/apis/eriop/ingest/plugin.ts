import fp from 'fastify-plugin'
import { Counter, Histogram } from 'prom-client'
import { readGauge } from '../../../core/plugins/metrics.js'
import { createIngestWriter, type IngestWriter, type RejectReason } from '../../../core/ingest/writer.js'

declare module 'fastify' {
  interface FastifyInstance {
    ingest: IngestWriter
  }
}

/**
 * The group-commit writer behind POST /alerts/ingest and /alerts/ingest/batch, its metrics, and
 * the `alert:created` events it publishes after each commit (one per statement, never per alert).
 */
export default fp(async (app) => {
  const { config, metrics } = app

  const committed = new Counter({ name: 'ingest_alerts_committed_total', help: 'Alerts committed by the ingest writer', registers: [metrics] })
  const replayed = new Counter({ name: 'ingest_alerts_replayed_total', help: 'Ingest requests answered with an earlier alert (Idempotency-Key)', registers: [metrics] })
  const rejected = new Counter({
    name: 'ingest_alerts_rejected_total',
    help: 'Alerts refused by the ingest writer, by reason (overloaded, shutting_down, invalid, unavailable, error)',
    labelNames: ['reason'],
    registers: [metrics]
  })
  const batchSize = new Histogram({
    name: 'ingest_batch_size',
    help: 'Alerts per group-commit batch',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
    registers: [metrics]
  })
  const commitSeconds = new Histogram({
    name: 'ingest_commit_duration_seconds',
    help: 'Time to write and commit one batch (including any retry or bisection)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [metrics]
  })
  // Pre-create every reason so a dashboard sees zeros, not missing series.
  const reasons: RejectReason[] = ['overloaded', 'shutting_down', 'invalid', 'unavailable', 'error']
  for (const reason of reasons) rejected.inc({ reason }, 0)

  const writer = createIngestWriter(app.db.$client, {
    maxBatch: config.INGEST_MAX_BATCH,
    maxWaitMs: config.INGEST_MAX_WAIT_MS,
    maxQueue: config.INGEST_MAX_QUEUE,
    maxInFlight: config.INGEST_MAX_IN_FLIGHT
  }, {
    committed (records) {
      committed.inc(records.length)
      app.events.publish('alert:created', records)
    },
    batch (rows, seconds) {
      batchSize.observe(rows)
      commitSeconds.observe(seconds)
    },
    replayed (count) { replayed.inc(count) },
    rejected (reason, count) { rejected.inc({ reason }, count) },
    unexpected (err) { app.log.error({ err }, 'ingest batch failed') }
  })

  readGauge(metrics, 'ingest_queue_depth', 'Alerts waiting for a group-commit batch', () => writer.stats().queued)
  readGauge(metrics, 'ingest_batches_in_flight', 'Group-commit batches being written', () => writer.stats().inFlight)
  readGauge(metrics, 'ingest_alerts_in_flight', 'Alerts in the batches being written', () => writer.stats().inFlightRows)

  app.decorate('ingest', writer)

  // Registered after db, so this runs before the pool ends: everything accepted gets committed.
  app.addHook('onClose', async () => { await writer.drain() })
}, { name: 'ingest', dependencies: ['db', 'events', 'metrics'] })
