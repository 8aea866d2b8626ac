import fp from 'fastify-plugin'
import { createObservedIngestWriter } from '../../../core/ingest/observed.js'
import type { IngestWriter } from '../../../core/ingest/writer.js'
import type { IngestRecord } from './records.js'
import { alertTarget } from './statements.js'

declare module 'fastify' {
  interface FastifyInstance {
    ingest: IngestWriter<IngestRecord>
  }
}

/**
 * The group-commit writer behind POST /alerts/ingest and /alerts/ingest/batch, its metrics, and
 * the `alert:created` events it publishes after each commit (one per statement, never per alert).
 */
export default fp(async (app) => {
  const writer = createObservedIngestWriter(app, alertTarget, {
    noun: 'alerts',
    committed (records) { app.events.publish('alert:created', records) }
  })
  app.decorate('ingest', writer)
}, { name: 'ingest', dependencies: ['db', 'events', 'metrics'] })
