import { Histogram, type HistogramJson } from './histogram.js'
import type { Endpoint, PlannedRequest } from './personas.js'
import type { EndpointStats, TimelinePoint } from './types.js'

/** Answers a well-behaved client sends again (with the same Idempotency-Key): server errors and 429. */
export const isRetryable = (status: number) => status >= 500 || status === 429

export type NoAnswerKind = 'timeout' | 'closed' | 'error'

/** An endpoint's counts while the run goes on: EndpointStats before the latency is summarised. */
type Tally = Pick<EndpointStats, 'sent' | 'answered' | 'ok' | 'byStatus' | 'noAnswer' | 'timeouts'> & {
  endpoint: { method: string, route: string }
  latency: Histogram
}

interface Second {
  ok: number
  failed: number
  latency: Histogram
  /** Unset when no loader process reported this second (one starved of CPU misses its tick). */
  loaderCpu?: number
  serverRssMb?: number
  serverCpu?: number
}

/** A Recorder's state as plain data: what a loader process sends back, to be merged with the others'. */
export interface RecordingJson {
  tallies: (Omit<Tally, 'latency'> & { latency: HistogramJson })[]
  all: HistogramJson
  seconds: (Omit<Second, 'latency'> & { latency: HistogramJson })[]
  warm: { sent: number, ok: number }
  connectionErrors: Record<string, number>
  ledger: Recorder['ledger']
  counts: Recorder['counts']
}

export interface RecordedPhase {
  total: EndpointStats
  endpoints: EndpointStats[]
  histogram: Histogram
  timeline: TimelinePoint[]
  warmup: { sent: number, ok: number }
  connectionErrors: Record<string, number>
}

const API_PREFIX = '/api/v1'
export const endpointLabel = (e: { method: string, route: string }) => `${e.method} ${e.route.startsWith(API_PREFIX) ? e.route.slice(API_PREFIX.length) : e.route}`
const endpointKey = (e: Endpoint) => `${e.method} ${e.route}`

function addCounts (into: Record<string, number>, from: Record<string, number>) {
  for (const [key, n] of Object.entries(from)) into[key] = (into[key] ?? 0) + n
}

type TallyCounts = Omit<Tally, 'endpoint' | 'latency'>

/** Adds an endpoint's counts (not its latency) to another's, or to the total. */
function addTallyCounts (into: TallyCounts, from: TallyCounts) {
  into.sent += from.sent
  into.answered += from.answered
  into.ok += from.ok
  into.noAnswer += from.noAnswer
  into.timeouts += from.timeouts
  addCounts(into.byStatus, from.byStatus)
}

/**
 * Collects every request's outcome of one phase: per endpoint and overall for the measured
 * window (requests due after the warm-up), per second for the charts, and per alert id for the
 * loss check (warm-up included: every alert sent must be accounted for).
 * Times are `performance.now()` milliseconds.
 */
export class Recorder {
  readonly ledger = { sent: [] as string[], acked: [] as string[], rejected: [] as string[] }
  /** Running totals for a progress line (warm-up included). */
  readonly counts = { ok: 0, failed: 0 }
  /**
   * The loader retries (--faults): a 5xx or 429 is then no refusal, as the alert may have been
   * committed before the answer failed (a fault after commit); its outcome is the retry's.
   */
  retrying = false
  private readonly tallies = new Map<string, Tally>()
  private readonly seconds: Second[] = []
  private readonly all = new Histogram()
  private readonly warm = { sent: 0, ok: 0 }
  private readonly connectionErrors: Record<string, number> = {}

  constructor (private readonly startMs: number, private readonly measureFromMs: number, endpoints: Endpoint[] = []) {
    for (const e of endpoints) this.tally(e)
  }

  private tally (e: Endpoint): Tally {
    const key = endpointKey(e)
    let t = this.tallies.get(key)
    if (!t) {
      t = { endpoint: { method: e.method, route: e.route }, sent: 0, answered: 0, ok: 0, byStatus: {}, noAnswer: 0, timeouts: 0, latency: new Histogram() }
      this.tallies.set(key, t)
    }
    return t
  }

  private second (atMs: number): Second {
    const index = Math.max(0, Math.floor((atMs - this.startMs) / 1000))
    while (this.seconds.length <= index) this.seconds.push({ ok: 0, failed: 0, latency: new Histogram() })
    return this.seconds[index]
  }

  private measured (dueMs: number) {
    return dueMs >= this.measureFromMs
  }

  sent (req: PlannedRequest, dueMs: number): void {
    if (req.reqId) this.ledger.sent.push(req.reqId)
    if (this.measured(dueMs)) this.tally(req).sent++
    else this.warm.sent++
  }

  answered (req: PlannedRequest, status: number, dueMs: number, nowMs: number): void {
    const ok = status >= 200 && status < 300
    if (req.reqId) {
      if (ok) this.ledger.acked.push(req.reqId)
      else if (!(this.retrying && isRetryable(status))) this.ledger.rejected.push(req.reqId)
    }
    const latency = nowMs - dueMs
    const second = this.second(nowMs)
    second.latency.record(latency)
    if (ok) second.ok++
    else second.failed++
    if (ok) this.counts.ok++
    else this.counts.failed++
    if (!this.measured(dueMs)) {
      if (ok) this.warm.ok++
      return
    }
    const t = this.tally(req)
    t.answered++
    if (ok) t.ok++
    t.byStatus[status] = (t.byStatus[status] ?? 0) + 1
    t.latency.record(latency)
    this.all.record(latency)
  }

