import { Histogram } from './histogram.js'
import type { Endpoint, PlannedRequest } from './personas.js'
import type { EndpointStats, TimelinePoint } from './types.js'

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
  loaderCpu: number
  serverRssMb?: number
  serverCpu?: number
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
    while (this.seconds.length <= index) this.seconds.push({ ok: 0, failed: 0, latency: new Histogram(), loaderCpu: 0 })
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
    if (req.reqId) (ok ? this.ledger.acked : this.ledger.rejected).push(req.reqId)
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

  /** Per-second resource samples for the charts. */
  sample (nowMs: number, values: { loaderCpu: number, serverRssMb?: number, serverCpu?: number }): void {
    const s = this.second(nowMs - 1)
    s.loaderCpu = values.loaderCpu
    if (values.serverRssMb !== undefined) s.serverRssMb = values.serverRssMb
    if (values.serverCpu !== undefined) s.serverCpu = values.serverCpu
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
    for (const t of tallies) {
      total.sent += t.sent
      total.answered += t.answered
      total.ok += t.ok
      total.noAnswer += t.noAnswer
      total.timeouts += t.timeouts
      for (const [code, n] of Object.entries(t.byStatus)) total.byStatus[code] = (total.byStatus[code] ?? 0) + n
    }
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
      loaderCpu: s.loaderCpu,
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
