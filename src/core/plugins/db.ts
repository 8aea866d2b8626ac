import fp from 'fastify-plugin'
import { createDb, createPool, type Database } from '../db/client.js'
import { CountCache } from '../db/count-cache.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Database
    /** Totals of paginated lists (see CountCache). */
    counts: CountCache
  }
}

export default fp(async (app) => {
  const { config } = app
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required to build the app')
  const pool = createPool(config.DATABASE_URL, {
    max: config.PG_POOL_MAX,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: config.DB_LOCK_TIMEOUT_MS
  })
  app.decorate('db', createDb(pool))
  app.decorate('counts', new CountCache(config.COUNT_REUSE_ROWS))
  // Registered before routes, so Fastify runs this onClose after theirs: the ingest writer drains first.
  app.addHook('onClose', async () => { await pool.end() })
}, { name: 'db', dependencies: ['config'] })
