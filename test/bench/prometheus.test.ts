import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deltas, histogramQuantile, metricValue, parsePrometheusText, processView, routeStats, serverActivity } from '../../bench/prometheus.js'

const BUCKETS = ['0.001', '0.005', '0.01', '0.05', '0.1', '0.5', '+Inf']

function scrape (routes: Record<string, { status: string, counts: number[], sum: number }>, extra = '') {
  const lines = ['# HELP http_request_duration_seconds Time', '# TYPE http_request_duration_seconds histogram']
  for (const [key, r] of Object.entries(routes)) {
    const [method, route] = key.split(' ')
    const labels = `method="${method}",route="${route}",status_code="${r.status}"`
    let cumulative = 0
    BUCKETS.forEach((le, i) => {
      cumulative += r.counts[i]
      lines.push(`http_request_duration_seconds_bucket{le="${le}",${labels}} ${cumulative}`)
    })
    lines.push(`http_request_duration_seconds_sum{${labels}} ${r.sum}`, `http_request_duration_seconds_count{${labels}} ${cumulative}`)
  }
  return parsePrometheusText(lines.join('\n') + '\n' + extra)
}

test('parses names, labels (with escapes), values and +Inf; skips comments', () => {
  const samples = parsePrometheusText([
    '# HELP x help',
    'process_resident_memory_bytes 123456789',
    'odd{path="a \\"quoted\\" \\\\ value",n="1"} 2.5e3',
    'le_bucket{le="+Inf"} 7 1700000000000',
    '',
    'garbage line'
  ].join('\n'))
  assert.deepEqual(samples, [
    { name: 'process_resident_memory_bytes', labels: {}, value: 123456789 },
    { name: 'odd', labels: { path: 'a "quoted" \\ value', n: '1' }, value: 2500 },
    { name: 'le_bucket', labels: { le: '+Inf' }, value: 7 }
  ])
  assert.equal(metricValue(samples, 'odd', { n: '1' }), 2500)
  assert.equal(metricValue(samples, 'odd', { n: '2' }), undefined)
})

test('histogramQuantile interpolates inside the bucket, as Prometheus does', () => {
  const buckets = [{ le: 0.1, count: 50 }, { le: 0.2, count: 90 }, { le: 0.5, count: 100 }, { le: Infinity, count: 100 }]
  assert.equal(histogramQuantile(0.5, buckets), 0.1)
  assert.ok(Math.abs(histogramQuantile(0.7, buckets)! - 0.15) < 1e-12)
  assert.ok(Math.abs(histogramQuantile(0.95, buckets)! - 0.35) < 1e-12)
  assert.ok(Math.abs(histogramQuantile(0.25, buckets)! - 0.05) < 1e-12, 'the first bucket starts at 0')
  // Ranks in the +Inf bucket report the highest finite bound.
  assert.equal(histogramQuantile(0.99, [{ le: 0.1, count: 1 }, { le: Infinity, count: 10 }]), 0.1)
  assert.equal(histogramQuantile(0.5, []), null)
  assert.equal(histogramQuantile(0.5, [{ le: Infinity, count: 0 }]), null)
})

