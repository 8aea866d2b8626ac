/**
 * The server's own view: parse two scrapes of `/metrics` (Prometheus text format), subtract
 * them, and turn the per-route latency histograms into percentiles the way Prometheus'
 * `histogram_quantile` does (linear interpolation inside a bucket).
 */

export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface ServerRouteStats {
  method: string
  route: string
  requests: number
  byStatus: Record<string, number>
  errors: number
  meanMs: number | null
  p50: number | null
  p95: number | null
  p99: number | null
  /** The histogram's bucket bounds, so a reader knows how coarse the percentiles are. */
  bucketBoundsMs: number[]
  /** Requests slower than the largest finite bound: percentiles there read "at least that bound". */
  aboveTopBucket: number
}

export interface Bucket { le: number, count: number }

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

function unescapeLabel (value: string): string {
  return value.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c))
}

function parseValue (text: string): number {
  if (text === '+Inf') return Infinity
  if (text === '-Inf') return -Infinity
  return Number(text)
}

export function parsePrometheusText (text: string): Sample[] {
  const samples: Sample[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (!match) continue
    const value = parseValue(match[3])
    if (Number.isNaN(value) && match[3] !== 'NaN') continue
    const labels: Record<string, string> = {}
    for (const [, key, text] of (match[2] ?? '').matchAll(LABEL)) labels[key] = unescapeLabel(text)
    samples.push({ name: match[1], labels, value })
  }
  return samples
}

/** Prometheus' histogram_quantile over cumulative buckets; null when there is nothing to rank. */
export function histogramQuantile (q: number, buckets: Bucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le)
  if (sorted.length === 0) return null
  const total = sorted[sorted.length - 1].count
  if (!(total > 0)) return null
  const rank = q * total
  let previousBound = 0
  let previousCount = 0
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return previousBound
      if (bucket.count === previousCount) return bucket.le
      return previousBound + (bucket.le - previousBound) * ((rank - previousCount) / (bucket.count - previousCount))
    }
    previousBound = bucket.le
    previousCount = bucket.count
  }
  return previousBound
}

function aboveTop (buckets: Bucket[]): number {
  const finite = buckets.filter((b) => Number.isFinite(b.le)).sort((a, b) => a.le - b.le)
  const total = buckets.find((b) => b.le === Infinity)?.count ?? 0
  return finite.length ? Math.max(0, total - finite[finite.length - 1].count) : 0
}

const key = (labels: Record<string, string>, names: string[]) => names.map((n) => labels[n] ?? '').join('\u0000')

/** after − before for every series of `name` (series that appear only after count from zero). */
export function deltas (before: Sample[], after: Sample[], name: string): Sample[] {
  const previous = new Map<string, number>()
  for (const s of before) if (s.name === name) previous.set(JSON.stringify(s.labels), s.value)
  return after.filter((s) => s.name === name).map((s) => {
    const delta = s.value - (previous.get(JSON.stringify(s.labels)) ?? 0)
    // A counter that went down means the server restarted between the scrapes.
    return { ...s, value: delta < 0 ? s.value : delta }
  })
}

export function metricValue (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value
}

/** The sum over every sample of `name` whose labels include `labels`; undefined when there is none. */
export function metricSum (samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const matching = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0)
}

type Grouping = (labels: Record<string, string>) => { method: string, route: string } | null
const byRoute: Grouping = (labels) => ({ method: labels.method ?? '', route: labels.route ?? '' })

/**
 * Requests, status codes and latency percentiles per (method, route) between two scrapes.
 * `group` can fold routes together (the phase's total) or leave some out (null).
 */
