import closeWithGrace from 'close-with-grace'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { ApiModule } from '../core/api.js'
import { announce } from './announce.js'
import { startWorkerPool, type WorkerPool } from './cluster.js'
import { startDatabase } from './database.js'
import type { ShutdownSignals } from './signals.js'
import { forceExit } from './stop.js'

// Signals are ours (./signals.ts: repeats of one Ctrl+C are not a second request); close-with-grace
// keeps the rest: uncaught errors, the time limit, and the exit code.
export const OWN_SIGNALS: Array<'SIGINT' | 'SIGTERM'> = ['SIGINT', 'SIGTERM']

/** WORKERS > 1: the cluster's primary prepares the database once, then forks the workers that serve. */
export async function servePrimary (config: Config, api: ApiModule, log: FastifyBaseLogger, onStop: (handlers: ShutdownSignals) => void) {
  const database = await startDatabase(config, api, log)
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
  announce(log, config, api, database, pool.address.port)
}