test('routeStats subtracts two scrapes per route and status, and folds routes for a total', () => {
  const before = scrape({
    'POST /api/v1/alerts/ingest': { status: '201', counts: [10, 0, 0, 0, 0, 0, 0], sum: 0.005 }
  })
  const after = scrape({
    'POST /api/v1/alerts/ingest': { status: '201', counts: [10, 80, 10, 0, 0, 0, 0], sum: 0.305 },
    'GET /api/v1/alerts/pending': { status: '200', counts: [0, 0, 0, 50, 50, 0, 0], sum: 5 }
  }).concat(scrape({ 'POST /api/v1/alerts/ingest': { status: '503', counts: [0, 0, 0, 0, 0, 5, 0], sum: 1 } }))
  const stats = routeStats(before, after)
  const ingest = stats.find((s) => s.route === '/api/v1/alerts/ingest')!
  assert.equal(ingest.requests, 95)
  assert.deepEqual(ingest.byStatus, { 201: 90, 503: 5 })
  assert.equal(ingest.errors, 5)
  assert.ok(Math.abs(ingest.meanMs! - (1.3 / 95) * 1000) < 1e-9)
  // 95 requests: 80 in (1, 5] ms, 10 in (5, 10], 5 in (100, 500]; p50 rank 47.5 → 1 + 4 × 47.5/80
  assert.ok(Math.abs(ingest.p50! - 3.375) < 1e-9, String(ingest.p50))
  assert.deepEqual(ingest.bucketBoundsMs, [1, 5, 10, 50, 100, 500])
  const pending = stats.find((s) => s.route === '/api/v1/alerts/pending')!
  assert.equal(pending.requests, 100)
  assert.ok(Math.abs(pending.p50! - 50) < 1e-9)
  assert.equal(stats[0].route, '/api/v1/alerts/pending', 'busiest route first')

  const [total] = routeStats(before, after, (l) => l.route?.startsWith('/api/v1/alerts') ? { method: '*', route: '*' } : null)
  assert.equal(total.requests, 195)
  assert.deepEqual(total.byStatus, { 200: 100, 201: 90, 503: 5 })
  assert.equal(routeStats(before, after, () => null).length, 0)
})

test('deltas treat a counter that went down as a restart', () => {
  const before = parsePrometheusText('c_total 100\nd_total{a="x"} 5')
  const after = parsePrometheusText('c_total 30\nd_total{a="x"} 9\nd_total{a="y"} 2')
  assert.deepEqual(deltas(before, after, 'c_total').map((s) => s.value), [30])
  assert.deepEqual(deltas(before, after, 'd_total').map((s) => s.value), [4, 2])
})

test('processView reads memory, CPU, event-loop lag and ingest_* series', () => {
  const before = parsePrometheusText('process_resident_memory_bytes 1000\nprocess_cpu_seconds_total 10\ningest_alerts_committed_total 5')
  const after = parsePrometheusText('process_resident_memory_bytes 3000\nprocess_cpu_seconds_total 12.5\nnodejs_eventloop_lag_p99_seconds 0.02\ningest_alerts_committed_total 105\ningest_batch_size_bucket{le="1"} 3')
  const view = processView(before, after)
  assert.equal(view.rssBytesBefore, 1000)
  assert.equal(view.rssBytesAfter, 3000)
  assert.equal(view.cpuSeconds, 2.5)
  assert.equal(view.eventLoopLagP99Ms, 20)
  assert.deepEqual(view.extra, [{ name: 'ingest_alerts_committed_total', labels: {}, before: 5, after: 105 }])
})

test('serverActivity counts answered requests (not the scrapes themselves) and committed alerts', () => {
  const samples = parsePrometheusText([
    'http_requests_total{method="GET",route="/metrics",status_code="200"} 40',
    'http_requests_total{method="POST",route="/api/v1/alerts/ingest",status_code="201"} 100',
    'http_requests_total{method="POST",route="/api/v1/alerts/ingest",status_code="503"} 3',
    'ingest_alerts_committed_total 100'
  ].join('\n'))
  assert.deepEqual(serverActivity(samples), [103, 100])
  assert.deepEqual(serverActivity([]), [0, 0])
})

test('requests slower than the top bucket are counted, so a percentile there reads "at least"', () => {
  const after = scrape({ 'GET /api/v1/alerts/pending': { status: '200', counts: [0, 0, 0, 0, 0, 10, 90], sum: 700 } })
  const [pending] = routeStats([], after)
  assert.equal(pending.aboveTopBucket, 90)
  assert.equal(pending.p95, 500, 'the top finite bound')
  assert.equal(routeStats([], scrape({ 'GET /x': { status: '200', counts: [1, 0, 0, 0, 0, 0, 0], sum: 0 } }))[0].aboveTopBucket, 0)
})
