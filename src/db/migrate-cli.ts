// `npm run db:migrate`: create the database if needed, apply migrations, exit.
import { loadConfig } from '../config.js'
import { prepareDatabase } from './migrate.js'

const config = loadConfig()
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is not set: nothing to migrate (npm start migrates its embedded Postgres itself)')
  process.exit(1)
}
try {
  await prepareDatabase(config.DATABASE_URL)
  console.log('migrations applied')
} catch (err) {
  console.error(`migration failed (DATABASE_URL=${config.DATABASE_URL}): ${(err as Error).message}`)
  process.exit(1)
}
