// `npm start`: the only file that listens. Single process, or WORKERS=N processes sharing the port.
import cluster from 'node:cluster'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import closeWithGrace from 'close-with-grace'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { buildApp, loggerOptions, type App } from './app.js'
import { startWorkerPool, type WorkerPool } from './cluster.js'
import { loadConfig, type Config } from './config.js'
import { startDatabase, type StartDatabase } from './db/bootstrap.js'
import { onShutdownSignals, type ShutdownSignals } from './signals.js'

// Node's default (511) overflows when a thousand load-test connections open at once.
const LISTEN_BACKLOG = 4096

const FIXTURE_LOGIN = { email: 'dispatcher1@test.eriop.local', password: 'TestPass123456!' }
const LOCUSTFILE = fileURLToPath(new URL('../loadtest/locustfile.py', import.meta.url))
// Signals are ours (src/signals.ts: repeats of one Ctrl+C are not a second request); close-with-grace
// keeps the rest: uncaught errors, the time limit, and the exit code.
const OWN_SIGNALS: Array<'SIGINT' | 'SIGTERM'> = ['SIGINT', 'SIGTERM']
// When the user insists (a later Ctrl+C), the embedded Postgres still gets this long to stop.
const FORCED_STOP_MS = 5000

/** Logs what happens before (or, in the cluster's primary, instead of) the app: configured like the app's logger. */
function startupLogger (config: Config): FastifyBaseLogger {
  return Fastify({ logger: loggerOptions(config) }).log
}

function publicUrl (host: string, port: number): string {
  const shown = ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `http://${shown}:${port}`
}

/** What a newcomer needs once the server is up: where it is, how to log in, how to aim Locust at it. */
function announce (log: FastifyBaseLogger, config: Config, database: StartDatabase, port: number) {
  const base = publicUrl(config.HOST, port)
  log.info({ url: base, workers: config.WORKERS }, `eriop-target ready on ${base} (API docs ${base}/docs, health ${base}/health/ready)`)
  if (database.embedded) {
    log.info({ psql: database.url }, `database: embedded Postgres on 127.0.0.1:${database.embedded.port}, files in ${database.embedded.pgdata}`)
  }
  if (database.fixture) {
    const locustfile = existsSync(LOCUSTFILE) ? 'loadtest/locustfile.py' : '<your locustfile.py>'
    log.info(`log in: curl -s -X POST ${base}/api/v1/auth/login -H 'content-type: application/json' -d '${JSON.stringify(FIXTURE_LOGIN)}'`)
    log.info(`Locust: locust -f ${locustfile} --host ${base} (fixture users dispatcher1..100, responder1..200, alertsystem1..50 @test.eriop.local, password ${FIXTURE_LOGIN.password})`)
  } else {
    log.info(`no load-test fixture in this database: create it with \`DATABASE_URL='${database.url}' npm run seed\`, then log in as ${FIXTURE_LOGIN.email}`)
  }
}

/** A later Ctrl+C: stop waiting, but do not leave the embedded Postgres behind if it can be helped. */
async function forceExit (log: FastifyBaseLogger, signal: string, database: StartDatabase, before?: () => void) {
  log.error({ signal }, `${signal} again: exiting without waiting for in-flight work`)
  before?.()
  if (database.embedded) {
    await Promise.race([database.embedded.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, FORCED_STOP_MS))])
  }
  process.exit(1)
}

async function serveSingle (config: Config, log: FastifyBaseLogger) {
  const database = await startDatabase(config, log)
  let app: App | undefined
  try {
    app = await buildApp({ ...config, DATABASE_URL: database.url })
    const opened = app
    const graceful = closeWithGrace({ delay: config.CLOSE_GRACE_DELAY_MS, logger: opened.log, skip: OWN_SIGNALS }, async ({ err }) => {
      if (err) opened.log.error({ err }, 'server closing after an error')
      try {
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
  } catch (err) {
    await app?.close().catch(() => {})
    await database.embedded?.stop().catch(() => {})
    throw err
  }
  announce(app.log, config, database, (app.server.address() as { port: number }).port)
}

async function servePrimary (config: Config, log: FastifyBaseLogger) {
  const database = await startDatabase(config, log)
  let pool: WorkerPool | undefined
  let failure: Error | undefined
  const graceful = closeWithGrace({ delay: config.CLOSE_GRACE_DELAY_MS + 15_000, logger: log, skip: OWN_SIGNALS }, async ({ err }) => {
    if (err ?? failure) log.error({ err: err ?? failure }, 'cluster closing after an error')
    try {
      const clean = pool ? await pool.stop() : true
      if (!clean && !err) throw new Error('a worker did not close cleanly')
    } finally {
      await database.embedded?.stop()
    }
    if (failure) throw failure
  })
  onStop({
    shutdown: (signal) => {
      log.info({ signal }, 'cluster closing: asking every worker to close')
      graceful.close()
    },
    force: (signal) => { forceExit(log, signal, database, () => pool?.kill()).catch(() => process.exit(1)) }
  })
  try {
    pool = await startWorkerPool({
      workers: config.WORKERS,
      // Workers connect to the same database; what had to happen once has happened.
      env: { DATABASE_URL: database.url, MIGRATE_ON_START: 'false', SEED_ON_START: 'false' },
      graceMs: config.CLOSE_GRACE_DELAY_MS,
      log,
      onGiveUp: (err) => {
        failure = err
        graceful.close()
      }
    })
  } catch (err) {
    graceful.uninstall()
    await database.embedded?.stop().catch(() => {})
    throw err
  }
  announce(log, config, database, pool.address.port)
}

async function serveWorker (config: Config) {
  const app = await buildApp(config)
  const graceful = closeWithGrace({ delay: config.CLOSE_GRACE_DELAY_MS, logger: app.log, skip: OWN_SIGNALS }, async ({ err }) => {
    if (err) app.log.error({ err }, 'worker closing after an error')
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
}

/**
 * Signals can come at any time, startup included (initdb, seeding). Until a phase says what a stop
 * means (onStop), a request is remembered and honoured as soon as it can be; insisting exits.
 */
let stopRequest: string | undefined
let stopHandlers: ShutdownSignals | undefined
function onStop (handlers: ShutdownSignals) {
  stopHandlers = handlers
  if (stopRequest) handlers.shutdown(stopRequest)
}

const config = loadConfig()
if (cluster.isWorker) {
  await serveWorker(config)
} else {
  const log = startupLogger(config)
  onShutdownSignals({
    shutdown: (signal) => {
      stopRequest = signal
      if (stopHandlers) stopHandlers.shutdown(signal)
      else log.info({ signal }, 'stop requested while starting: stopping once this step is done')
    },
    force: (signal) => {
      if (stopHandlers?.force) return stopHandlers.force(signal)
      log.error({ signal }, `${signal} again while starting: exiting now (a started embedded Postgres is stopped at the next start)`)
      process.exit(1)
    }
  })
  try {
    if (config.WORKERS > 1) await servePrimary(config, log)
    else await serveSingle(config, log)
  } catch (err) {
    log.fatal({ err }, `could not start: ${(err as Error).message}`)
    process.exit(1)
  }
}
