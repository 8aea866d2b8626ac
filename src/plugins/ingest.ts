import fp from 'fastify-plugin'
import { createIngestWriter, type IngestWriter } from '../ingest/writer.js'

declare module 'fastify' {
  interface FastifyInstance {
    ingest: IngestWriter
  }
}

export default fp(async (app) => {
  const writer = createIngestWriter(app.db)
  app.decorate('ingest', writer)
  // Registered after db, so this runs before the pool ends: everything accepted gets committed.
  app.addHook('onClose', async () => { await writer.drain() })
}, { name: 'ingest', dependencies: ['db'] })
