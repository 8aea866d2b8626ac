// The dashboard's performance figures, read from the server's own request metrics (the core's
// `http_request_duration_seconds` histogram on /metrics), over the last minute.
import type { Histogram, Registry } from 'prom-client'

export interface PerformanceFigures {
  p50_latency_ms: number
  p95_latency_ms: number
  p99_latency_ms: number
  error_rate_percent: number
  average_response_time_ms: number
  /** Requests the figures are computed from. */
  requests: number
}

interface Snapshot { at: number, buckets: Map<number, number>, sum: number, count: number, errors: number }

const WINDOW_MS = 60_000
const SNAPSHOT_EVERY_MS = 10_000

/** Only this API's routes count (not /metrics, /health or /docs), as the original logged its API requests. */
const counted = (route: unknown) => typeof route === 'string' && route.startsWith('/api/v1/')

async function snapshot (histogram: Histogram): Promise<Snapshot> {
  const { values } = await histogram.get()
  const buckets = new Map<number, number>()
  let sum = 0
  let count = 0
  let errors = 0
  for (const { metricName, labels, value } of values) {
    if (!counted(labels.route)) continue
    if (metricName?.endsWith('_bucket')) {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le)
      buckets.set(le, (buckets.get(le) ?? 0) + value)
    } else if (metricName?.endsWith('_sum')) {
      sum += value
    } else if (metricName?.endsWith('_count')) {
      count += value
      // As the original's api_request_log: any status from 400 up is an error.
      if (Number(labels.status_code) >= 400) errors += value
    }
  }
  return { at: Date.now(), buckets, sum, count, errors }
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket holding the q-th request. */
export function quantile (q: number, buckets: Map<number, number>, count: number): number {
  if (count <= 0) return 0
  const bounds = [...buckets.keys()].sort((a, b) => a - b)
  const rank = q * count
  let lower = 0
  let below = 0
  for (const le of bounds) {
    const cumulative = buckets.get(le)!
    if (cumulative >= rank) {
      if (le === Infinity) return lower
      const inBucket = cumulative - below
      return inBucket > 0 ? lower + (le - lower) * ((rank - below) / inBucket) : le
    }
    lower = le
    below = cumulative
  }
  return lower
}

const ms = (seconds: number) => Math.round(seconds * 100_000) / 100

/**
 * Keeps a snapshot every 10 s for a minute; the figures are the difference between now and the
 * oldest snapshot of that minute (everything since start during the first minute).
 */
export class RequestPerformance {
  private readonly snapshots: Snapshot[] = []
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly histogram: Histogram) {}

  static fromRegistry (registry: Registry): RequestPerformance {
    const histogram = registry.getSingleMetric('http_request_duration_seconds') as Histogram | undefined
    if (!histogram) throw new Error('the core metrics plugin must be registered before the pggit API')
    return new RequestPerformance(histogram)
  }

  async start () {
    this.snapshots.push(await snapshot(this.histogram))
    this.timer = setInterval(() => {
      snapshot(this.histogram).then((s) => {
        this.snapshots.push(s)
        while (this.snapshots.length > 1 && this.snapshots[1].at <= s.at - WINDOW_MS) this.snapshots.shift()
      }, () => {})
    }, SNAPSHOT_EVERY_MS)
    this.timer.unref()
  }

  stop () { clearInterval(this.timer) }

  async figures (): Promise<PerformanceFigures> {
    const now = await snapshot(this.histogram)
    const base = this.snapshots[0]
    const count = now.count - (base?.count ?? 0)
    const buckets = new Map([...now.buckets].map(([le, n]) => [le, n - (base?.buckets.get(le) ?? 0)]))
    const errors = now.errors - (base?.errors ?? 0)
    const sum = now.sum - (base?.sum ?? 0)
    return {
      p50_latency_ms: ms(quantile(0.5, buckets, count)),
      p95_latency_ms: ms(quantile(0.95, buckets, count)),
      p99_latency_ms: ms(quantile(0.99, buckets, count)),
      error_rate_percent: count ? Math.round((errors / count) * 10_000) / 100 : 0,
      average_response_time_ms: count ? ms(sum / count) : 0,
      requests: count
    }
  }
}
