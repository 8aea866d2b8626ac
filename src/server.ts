// `npm start`: the only file that listens. Single process, or WORKERS=N processes sharing the port
// (the primary's part is in ./startup/primary.ts, the dev-only embedded Postgres in ./startup/).
import cluster from 'node:cluster'
import closeWithGrace from 'close-with-grace'
import Fastify from 'fastify'
import { loadApi } from './apis/index.js'
import { buildApp, loggerOptions, type App } from './app.js'
import { loadConfig, type Config } from './config.js'
import type { ApiModule } from './core/api.js'
import { buildAdminApp, type AdminApp } from './core/faults/admin.js'
import { announce } from './startup/announce.js'
import { startDatabase } from './startup/database.js'
import { OWN_SIGNALS, servePrimary } from './startup/primary.js'
import { onShutdownSignals, type ShutdownSignals } from './startup/signals.js'
import { forceExit, listenForStop } from './startup/stop.js'

// Node's default (511) overflows when a thousand load-test connections open at once.
const LISTEN_BACKLOG = 4096

async function serveSingle (config: Config, api: ApiModule, onStop: (handlers: ShutdownSignals) => void) {
  const database = await startDatabase(config, api, startupLog)
  let app: App | undefined
  let admin: AdminApp | undefined
  try {
    app = await buildApp({ ...config, DATABASE_URL: database.url })
    const opened = app
    const graceful = closeWithGrace({ delay: config.CLOSE_GRACE_DELAY_MS, logger: opened.log, skip: OWN_SIGNALS }, async ({ err }) => {
      if (err) opened.log.error({ err }, 'server closing after an error')
      try {
        await admin?.close()
        // Stops accepting, lets in-flight requests finish, drains the ingest queue, then closes pool and Redis.
        await opened.close()
      } finally {
        // Last: nothing may still be writing when the embedded Postgres goes away.
        await database.embedded?.stop()
      }
    })
    onStop({
      shutdown: (signal) => {
        opened.log.info({ signal }, 'server closing')
        graceful.close()
      },
      force: (signal) => { forceExit(opened.log, signal, database).catch(() => process.exit(1)) }
    })
    await app.listen({ host: config.HOST, port: config.PORT, backlog: LISTEN_BACKLOG })
    admin = await listenAdmin(app, config)
  } catch (err) {
    await admin?.close().catch(() => {})
    await app?.close().catch(() => {})
    await database.embedded?.stop().catch(() => {})
    throw err
  }
  announce(app.log, config, api, database, (app.server.address() as { port: number }).port)
}

/** The faults admin API on ADMIN_PORT (never the public port; loadConfig refuses it without ADMIN_TOKEN). */
async function listenAdmin (app: App, config: Config): Promise<AdminApp | undefined> {
  if (config.ADMIN_PORT === undefined || !app.faults || !config.ADMIN_TOKEN) return undefined
  const admin = await buildAdminApp(app.faults, { token: config.ADMIN_TOKEN, logger: loggerOptions(config) })
  await admin.listen({ host: config.ADMIN_HOST, port: config.ADMIN_PORT })
  return admin
}

async function serveWorker (config: Config) {
  const app = await buildApp(config)
  const admin: { app?: AdminApp } = {}
  const graceful = closeWithGrace({ delay: config.CLOSE_GRACE_DELAY_MS, logger: app.log, skip: OWN_SIGNALS }, async ({ err }) => {
    if (err) app.log.error({ err }, 'worker closing after an error')
    await admin.app?.close()
    await app.close()
  })
  // No `force`: stopping a worker for good is the primary's call (it kills after CLOSE_GRACE_DELAY_MS).
  onShutdownSignals({
    shutdown: (signal) => {
      app.log.info({ signal }, 'worker closing')
      graceful.close()
    }
  }, { disconnect: true })
  await app.listen({ host: config.HOST, port: config.PORT, backlog: LISTEN_BACKLOG })
  admin.app = await listenAdmin(app, config)
}

let config: Config
try {
  config = loadConfig()
} catch (err) {
  // A wrong setting (an unknown API, say) is one line, not a stack trace.
  process.stderr.write(`eriop-target: cannot start: ${(err as Error).message}\n`)
  process.exit(1)
}
// Logs what happens before (or, in the cluster's primary, instead of) the app, configured like the app's logger.
const startupLog = Fastify({ logger: loggerOptions(config) }).log
if (cluster.isWorker) {
  await serveWorker(config)
} else {
  const onStop = listenForStop(startupLog)
  try {
    const api = await loadApi(config.API)
    if (config.WORKERS > 1) await servePrimary(config, api, startupLog, onStop)
    else await serveSingle(config, api, onStop)
  } catch (err) {
    startupLog.fatal({ err }, `could not start: ${(err as Error).message}`)
    process.exit(1)
  }
}
