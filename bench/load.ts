import { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import type { Pacer } from './pacing.js'
import type { Endpoint, PlannedRequest } from './personas.js'
import { Recorder, type RecordingJson } from './recorder.js'
import type { PhaseResult } from './types.js'

/** What one connection does: its credentials, its requests, its pacing. */
export interface ConnectionDriver {
  headers: Record<string, string>
  pacer: Pacer
  /** The next request to send. */
  next (): PlannedRequest
  /** Sees each answer; returns true when the next request belongs to the same task (no think time). */
  observe (status: number, body: string): boolean
  /** The request got no answer (timeout, connection error). */
  abandon (): void
}

export interface PhasePlan {
  origin: string
  connections: number
  warmupS: number
  durationS: number
  timeoutS: number
  /** Open connection i at this offset from the start (a gradual ramp), in ms. */
  connectAtMs?: (index: number) => number
  endpoints: Endpoint[]
  makeDriver (index: number, startMs: number): ConnectionDriver
  /** Called once a second with the figures so far (for the progress bar). */
  onSecond? (report: LoaderSecond): void
  /** The drivers retry failed ingests (--faults): 5xx and 429 are then no refusals in the ledger. */
  retry?: boolean
}

/** A loader process's running totals, sent once a second. */
export interface LoaderSecond {
  ok: number
  failed: number
  inFlight: number
  /** This process's CPU over the last second, as a fraction of one core. */
  loaderCpu: number
}

/** What one loader process measured in one phase, as plain data (it crosses a process boundary). */
export interface LoaderResult {
  recording: RecordingJson
  /** From the start of the phase to the loader's stop. */
  elapsedMs: number
  inFlightAtStop: number
  autocannon: PhaseResult['autocannon']
  loader: { cpu: number, peakCpu: number, elu: number }
}

/** The parts of autocannon's (untyped) HTTP client the bench hooks into; see node_modules/autocannon/lib/httpClient.js. */
interface ClientInternals {
  _doRequest (): void
  _connect (): void
  getRequestBuffer (): Buffer
  setRequests (requests: autocannon.Request[]): void
  on (event: 'connError', listener: (err: NodeJS.ErrnoException) => void): void
  on (event: 'done', listener: () => void): void
  timeoutTicker: { reschedule (ms: number): void }
  timeout: number
  destroyed: boolean
  conn?: Socket
}

interface Flight { req: PlannedRequest, dueMs: number, sentMs: number }

/** After a connection error, wait at least this long before the next try (no reconnect storm). */
const ERROR_BACKOFF_MS = 100

/**
 * One autocannon run whose clients are driven by `plan`: each client is one connection with
 * its own pacing and request source (autocannon sends; the bench decides what and when). Every
 * outcome goes to a Recorder; the loader's own CPU is measured over the measured window.
 */
export async function runPhase (plan: PhasePlan): Promise<LoaderResult> {
  const startMs = performance.now()
  const measureFromMs = startMs + plan.warmupS * 1000
  const recorder = new Recorder(startMs, measureFromMs, plan.endpoints)
  recorder.retrying = plan.retry ?? false
  const flights = new Map<number, Flight>()
  const timers = new Set<NodeJS.Timeout>()
  const timeoutMs = plan.timeoutS * 1000
  let stopped = false
  let nextIndex = 0

  const setupClient = (raw: autocannon.Client) => {
    const client = raw as unknown as ClientInternals
    const index = nextIndex++
    const driver = plan.makeDriver(index, startMs)
    // Set by setupRequest, which autocannon calls for the first request inside setRequests below.
    let planned: PlannedRequest = undefined as unknown as PlannedRequest
    let pendingTimer: NodeJS.Timeout | undefined
    let backoffUntil = 0

    const schedule = (delayMs: number, fn: () => void) => {
      // The request timeout must not run through a think time.
      client.timeoutTicker.reschedule(delayMs + client.timeout)
      pendingTimer = setTimeout(() => {
        timers.delete(pendingTimer!)
        pendingTimer = undefined
        if (!client.destroyed && !stopped) fn()
      }, delayMs)
      timers.add(pendingTimer)
    }

    client.setRequests([{
      setupRequest: (request) => {
        planned = driver.next()
        const headers: Record<string, string> = { ...driver.headers }
        if (planned.body !== undefined) headers['content-type'] = 'application/json'
        if (planned.idempotencyKey) headers['idempotency-key'] = planned.idempotencyKey
        if (planned.faultKey) headers['x-fault-key'] = planned.faultKey
        return { ...request, method: planned.method, path: planned.path, headers, body: planned.body ?? '' }
      },
      onResponse: (status, body) => {
        const now = performance.now()
        const flight = flights.get(index)
        if (!flight) return
        flights.delete(index)
        recorder.answered(flight.req, status, flight.dueMs, now)
        driver.pacer.onAnswer(now, driver.observe(status, body))
      }
    }])

    const lose = (kind: 'timeout' | 'closed' | 'error', now: number, code?: string) => {
      const flight = flights.get(index)
      if (!flight) return
      flights.delete(index)
      recorder.noAnswer(flight.req, kind, flight.dueMs, now, code)
      driver.abandon()
      driver.pacer.onNoAnswer(now)
    }

    const buildBuffer = client.getRequestBuffer.bind(client)
    client.getRequestBuffer = () => {
      const now = performance.now()
      // Still waiting for the previous answer: the connection was dropped or timed out under it.
      const previous = flights.get(index)
      if (previous) lose(now - previous.sentMs >= timeoutMs - 50 ? 'timeout' : 'closed', now)
      const dueMs = driver.pacer.onSent(now)
      flights.set(index, { req: planned, dueMs, sentMs: now })
      recorder.sent(planned, dueMs)
      return buildBuffer()
    }

    client.on('connError', (err) => {
      const now = performance.now()
      backoffUntil = now + ERROR_BACKOFF_MS
      lose('error', now, err.code ?? err.message)
    })

    const send = client._doRequest.bind(client)
    client._doRequest = () => {
      if (client.destroyed || stopped || pendingTimer) return
      const now = performance.now()
      const delay = Math.max(driver.pacer.delayMs(now), backoffUntil - now)
      if (delay < 0.5) send()
      else schedule(delay, send)
    }

    const offset = plan.connectAtMs?.(index) ?? 0
    if (offset > 0) {
      const connect = client._connect.bind(client)
      let opened = false
      client._connect = () => {
        if (opened) return connect()
        opened = true
        // A closed placeholder, so a client destroyed before its turn has something to destroy.
        client.conn = new Socket()
        schedule(offset, connect)
      }
    }
  }

  let lastCpu = process.cpuUsage()
  let lastTick = performance.now()
  let peakCpu = 0
  let measureCpu: NodeJS.CpuUsage | undefined
  let measureElu: ReturnType<typeof performance.eventLoopUtilization> | undefined
  const totalS = plan.warmupS + plan.durationS

  const markMeasureStart = () => {
    measureCpu = process.cpuUsage()
    measureElu = performance.eventLoopUtilization()
  }
  if (plan.warmupS <= 0) markMeasureStart()
  const warmupTimer = plan.warmupS > 0 ? setTimeout(markMeasureStart, plan.warmupS * 1000) : undefined

  const secondTimer = setInterval(() => {
    const now = performance.now()
    const cpu = process.cpuUsage(lastCpu)
    const loaderCpu = (cpu.user + cpu.system) / 1000 / (now - lastTick)
    lastCpu = process.cpuUsage()
    lastTick = now
    if (measureCpu) peakCpu = Math.max(peakCpu, loaderCpu)
    recorder.sample(now, { loaderCpu })
    plan.onSecond?.({ ...recorder.counts, inFlight: flights.size, loaderCpu })
  }, 1000)

  let result: autocannon.Result
  try {
    result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon({
        url: plan.origin,
        connections: plan.connections,
        duration: totalS,
        timeout: plan.timeoutS,
        pipelining: 1,
        setupClient
      }, (err, res) => {
        stopped = true
        if (err) reject(err)
        else resolve(res)
      })
    })
  } finally {
    stopped = true
    clearInterval(secondTimer)
    clearTimeout(warmupTimer)
    for (const timer of timers) clearTimeout(timer)
  }

  const endMs = performance.now()
  measureCpu ??= process.cpuUsage()
  measureElu ??= performance.eventLoopUtilization()
  const cpu = process.cpuUsage(measureCpu)
  const elu = performance.eventLoopUtilization(measureElu)
  const windowMs = Math.max(1, endMs - measureFromMs)

  return {
    recording: recorder.toJSON(),
    elapsedMs: endMs - startMs,
    inFlightAtStop: flights.size,
    autocannon: {
      sent: result.requests.sent,
      '2xx': result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
      latencyMax: result.latency.max
    },
    loader: { cpu: (cpu.user + cpu.system) / 1000 / windowMs, peakCpu, elu: elu.utilization }
  }
}
