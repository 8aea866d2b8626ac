import type { FastifyBaseLogger } from 'fastify'
import type { StartDatabase } from './database.js'
import { onShutdownSignals, type ShutdownSignals } from './signals.js'

// When the user insists (a later Ctrl+C), the embedded Postgres still gets this long to stop.
const FORCED_STOP_MS = 5000

/** A later Ctrl+C: stop waiting, but do not leave the embedded Postgres behind if it can be helped. */
export async function forceExit (log: FastifyBaseLogger, signal: string, database: StartDatabase, before?: () => void) {
  log.error({ signal }, `${signal} again: exiting without waiting for in-flight work`)
  before?.()
  if (database.embedded) {
    await Promise.race([database.embedded.stop().catch(() => {}), new Promise((resolve) => setTimeout(resolve, FORCED_STOP_MS))])
  }
  process.exit(1)
}

/**
 * Signals can come at any time, start-up included (initdb, seeding). Until a phase says what a
 * stop means (the returned `onStop`), a request is remembered and honoured as soon as it can be;
 * insisting exits.
 */
export function listenForStop (log: FastifyBaseLogger): (handlers: ShutdownSignals) => void {
  let stopRequest: string | undefined
  let stopHandlers: ShutdownSignals | undefined
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
  return (handlers) => {
    stopHandlers = handlers
    if (stopRequest) handlers.shutdown(stopRequest)
  }
}
