import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { prepareDatabase } from './db/migrate.js'

const config = loadConfig()
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is not set. Point it at a Postgres server, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/eriop')
  process.exit(1)
}
if (config.MIGRATE_ON_START) await prepareDatabase(config.DATABASE_URL)

const app = await buildApp(config)

closeWithGrace({ delay: config.CLOSE_GRACE_DELAY_MS }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'server closing after an error')
  else app.log.info({ signal }, 'server closing')
  // Stops accepting, lets in-flight requests finish, drains the ingest queue, then closes pool and Redis.
  await app.close()
})

await app.listen({ host: config.HOST, port: config.PORT })
