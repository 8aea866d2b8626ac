import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import type { Database } from './client.js'

/**
 * The part of the seeder's API (seed/index.ts) used at start. The seeder lives outside src/, which
 * `npm run build` compiles on its own (rootDir src), so it is loaded at run time, not imported.
 */
interface Seeder {
  withDatabase<T> (url: string, fn: (db: Database) => Promise<T>): Promise<T>
  seedFixture (db: Database, options: { ifMissing?: boolean }): Promise<{ skipped: boolean, written: Record<string, number> }>
}
const SEEDER_MODULE = new URL('../../seed/index.js', import.meta.url).href

/** Empty: not a single agency, so nothing any user or load test could log in with. */
async function isEmpty (url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ empty: boolean }>('select not exists (select 1 from agencies) as empty')
    return rows[0].empty
  } finally {
    await client.end()
  }
}

/**
 * Creates the standard load-test fixture (agency LOADTEST, what `npm run seed` creates) when the
 * database is empty; returns whether it did. A database with any agency is left alone, so a
 * fixture removed on purpose (`npm run seed -- clean`) next to other data does not come back.
 */
export async function seedFixtureIfEmpty (url: string, log: FastifyBaseLogger): Promise<boolean> {
  if (!await isEmpty(url)) return false
  log.info('empty database: creating the load-test fixture (as `npm run seed` does)')
  const started = performance.now()
  const seeder = await import(SEEDER_MODULE) as Seeder
  // ifMissing: a replica starting at the same moment may have seeded it; the seeder serialises the two.
  const result = await seeder.withDatabase(url, (db) => seeder.seedFixture(db, { ifMissing: true }))
  if (result.skipped) return false
  log.info({ rows: result.written, ms: Math.round(performance.now() - started) }, 'load-test fixture created')
  return true
}
