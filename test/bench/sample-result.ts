// Fixed, deterministic bench results for the pure parts' tests and the report-render test.
import { Histogram } from '../../bench/histogram.js'
import { INGEST_ENDPOINT, personaEndpoints, seededRng, type Endpoint } from '../../bench/personas.js'
import { parsePrometheusText, processView, routeStats } from '../../bench/prometheus.js'
import { reconcile } from '../../bench/reconcile.js'
import { Recorder } from '../../bench/recorder.js'
import { DEFAULT_SLO, errorCheck, latencyChecks, pacedChecks, throughputCheck, verdict } from '../../bench/slo.js'
import type { BenchResult, EndpointStats, PhaseResult } from '../../bench/types.js'

export function endpointStats (overrides: Partial<EndpointStats> = {}): EndpointStats {
  return {
    method: 'POST',
    route: '/api/v1/alerts/ingest',
    label: 'POST /alerts/ingest',
    sent: 1000,
    answered: 1000,
    ok: 1000,
    byStatus: { 201: 1000 },
    noAnswer: 0,
    timeouts: 0,
    latency: { count: 1000, meanMs: 5, p50: 4, p90: 8, p95: 10, p99: 20, p999: 40, maxMs: 50 },
    okPerS: 1000,
    ...overrides
  }
}

/** A minimal phase whose totals are `total`. */
export function phase (overrides: Partial<PhaseResult> = {}, total: Partial<EndpointStats> = {}): PhaseResult {
  const stats = endpointStats(total)
  return {
    name: 'paced 1,000/s',
    kind: 'paced',
    connections: 200,
    targetRate: 1000,
    warmupS: 3,
    durationS: 15,
    startedAt: '2026-01-15T12:00:00.000Z',
    total: { ...stats, label: 'all requests', method: '*', route: '*' },
    endpoints: [stats],
    histogram: new Histogram().toJSON(),
    timeline: [],
    warmup: { sent: 0, ok: 0 },
    inFlightAtStop: 0,
    connectionErrors: {},
    autocannon: { sent: 1000, '2xx': 1000, non2xx: 0, errors: 0, timeouts: 0, latencyP50: 4, latencyP99: 20, latencyMax: 50 },
    loader: { processes: 1, cpu: 0.3, cpuTotal: 0.3, peakCpu: 0.4, elu: 0.35, saturated: false },
    machine: { busy: 0.5 },
    server: { routes: [], total: null, process: { extra: [] } },
    ...overrides
  }
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5]

/** A /metrics histogram for `route` built from latencies (ms), as prom-client would print it. */
function metricsText (entries: { endpoint: Endpoint, status: number, latencies: number[] }[], rssMb: number): string {
  const lines = [`process_resident_memory_bytes ${rssMb * 2 ** 20}`, `ingest_alerts_committed_total ${entries.length ? 9000 : 0}`]
  for (const { endpoint, status, latencies } of entries) {
    const labels = `method="${endpoint.method}",route="${endpoint.route}",status_code="${status}"`
    for (const le of BUCKETS) lines.push(`http_request_duration_seconds_bucket{le="${le}",${labels}} ${latencies.filter((l) => l / 1000 <= le).length}`)
    lines.push(`http_request_duration_seconds_bucket{le="+Inf",${labels}} ${latencies.length}`)
    lines.push(`http_request_duration_seconds_sum{${labels}} ${latencies.reduce((a, b) => a + b, 0) / 1000}`)
    lines.push(`http_request_duration_seconds_count{${labels}} ${latencies.length}`)
  }
  return lines.join('\n')
}

/**
 * Simulates a phase through the real Recorder: `perSecond` requests a second for `seconds`,
 * latency growing over time, a few failures, `endpoints` in turn.
 */
