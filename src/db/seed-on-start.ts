import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
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
// From src/db/ (npm start, under tsx) and from dist/db/ (the compiled server) alike: ../../seed.
const SEEDER_MODULE = new URL('../../seed/index.js', import.meta.url)
const SEEDER_SOURCE = new URL('../../seed/index.ts', import.meta.url)

/**
 * Under tsx (`npm start`) the `.js` specifier finds the TypeScript source. The compiled server
 * (`node dist/server.js`, the Docker image) has no compiled seeder, and compiling seed/ into dist
 * would move dist/server.js away from the paths it resolves (../package.json, ../../migrations):
 * so it loads the seeder's sources through tsx's API, tsx being a production dependency anyway
 * (`npm run seed` runs on it).
 */
async function loadSeeder (): Promise<Seeder> {
  try {
    return await import(SEEDER_MODULE.href) as Seeder
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !existsSync(fileURLToPath(SEEDER_SOURCE))) throw err
    const { tsImport } = await import('tsx/esm/api')
    return await tsImport(SEEDER_SOURCE.href, import.meta.url) as Seeder
  }
}

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
  const seeder = await loadSeeder()
  // ifMissing: a replica starting at the same moment may have seeded it; the seeder serialises the two.
  const result = await seeder.withDatabase(url, (db) => seeder.seedFixture(db, { ifMissing: true }))
  if (result.skipped) return false
  log.info({ rows: result.written, ms: Math.round(performance.now() - started) }, 'load-test fixture created')
  return true
}