  noAnswer (req: PlannedRequest, kind: NoAnswerKind, dueMs: number, nowMs: number, code?: string): void {
    this.second(nowMs).failed++
    this.counts.failed++
    const label = kind === 'error' ? (code ?? 'error') : kind
    this.connectionErrors[label] = (this.connectionErrors[label] ?? 0) + 1
    if (!this.measured(dueMs)) return
    const t = this.tally(req)
    t.noAnswer++
    if (kind === 'timeout') t.timeouts++
  }

  /** Per-second resource samples for the charts (the loader's own CPU, the server's). */
  sample (nowMs: number, values: { loaderCpu?: number, serverRssMb?: number, serverCpu?: number }): void {
    // A sample taken about k seconds in describes second k (index k − 1), whatever the timer's jitter.
    const s = this.second(this.startMs + (Math.max(1, Math.round((nowMs - this.startMs) / 1000)) - 1) * 1000)
    if (values.loaderCpu !== undefined) s.loaderCpu = values.loaderCpu
    if (values.serverRssMb !== undefined) s.serverRssMb = values.serverRssMb
    if (values.serverCpu !== undefined) s.serverCpu = values.serverCpu
  }

  toJSON (): RecordingJson {
    return {
      tallies: [...this.tallies.values()].map((t) => ({ ...t, latency: t.latency.toJSON() })),
      all: this.all.toJSON(),
      seconds: this.seconds.map((s) => ({ ...s, latency: s.latency.toJSON() })),
      warm: { ...this.warm },
      connectionErrors: { ...this.connectionErrors },
      ledger: this.ledger,
      counts: { ...this.counts }
    }
  }

  /**
   * Adds another loader process's recording of the same phase: counts and histograms add up,
   * seconds line up by index (the processes start together), and a second's loader CPU is the
   * busiest process's, as saturation is a per-process limit.
   */
  absorb (other: RecordingJson): this {
    for (const t of other.tallies) {
      const mine = this.tally(t.endpoint as Endpoint)
      addTallyCounts(mine, t)
      mine.latency.merge(t.latency)
    }
    this.all.merge(other.all)
    other.seconds.forEach((s, index) => {
      const mine = this.second(this.startMs + index * 1000)
      mine.ok += s.ok
      mine.failed += s.failed
      mine.latency.merge(s.latency)
      if (s.loaderCpu !== undefined) mine.loaderCpu = Math.max(mine.loaderCpu ?? 0, s.loaderCpu)
    })
    this.warm.sent += other.warm.sent
    this.warm.ok += other.warm.ok
    addCounts(this.connectionErrors, other.connectionErrors)
    this.ledger.sent.push(...other.ledger.sent)
    this.ledger.acked.push(...other.ledger.acked)
    this.ledger.rejected.push(...other.ledger.rejected)
    this.counts.ok += other.counts.ok
    this.counts.failed += other.counts.failed
    return this
  }

  finish (endMs: number): RecordedPhase {
    const windowS = Math.max(0.001, (endMs - this.measureFromMs) / 1000)
    const stats = (t: Tally, label = endpointLabel(t.endpoint)): EndpointStats => ({
      method: t.endpoint.method,
      route: t.endpoint.route,
      label,
      sent: t.sent,
      answered: t.answered,
      ok: t.ok,
      byStatus: t.byStatus,
      noAnswer: t.noAnswer,
      timeouts: t.timeouts,
      latency: t.latency.summary(),
      okPerS: t.ok / windowS
    })
    const tallies = [...this.tallies.values()]
    const total: Tally = { endpoint: { method: '*', route: '*' }, sent: 0, answered: 0, ok: 0, byStatus: {}, noAnswer: 0, timeouts: 0, latency: this.all }
    for (const t of tallies) addTallyCounts(total, t)
    // The last second is cut short by the stop: its counts would read as a collapse.
    const complete = Math.floor((endMs - this.startMs) / 1000)
    const seconds = complete > 0 ? this.seconds.slice(0, complete) : this.seconds
    const timeline = seconds.map((s, i): TimelinePoint => ({
      t: i + 1,
      ok: s.ok,
      failed: s.failed,
      answered: s.latency.count,
      p50: s.latency.percentile(50),
      p95: s.latency.percentile(95),
      p99: s.latency.percentile(99),
      ...(s.loaderCpu !== undefined ? { loaderCpu: s.loaderCpu } : {}),
      ...(s.serverRssMb !== undefined ? { serverRssMb: s.serverRssMb } : {}),
      ...(s.serverCpu !== undefined ? { serverCpu: s.serverCpu } : {})
    }))
    return {
      total: stats(total, 'all requests'),
      endpoints: tallies.filter((t) => t.sent + t.answered > 0).map((t) => stats(t)),
      histogram: this.all,
      timeline,
      warmup: { ...this.warm },
      connectionErrors: { ...this.connectionErrors }
    }
  }
}
