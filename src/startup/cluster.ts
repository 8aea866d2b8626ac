import cluster, { type Worker } from 'node:cluster'
import type { FastifyBaseLogger } from 'fastify'

/**
 * WORKERS=N: N processes share the port through node:cluster. The primary does what must happen
 * once (embedded Postgres, migrations, seeding) before forking, serves nothing itself, replaces a
 * worker that crashes, and on SIGINT/SIGTERM asks every worker to close gracefully, then exits
 * after the last one.
 */

export interface WorkerPoolOptions {
  workers: number
  /** Added to each worker's environment (e.g. the embedded Postgres' DATABASE_URL). */
  env: Record<string, string>
  /** How long a worker may take to close before it is killed. */
  graceMs: number
  log: FastifyBaseLogger
  /** Called when workers keep crashing: the pool gives up and the caller should shut down. */
  onGiveUp: (err: Error) => void
}

export interface WorkerPool {
  /** Where the workers listen. */
  address: { address: string, port: number }
  /** Asks every worker to close, kills those still running after graceMs; true when all exited with code 0. */
  stop (): Promise<boolean>
  /** Kills every worker now (the user insisted). */
  kill (): void
}

// A crash now and then is replaced; a crash loop (bad config, port taken) is not.
const RESTART_WINDOW_MS = 60_000
const MAX_RESTARTS_PER_WINDOW = 5
const KILL_MARGIN_MS = 2000

export async function startWorkerPool (opts: WorkerPoolOptions): Promise<WorkerPool> {
  const { log } = opts
  const live = new Set<Worker>()
  const exits = new Map<Worker, Promise<number>>()
  const restarts: number[] = []
  let phase: 'starting' | 'running' | 'stopping' = 'starting'
  let cleanExit = true

  const fork = () => {
    const worker = cluster.fork(opts.env)
    live.add(worker)
    exits.set(worker, new Promise((resolve) => {
      worker.once('exit', (code, signal) => {
        live.delete(worker)
        // Only the exits we asked for count; a crash earlier was already handled (replaced).
        if (phase === 'stopping' && code !== 0) cleanExit = false
        resolve(code ?? 1)
        onExit(worker, code, signal)
      })
    }))
    return worker
  }

  let onExit: (worker: Worker, code: number | null, signal: string | null) => void = () => {}

  const stop = async (): Promise<boolean> => {
    phase = 'stopping'
    const pending = [...exits.values()]
    for (const worker of live) worker.process.kill('SIGTERM')
    const killer = setTimeout(() => {
      for (const worker of live) {
        log.error({ worker: worker.process.pid }, `worker did not close within ${opts.graceMs + KILL_MARGIN_MS} ms: killing it`)
        worker.process.kill('SIGKILL')
      }
    }, opts.graceMs + KILL_MARGIN_MS)
    await Promise.all(pending)
    clearTimeout(killer)
    return cleanExit
  }

  const address = await new Promise<WorkerPool['address']>((resolve, reject) => {
    let listening = 0
    onExit = (worker, code, signal) => {
      if (phase === 'starting') {
        phase = 'stopping'
        stop().finally(() => reject(new Error(`worker ${worker.process.pid} exited (code ${code}, signal ${signal}) before listening; see its log above`)))
      } else if (phase === 'running') {
        const now = Date.now()
        restarts.push(now)
        while (restarts[0] < now - RESTART_WINDOW_MS) restarts.shift()
        if (restarts.length > MAX_RESTARTS_PER_WINDOW) {
          opts.onGiveUp(new Error(`workers crashed ${restarts.length} times within ${RESTART_WINDOW_MS / 1000} s; giving up`))
          return
        }
        log.error({ worker: worker.process.pid, code, signal }, 'worker exited unexpectedly: starting a replacement')
        fork()
      }
    }
    for (let i = 0; i < opts.workers; i++) {
      fork().once('listening', (where) => {
        if (++listening === opts.workers) {
          phase = 'running'
          resolve({ address: where.address, port: where.port })
        }
      })
    }
  })
  log.info({ workers: opts.workers }, `cluster: ${opts.workers} workers listening on port ${address.port}`)
  const kill = () => { for (const worker of live) worker.process.kill('SIGKILL') }
  return { address, stop, kill }
}
