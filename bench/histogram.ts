/**
 * A small log-bucketed latency histogram: 1 % relative precision from 10 µs to hours, sparse,
 * mergeable and JSON-serialisable, so every phase, endpoint and second of a run can keep one
 * and the report can draw from them later. (autocannon keeps one HDR histogram per run only,
 * without endpoints or time.)
 */

const LOWEST_MS = 0.01
const GROWTH = 1.01
const LOG_GROWTH = Math.log(GROWTH)

export interface HistogramJson {
  /** [bucket index, count] pairs, sorted by index. */
  buckets: [number, number][]
  count: number
  sumMs: number
  minMs: number
  maxMs: number
}

export interface LatencySummary {
  count: number
  meanMs: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
  maxMs: number
}

export function bucketIndex (ms: number): number {
  if (!(ms > LOWEST_MS)) return 0
  return Math.ceil(Math.log(ms / LOWEST_MS) / LOG_GROWTH)
}

/** The largest value a bucket holds: what a percentile reports (conservative, like HDR). */
export function bucketUpperMs (index: number): number {
  return LOWEST_MS * GROWTH ** index
}

export class Histogram {
  private readonly counts = new Map<number, number>()
  count = 0
  sumMs = 0
  minMs = Infinity
  maxMs = 0

  record (ms: number): void {
    const value = ms < 0 || !Number.isFinite(ms) ? 0 : ms
    const index = bucketIndex(value)
    this.counts.set(index, (this.counts.get(index) ?? 0) + 1)
    this.count++
    this.sumMs += value
    if (value < this.minMs) this.minMs = value
    if (value > this.maxMs) this.maxMs = value
  }

  merge (other: Histogram | HistogramJson): this {
    const json = other instanceof Histogram ? other.toJSON() : other
    for (const [index, n] of json.buckets) this.counts.set(index, (this.counts.get(index) ?? 0) + n)
    this.count += json.count
    this.sumMs += json.sumMs
    if (json.count > 0) {
      this.minMs = Math.min(this.minMs, json.minMs)
      this.maxMs = Math.max(this.maxMs, json.maxMs)
    }
    return this
  }

  /** The value below which `p` percent of the recordings fall (0 when empty). */
  percentile (p: number): number {
    if (this.count === 0) return 0
    const rank = Math.max(1, Math.ceil((p / 100) * this.count))
    let seen = 0
    for (const [index, n] of this.sorted()) {
      seen += n
      if (seen >= rank) return Math.min(this.maxMs, Math.max(this.minMs, bucketUpperMs(index)))
    }
    return this.maxMs
  }

  summary (): LatencySummary {
    return {
      count: this.count,
      meanMs: this.count ? this.sumMs / this.count : 0,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      maxMs: this.maxMs
    }
  }

  /** Counts per display bin: `edges` are ascending upper bounds in ms; a last bin takes the rest. */
  bins (edges: number[]): number[] {
    const out = new Array<number>(edges.length + 1).fill(0)
    for (const [index, n] of this.sorted()) {
      const value = bucketUpperMs(index) / Math.sqrt(GROWTH)
      let bin = edges.findIndex((edge) => value <= edge)
      if (bin === -1) bin = edges.length
      out[bin] += n
    }
    return out
  }

  toJSON (): HistogramJson {
    return { buckets: this.sorted(), count: this.count, sumMs: this.sumMs, minMs: this.count ? this.minMs : 0, maxMs: this.maxMs }
  }

  static from (json: HistogramJson): Histogram {
    return new Histogram().merge(json)
  }

  private sorted (): [number, number][] {
    return [...this.counts.entries()].sort((a, b) => a[0] - b[0])
  }
}
