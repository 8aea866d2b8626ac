import fp from 'fastify-plugin'
import { createObservedIngestWriter } from '../../../core/ingest/observed.js'
import type { IngestWriter } from '../../../core/ingest/writer.js'
import type { ReadingRecord } from './records.js'
import { readingTarget } from './statements.js'

declare module 'fastify' {
  interface FastifyInstance {
    readingIngest: IngestWriter<ReadingRecord>
  }
}

/** The group-commit writer behind POST /api/v1/data/ingest, with its `ingest_readings_*` metrics. */
export default fp(async (app) => {
  app.decorate('readingIngest', createObservedIngestWriter(app, readingTarget, { noun: 'readings' }))
}, { name: 'smart-maintenance-ingest', dependencies: ['db', 'metrics'] })