function simulatedPhase (name: string, kind: PhaseResult['kind'], endpoints: Endpoint[], perSecond: number, seconds: number, warmupS: number, seed: number): PhaseResult {
  const rng = seededRng(seed)
  const recorder = new Recorder(0, warmupS * 1000, endpoints)
  const server: Map<string, { endpoint: Endpoint, status: number, latencies: number[] }> = new Map()
  let id = 0
  for (let s = 0; s < seconds; s++) {
    for (let k = 0; k < perSecond; k++) {
      const endpoint = endpoints[(k * 7 + s) % endpoints.length]
      const due = s * 1000 + (k * 1000) / perSecond
      const req = { ...endpoint, path: endpoint.route, ...(endpoint === INGEST_ENDPOINT ? { reqId: `run.0.${id++}` } : {}) }
      recorder.sent(req, due)
      const latency = (1 + rng() * 6) * (1 + s / 4) * (rng() < 0.02 ? 12 : 1)
      if (rng() < 0.002) {
        recorder.noAnswer(req, 'timeout', due, due + 10_000)
        continue
      }
      const status = rng() < 0.004 ? 503 : endpoint.method === 'POST' ? 201 : 200
      recorder.answered(req, status, due, due + latency)
      const key = `${endpoint.method} ${endpoint.route} ${status}`
      if (!server.has(key)) server.set(key, { endpoint, status, latencies: [] })
      server.get(key)!.latencies.push(latency * 0.8)
    }
    recorder.sample(s * 1000 + 1000, { loaderCpu: 0.25 + 0.3 * rng(), serverRssMb: 180 + s * 3, serverCpu: 0.5 + 0.4 * rng() })
  }
  const recorded = recorder.finish(seconds * 1000)
  const before = parsePrometheusText(metricsText([], 180))
  const after = parsePrometheusText(metricsText([...server.values()], 180 + seconds * 3))
  return {
    ...phase({ name, kind, warmupS, durationS: seconds - warmupS, connections: kind === 'personas' ? 1000 : 200, targetRate: kind === 'paced' ? perSecond : null }),
    ...(kind === 'personas' ? { personas: { dispatcher: 300, responder: 500, ingester: 200 } } : {}),
    total: recorded.total,
    endpoints: recorded.endpoints,
    histogram: recorded.histogram.toJSON(),
    timeline: recorded.timeline,
    warmup: recorded.warmup,
    connectionErrors: recorded.connectionErrors,
    inFlightAtStop: 3,
    server: {
      routes: routeStats(before, after),
      total: routeStats(before, after, (l) => endpoints.some((e) => e.route === l.route && e.method === l.method) ? { method: '*', route: '*' } : null)[0] ?? null,
      process: processView(before, after),
      rssMb: { start: 180, end: 180 + seconds * 3, max: 180 + seconds * 3 },
      cpu: 0.72
    }
  }
}

export function sampleResult (scenario: BenchResult['scenario'] = 'ingest'): BenchResult {
  const phases = scenario === 'ingest'
    ? [
        simulatedPhase('paced 1,000/s', 'paced', [INGEST_ENDPOINT], 1000, 18, 3, 1),
        { ...simulatedPhase('max rate (closed loop)', 'closed', [INGEST_ENDPOINT], 4000, 18, 3, 2), loader: { processes: 1, cpu: 0.93, cpuTotal: 0.93, peakCpu: 0.97, elu: 0.96, saturated: true } }
      ]
    : [simulatedPhase('personas × 1,000', 'personas', personaEndpoints(), 400, 40, 10, 3)]
  const checks = scenario === 'ingest'
    ? [...pacedChecks(phases[0], DEFAULT_SLO), throughputCheck(phases[1], DEFAULT_SLO), errorCheck(phases[1], DEFAULT_SLO)]
    : [...latencyChecks(phases[0], DEFAULT_SLO), errorCheck(phases[0], DEFAULT_SLO)]
  const ids = Array.from({ length: 5000 }, (_, i) => `r.${i}`)
  const loss = reconcile({ sent: ids, acked: ids.slice(0, 4990), rejected: ids.slice(4990, 4995) }, { reqIds: [...ids.slice(0, 4990), ...ids.slice(4995, 4998)] })
  return {
    version: 1,
    scenario,
    runId: '20260115-120000-abcd',
    startedAt: '2026-01-15T12:00:00.000Z',
    finishedAt: '2026-01-15T12:00:45.000Z',
    target: { url: 'http://127.0.0.1:45678', spawned: true, serverEnv: { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/eriop_bench', PG_POOL_MAX: '10', RATE_LIMIT_ENABLED: 'false' } },
    settings: { durationS: 15, warmupS: 3, connections: null, rate: 1000, thinkScale: 1 },
    slo: DEFAULT_SLO,
    postgresCommitMs: { medianMs: 0.41, maxMs: 2.3 },
    machine: { hostname: 'bench-box', platform: 'Linux 6.1 x64', cpuModel: 'AMD EPYC', cores: 2, memoryGb: 23.5, node: 'v20.20.2', loadAverage: [1.5, 1.2, 0.9] },
    phases,
    checks,
    loss,
    verdict: verdict(checks, loss, phases),
    notes: ['A fixed sample result for the report test.']
  }
}
