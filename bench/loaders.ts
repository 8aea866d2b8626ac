import { fork, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { LoaderResult, LoaderSecond } from './load.js'
import type { LoaderJob, LoaderUser } from './loader.js'
import { Recorder, type RecordedPhase } from './recorder.js'
import type { PhaseResult } from './types.js'

const ENTRY = fileURLToPath(new URL('./loader-process.ts', import.meta.url))

/** Messages from a loader process to the bench. */
export type LoaderMessage =
  | { type: 'ready' }
  | { type: 'second', second: LoaderSecond }
  | { type: 'done', result: LoaderResult }
  | { type: 'error', message: string }

/** The last second across every loader process, for the progress bar. */
export interface SecondReport {
  elapsedS: number
  totalS: number
  ok: number
  failed: number
  inFlight: number
  /** The busiest loader process's CPU, as a fraction of one core. */
  loaderCpu: number
}

export interface LoadHooks {
  /** Every loader process was told to start, at this wall-clock time (the phase's second 0). */
  onGo? (wallMs: number): void
  /** The warm-up ended and the measured window begins. */
  onMeasureStart? (): void
  /** Once a second; may return the server's resource sample for the charts. */
  onSecond? (report: SecondReport): { serverRssMb?: number, serverCpu?: number } | void
}

export interface PhaseLoad extends RecordedPhase {
  ledger: Recorder['ledger']
  durationS: number
  inFlightAtStop: number
  autocannon: PhaseResult['autocannon']
  loader: Omit<PhaseResult['loader'], 'saturated'>
  machine: { busy: number }
}

/** Connections one loader process is given before the bench adds another (up to one per core). */
export const CONNECTIONS_PER_LOADER = 2500

/** Loader processes for a phase: one per CONNECTIONS_PER_LOADER connections, at most one per core. */
export function defaultLoaders (connections: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.ceil(connections / CONNECTIONS_PER_LOADER)))
}

function cpuTimes () {
  return os.cpus().reduce((acc, cpu) => {
    const t = cpu.times
    acc.busy += t.user + t.nice + t.sys + t.irq
    acc.total += t.user + t.nice + t.sys + t.irq + t.idle
    return acc
  }, { busy: 0, total: 0 })
}

interface Loader {
  child: ChildProcess
  latest: LoaderSecond
  result?: LoaderResult
}

/**
 * Runs one phase on `processes` loader processes (bench/loader-process.ts), each driving every
 * n-th user of `users`, started together; merges what they measured into one recording. The
 * machine's CPU and the server's samples are taken here, in the bench's own process.
 */
