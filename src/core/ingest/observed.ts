import type { FastifyInstance } from 'fastify'
import { Counter, Histogram } from 'prom-client'
import { readGauge } from '../plugins/metrics.js'
import type { IngestTarget } from './target.js'
import { createIngestWriter, type IngestWriter, type RejectReason } from './writer.js'

export interface ObservedWriterOptions<R> {
  /** What the records are called in metric names and help texts (`alerts`, `readings`). */
  noun: string
  /** After each statement commits, once its requests are answered (events, say). */
  committed? (records: R[]): void
}

/**
 * An API's group-commit writer, with its Prometheus metrics (`ingest_<noun>_committed_total`,
 * batch sizes, commit times, queue depth, …) and drained before the pool ends. Call it from a
 * plugin registered after db and metrics: its onClose then runs before the pool's.
 */
export function createObservedIngestWriter<R> (app: FastifyInstance, target: IngestTarget<R>, options: ObservedWriterOptions<R>): IngestWriter<R> {
  const { config, metrics } = app
  const { noun } = options

  const committed = new Counter({ name: `ingest_${noun}_committed_total`, help: `${cap(noun)} committed by the ingest writer`, registers: [metrics] })
  const replayed = new Counter({ name: `ingest_${noun}_replayed_total`, help: `Ingest requests answered with earlier ${noun} (Idempotency-Key)`, registers: [metrics] })
  const rejected = new Counter({
    name: `ingest_${noun}_rejected_total`,
    help: `${cap(noun)} refused by the ingest writer, by reason (overloaded, shutting_down, invalid, unavailable, error)`,
    labelNames: ['reason'],
    registers: [metrics]
  })
  const batchSize = new Histogram({
    name: 'ingest_batch_size',
    help: `${cap(noun)} per group-commit batch`,
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

  const writer = createIngestWriter(app.db.$client, target, {
    maxBatch: config.INGEST_MAX_BATCH,
    maxWaitMs: config.INGEST_MAX_WAIT_MS,
    maxQueue: config.INGEST_MAX_QUEUE,
    maxInFlight: config.INGEST_MAX_IN_FLIGHT
  }, {
    committed (records) {
      committed.inc(records.length)
      options.committed?.(records)
    },
    batch (rows, seconds) {
      batchSize.observe(rows)
      commitSeconds.observe(seconds)
    },
    replayed (count) { replayed.inc(count) },
    rejected (reason, count) { rejected.inc({ reason }, count) },
    unexpected (err) { app.log.error({ err }, 'ingest batch failed') }
  })

  readGauge(metrics, 'ingest_queue_depth', `${cap(noun)} waiting for a group-commit batch`, () => writer.stats().queued)
  readGauge(metrics, 'ingest_batches_in_flight', 'Group-commit batches being written', () => writer.stats().inFlight)
  readGauge(metrics, `ingest_${noun}_in_flight`, `${cap(noun)} in the batches being written`, () => writer.stats().inFlightRows)

  // Registered after db, so this runs before the pool ends: everything accepted gets committed.
  app.addHook('onClose', async () => { await writer.drain() })
  return writer
}

function cap (word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}
