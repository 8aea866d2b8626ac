import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { ApiModule } from '../core/api.js'
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../core/db/embedded.js'
import { ensureDatabase, runMigrations } from '../core/db/migrate.js'
import { hasFixture, seedFixtureIfEmpty } from './seed-on-start.js'

export interface StartDatabase {
  url: string
  /** Set when DATABASE_URL was unset: the embedded Postgres this process started and must stop. */
  embedded?: EmbeddedPostgres
  /** Whether the API's load-test fixture is in the database, to tell the user how to start. */
  fixture: boolean
  seeded: boolean
}

/**
 * Everything `npm start` does to the database before the API listens, once per start (in the
 * cluster's primary, before forking): start the embedded Postgres when DATABASE_URL is unset,
 * create the database, apply the API's migrations, and seed its fixture into empty tables
 * (SEED_ON_START; by default only into the embedded Postgres, never into the user's own).
 */
export async function startDatabase (config: Config, api: ApiModule, log: FastifyBaseLogger): Promise<StartDatabase> {
  const embedded = config.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT, log })
  const url = config.DATABASE_URL || embedded!.url
  try {
    if (config.MIGRATE_ON_START) {
      if (await ensureDatabase(url)) log.info('database created')
      await runMigrations(url, api.migrations)
      log.info('migrations applied')
    } else if (embedded) {
      await ensureDatabase(url)
    }
    const seedOnStart = config.SEED_ON_START ?? Boolean(embedded)
    const seeded = seedOnStart ? await seedFixtureIfEmpty(api, url, log) : false
    return { url, embedded, seeded, fixture: seeded || await hasFixture(api, url) }
  } catch (err) {
    await embedded?.stop().catch(() => {})
    throw err
  }
}
