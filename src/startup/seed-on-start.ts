import type { FastifyBaseLogger } from 'fastify'
import type { ApiModule } from '../core/api.js'
import { withDatabase } from '../core/db/client.js'

/**
 * Creates the API's load-test fixture (what `npm run seed` creates) when its tables are empty;
 * returns whether it did. A database holding any row of the API is left alone, so a fixture
 * removed on purpose (`npm run seed -- clean`) next to other data does not come back.
 */
export async function seedFixtureIfEmpty (api: ApiModule, url: string, log: FastifyBaseLogger): Promise<boolean> {
  return withDatabase(url, async (db) => {
    if (!await api.fixture.empty(db)) return false
    log.info(`empty database: creating the ${api.name} load-test fixture (as \`npm run seed\` does)`)
    const started = performance.now()
    // A replica starting at the same moment may seed it too: every fixture's seed is idempotent.
    const written = await api.fixture.seed(db)
    log.info({ rows: written, ms: Math.round(performance.now() - started) }, 'load-test fixture created')
    return true
  })
}

/** Whether the API's fixture is in the database, to tell the user how to start a load test. */
export async function hasFixture (api: ApiModule, url: string): Promise<boolean> {
  return withDatabase(url, (db) => api.fixture.present(db)).catch(() => false)
}
