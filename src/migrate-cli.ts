// `npm run db:migrate`: create the database if needed, apply the selected API's migrations, exit.
import { loadApi } from './apis/index.js'
import { loadConfig } from './config.js'
import { prepareDatabase } from './core/db/migrate.js'

const config = loadConfig()
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is not set: nothing to migrate (npm start migrates its embedded Postgres itself)')
  process.exit(1)
}
try {
  await prepareDatabase(config.DATABASE_URL, (await loadApi(config.API)).migrations)
  console.log(`migrations applied (API ${config.API})`)
} catch (err) {
  console.error(`migration failed (DATABASE_URL=${config.DATABASE_URL}): ${(err as Error).message}`)
  process.exit(1)
}