export function routeStats (before: Sample[], after: Sample[], group: Grouping = byRoute, prefix = 'http_request_duration_seconds'): ServerRouteStats[] {
  const routes = new Map<string, ServerRouteStats & { buckets: Map<number, number>, sumS: number }>()
  const idOf = (labels: Record<string, string>) => {
    const g = group(labels)
    return g ? key(g, ['method', 'route']) : null
  }
  const entry = (labels: Record<string, string>) => {
    const g = group(labels)
    if (!g) return null
    const id = key(g, ['method', 'route'])
    let stats = routes.get(id)
    if (!stats) {
      stats = {
        method: g.method,
        route: g.route,
        requests: 0,
        byStatus: {},
        errors: 0,
        meanMs: null,
        p50: null,
        p95: null,
        p99: null,
        bucketBoundsMs: [],
        aboveTopBucket: 0,
        buckets: new Map(),
        sumS: 0
      }
      routes.set(id, stats)
    }
    return stats
  }
  for (const s of deltas(before, after, `${prefix}_count`)) {
    if (s.value === 0) continue
    const stats = entry(s.labels)
    if (!stats) continue
    const status = s.labels.status_code ?? '?'
    stats.requests += s.value
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + s.value
    if (!/^2/.test(status)) stats.errors += s.value
  }
  for (const s of deltas(before, after, `${prefix}_sum`)) {
    const id = idOf(s.labels)
    const stats = id ? routes.get(id) : undefined
    if (stats) stats.sumS += s.value
  }
  for (const s of deltas(before, after, `${prefix}_bucket`)) {
    const id = idOf(s.labels)
    const stats = id ? routes.get(id) : undefined
    if (!stats) continue
    const le = parseValue(s.labels.le ?? '+Inf')
    stats.buckets.set(le, (stats.buckets.get(le) ?? 0) + s.value)
  }
  const out: ServerRouteStats[] = []
  for (const { buckets, sumS, ...stats } of routes.values()) {
    const list = [...buckets.entries()].map(([le, count]) => ({ le, count }))
    const toMs = (q: number) => {
      const seconds = histogramQuantile(q, list)
      return seconds === null ? null : seconds * 1000
    }
    out.push({
      ...stats,
      meanMs: stats.requests ? (sumS / stats.requests) * 1000 : null,
      p50: toMs(0.5),
      p95: toMs(0.95),
      p99: toMs(0.99),
      bucketBoundsMs: list.map((b) => b.le).filter(Number.isFinite).sort((a, b) => a - b).map((le) => le * 1000),
      aboveTopBucket: aboveTop(list)
    })
  }
  return out.sort((a, b) => b.requests - a.requests)
}

export interface ServerProcessView {
  rssBytesBefore?: number
  rssBytesAfter?: number
  cpuSeconds?: number
  eventLoopLagP99Ms?: number
  /** Every `ingest_*` and `db_pool_*` series, before and after, whatever the ingest writer exposes. */
  extra: { name: string, labels: Record<string, string>, before: number | null, after: number }[]
}

export function processView (before: Sample[], after: Sample[]): ServerProcessView {
  const cpu = deltas(before, after, 'process_cpu_seconds_total')[0]?.value
  const lag = metricValue(after, 'nodejs_eventloop_lag_p99_seconds')
  const extra = after
    .filter((s) => /^(ingest_|db_pool_|alerts_)/.test(s.name) && !s.name.endsWith('_bucket'))
    .map((s) => ({
      name: s.name,
      labels: s.labels,
      before: before.find((b) => b.name === s.name && JSON.stringify(b.labels) === JSON.stringify(s.labels))?.value ?? null,
      after: s.value
    }))
  return {
    rssBytesBefore: metricValue(before, 'process_resident_memory_bytes'),
    rssBytesAfter: metricValue(after, 'process_resident_memory_bytes'),
    cpuSeconds: cpu,
    eventLoopLagP99Ms: lag === undefined ? undefined : lag * 1000,
    extra
  }
}

/**
 * What the server has done so far, for telling when it has gone quiet after a phase: requests
 * answered (its own /metrics scrapes left out) and alerts committed.
 */
export function serverActivity (samples: Sample[]): [number, number] {
  let requests = 0
  for (const s of samples) if (s.name === 'http_requests_total' && s.labels.route !== '/metrics') requests += s.value
  return [requests, metricValue(samples, 'ingest_alerts_committed_total') ?? 0]
}
