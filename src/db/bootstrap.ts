import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import type { Config } from '../config.js'
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js'
import { ensureDatabase, runMigrations } from './migrate.js'
import { seedFixtureIfEmpty } from './seed-on-start.js'

export interface StartDatabase {
  url: string
  /** Set when DATABASE_URL was unset: the embedded Postgres this process started and must stop. */
  embedded?: EmbeddedPostgres
  /** Whether the load-test fixture (agency LOADTEST) is in the database, to tell the user how to log in. */
  fixture: boolean
  seeded: boolean
}

async function hasFixture (url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ present: boolean }>(
      "select to_regclass('public.agencies') is not null and exists (select 1 from agencies where code = 'LOADTEST') as present"
    )
    return rows[0].present
  } catch {
    return false
  } finally {
    await client.end()
  }
}

/**
 * Everything `npm start` does to the database before the API listens, once per start (in the
 * cluster's primary, before forking): start the embedded Postgres when DATABASE_URL is unset,
 * create the database, apply migrations, and seed the fixture into an empty database
 * (SEED_ON_START; by default only into the embedded Postgres, never into the user's own).
 */
export async function startDatabase (config: Config, log: FastifyBaseLogger): Promise<StartDatabase> {
  const embedded = config.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log })
  const url = config.DATABASE_URL || embedded!.url
  try {
    if (config.MIGRATE_ON_START) {
      if (await ensureDatabase(url)) log.info('database created')
      await runMigrations(url)
      log.info('migrations applied')
    } else if (embedded) {
      await ensureDatabase(url)
    }
    const seedOnStart = config.SEED_ON_START ?? Boolean(embedded)
    const seeded = seedOnStart ? await seedFixtureIfEmpty(url, log) : false
    return { url, embedded, seeded, fixture: seeded || await hasFixture(url) }
  } catch (err) {
    await embedded?.stop().catch(() => {})
    throw err
  }
}
