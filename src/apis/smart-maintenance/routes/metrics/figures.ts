import { cpus, freemem, loadavg, totalmem } from 'node:os'
import type { FastifyInstance } from 'fastify'

/** This process and its machine, as the OS reports them now. */
export function systemFigures () {
  const memory = process.memoryUsage()
  const cpu = process.cpuUsage()
  return {
    process: {
      pid: process.pid,
      uptime_seconds: Math.round(process.uptime() * 10) / 10,
      node_version: process.version,
      memory: { rss_bytes: memory.rss, heap_used_bytes: memory.heapUsed, heap_total_bytes: memory.heapTotal, external_bytes: memory.external },
      cpu: { user_seconds: cpu.user / 1e6, system_seconds: cpu.system / 1e6 }
    },
    system: { cpus: cpus().length, load_average: loadavg().map((x) => Math.round(x * 100) / 100), total_memory_bytes: totalmem(), free_memory_bytes: freemem() }
  }
}

interface MetricValue { labels: Partial<Record<string, string | number>>, value: number, metricName?: string }

/**
 * Requests answered since start, per route: count, mean and the 95th percentile estimated as the
 * upper bound of the histogram bucket that holds it (what /metrics' histogram allows).
 */
export async function requestFigures (app: FastifyInstance) {
  const metric = app.metrics.getSingleMetric('http_request_duration_seconds')
  const values = (metric ? (await metric.get()).values : []) as MetricValue[]
  const routes = new Map<string, { count: number, sum: number, errors: number, buckets: Map<number, number> }>()
  const entry = (route: string) => {
    let e = routes.get(route)
    if (!e) routes.set(route, e = { count: 0, sum: 0, errors: 0, buckets: new Map() })
    return e
  }
  for (const v of values) {
    const route = `${v.labels.method} ${v.labels.route}`
    if (v.metricName?.endsWith('_count')) {
      entry(route).count += v.value
      if (Number(v.labels.status_code) >= 500) entry(route).errors += v.value
    } else if (v.metricName?.endsWith('_sum')) {
      entry(route).sum += v.value
    } else if (v.metricName?.endsWith('_bucket') && v.labels.le !== '+Inf' && v.labels.le !== undefined) {
      const buckets = entry(route).buckets
      const le = Number(v.labels.le)
      buckets.set(le, (buckets.get(le) ?? 0) + v.value)
    }
  }
  let total = 0
  let totalErrors = 0
  const byRoute = [...routes].map(([route, e]) => {
    total += e.count
    totalErrors += e.errors
    const wanted = e.count * 0.95
    const p95 = [...e.buckets].sort((a, b) => a[0] - b[0]).find(([, cumulative]) => cumulative >= wanted)?.[0]
    return {
      route,
      requests: e.count,
      server_errors: e.errors,
      mean_ms: e.count ? Math.round(e.sum / e.count * 1e5) / 100 : 0,
      p95_ms_at_most: p95 === undefined ? null : p95 * 1000
    }
  }).sort((a, b) => b.requests - a.requests)
  return { requests_total: total, server_errors_total: totalErrors, routes: byRoute }
}