export async function runLoaders (job: Omit<LoaderJob, 'users'>, users: LoaderUser[], processes: number, hooks: LoadHooks = {}): Promise<PhaseLoad> {
  const n = Math.max(1, Math.min(processes, users.length))
  const loaders: Loader[] = []
  let fail: (err: Error) => void = () => {}
  const failed = new Promise<never>((_resolve, reject) => { fail = reject })
  failed.catch(() => {})
  let resolveReady = () => {}
  let resolveDone = () => {}
  const allReady = new Promise<void>((resolve) => { resolveReady = resolve })
  const allDone = new Promise<void>((resolve) => { resolveDone = resolve })
  let ready = 0
  let done = 0

  try {
    for (let w = 0; w < n; w++) {
      const child = fork(ENTRY, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      const loader: Loader = { child, latest: { ok: 0, failed: 0, inFlight: 0, loaderCpu: 0 } }
      child.on('message', (message: LoaderMessage) => {
        if (message.type === 'ready') {
          if (++ready === n) resolveReady()
        } else if (message.type === 'second') {
          loader.latest = message.second
        } else if (message.type === 'done') {
          loader.result = message.result
          if (++done === n) resolveDone()
        } else {
          fail(new Error(`a loader process failed: ${message.message}`))
        }
      })
      // The channel closes after its last message arrives ('exit' may come before that): a loader
      // that goes away without its result crashed (its stderr is the bench's).
      child.once('disconnect', () => {
        if (!loader.result) fail(new Error('a loader process went away before it finished'))
      })
      child.once('error', fail)
      loaders.push(loader)
      child.send({ type: 'job', job: { ...job, users: users.filter((_, k) => k % n === w) } })
    }
    await Promise.race([allReady, failed])

    const startMs = performance.now()
    for (const l of loaders) l.child.send({ type: 'go' })
    hooks.onGo?.(Date.now())

    const totalS = job.warmupS + job.durationS
    let machineFrom = job.warmupS > 0 ? null : cpuTimes()
    const warmupTimer = job.warmupS > 0
      ? setTimeout(() => { hooks.onMeasureStart?.(); machineFrom = cpuTimes() }, job.warmupS * 1000)
      : undefined
    if (job.warmupS <= 0) hooks.onMeasureStart?.()
    const serverSamples: { atMs: number, values: { serverRssMb?: number, serverCpu?: number } }[] = []
    let last = { ok: 0, failed: 0 }
    const secondTimer = setInterval(() => {
      const now = performance.now()
      const sum = { ok: 0, failed: 0, inFlight: 0, loaderCpu: 0 }
      for (const { latest } of loaders) {
        sum.ok += latest.ok
        sum.failed += latest.failed
        sum.inFlight += latest.inFlight
        sum.loaderCpu = Math.max(sum.loaderCpu, latest.loaderCpu)
      }
      const values = hooks.onSecond?.({
        elapsedS: Math.round((now - startMs) / 1000), totalS, ok: sum.ok - last.ok, failed: sum.failed - last.failed, inFlight: sum.inFlight, loaderCpu: sum.loaderCpu
      })
      last = sum
      if (values) serverSamples.push({ atMs: now - startMs, values })
    }, 1000)
    try {
      await Promise.race([allDone, failed])
    } finally {
      clearInterval(secondTimer)
      clearTimeout(warmupTimer)
    }
    const machineTo = cpuTimes()
    machineFrom ??= machineTo

    const results = loaders.map((l) => l.result!)
    const recorder = new Recorder(0, job.warmupS * 1000, job.endpoints)
    for (const r of results) recorder.absorb(r.recording)
    for (const s of serverSamples) recorder.sample(s.atMs, s.values)
    const endMs = Math.max(...results.map((r) => r.elapsedMs))
    const machineTotal = machineTo.total - machineFrom.total
    const sum = (pick: (r: LoaderResult) => number) => results.reduce((acc, r) => acc + pick(r), 0)
    const max = (pick: (r: LoaderResult) => number) => Math.max(...results.map(pick))
    return {
      ...recorder.finish(endMs),
      ledger: recorder.ledger,
      durationS: Math.max(0.001, (endMs - job.warmupS * 1000) / 1000),
      inFlightAtStop: sum((r) => r.inFlightAtStop),
      autocannon: {
        sent: sum((r) => r.autocannon.sent),
        '2xx': sum((r) => r.autocannon['2xx']),
        non2xx: sum((r) => r.autocannon.non2xx),
        errors: sum((r) => r.autocannon.errors),
        timeouts: sum((r) => r.autocannon.timeouts),
        latencyP50: max((r) => r.autocannon.latencyP50),
        latencyP99: max((r) => r.autocannon.latencyP99),
        latencyMax: max((r) => r.autocannon.latencyMax)
      },
      loader: {
        processes: n,
        cpu: max((r) => r.loader.cpu),
        cpuTotal: sum((r) => r.loader.cpu),
        peakCpu: max((r) => r.loader.peakCpu),
        elu: max((r) => r.loader.elu)
      },
      machine: { busy: machineTotal > 0 ? (machineTo.busy - machineFrom.busy) / machineTotal : 0 }
    }
  } finally {
    for (const l of loaders) if (l.child.exitCode === null && l.child.signalCode === null) l.child.kill('SIGKILL')
  }
}
