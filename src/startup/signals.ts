// How SIGINT and SIGTERM become a graceful shutdown, for the server, the cluster's primary and its workers.

/**
 * Repeats of one stop request: a Ctrl+C reaches every process of the terminal's group, and npm,
 * tsx and the cluster's primary relay it as well, so the server sees the same request two or three
 * times within milliseconds. Taking the second for "stop now" would skip the graceful close and
 * leave the embedded Postgres running.
 */
const SAME_REQUEST_MS = 1500

export interface ShutdownSignals {
  /** The first SIGINT or SIGTERM (or, in a cluster worker, the primary going away). */
  shutdown (signal: string): void
  /** A signal well after the first one: the user insists. Unset: later signals are ignored too. */
  force?: (signal: string) => void
}

export function onShutdownSignals (handlers: ShutdownSignals, opts: { disconnect?: boolean } = {}): void {
  let firstAt: number | undefined
  const onSignal = (signal: string) => {
    if (firstAt === undefined) {
      firstAt = Date.now()
      handlers.shutdown(signal)
    } else if (handlers.force && Date.now() - firstAt > SAME_REQUEST_MS) {
      handlers.force(signal)
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  if (opts.disconnect) process.on('disconnect', () => onSignal('disconnect'))
}
