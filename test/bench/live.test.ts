// The live bench's arithmetic: probes matched by id with their arrivals at every socket, the
// delivery count (received or counted as dropped), memory per socket; its checks and report.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { liveReport, type LiveInputs } from '../../bench/live.js'
import { renderHtmlReport } from '../../bench/report-html.js'
import { liveChecks } from '../../bench/slo.js'
import { renderSummary } from '../../bench/summary.js'
import { DEFAULT_SLO } from '../../bench/slo.js'
import type { Sample } from '../../bench/prometheus.js'
import { sampleResult } from './sample-result.js'

const dropped = (value: number): Sample[] => [
  { name: 'live_events_dropped_total', labels: { event: 'incident:created' }, value },
  { name: 'live_events_dropped_total', labels: { event: 'alert:created' }, value: value * 10 }
]

function inputs (arrivals: Array<[string, number[]]>, droppedDuring = 0): LiveInputs {
  const t0 = 1_000_000
  return {
    job: { origin: 'http://127.0.0.1:1', tokens: ['t'], sockets: 3, spawnRate: 100, probePrefix: 'p' },
    swarm: { connected: { type: 'connected', connectMs: [5, 7, 30], errors: {}, connected: 3 }, collect: async () => { throw new Error('unused') }, kill () {} },
    result: { type: 'result', arrivals, events: { 'incident:created': 9 }, perSecond: [[1000, 4], [1001, 5]], disconnects: 0, connected: 3 },
    probes: [{ id: 'a', sentAt: t0 + 100, answeredAt: t0 + 125 }, { id: 'b', sentAt: t0 + 600, answeredAt: t0 + 625 }, { id: 'c', sentAt: t0 + 1100, answeredAt: t0 + 1125 }],
    probeRate: 2,
    windowStart: t0,
    metricsBefore: dropped(4),
    metricsAfter: dropped(4 + droppedDuring),
    rss: { before: 100, connected: 103 },
    liveAlertCreated: 'sample:0.01'
  }
}

test('every probe at every socket: latency from the write, delivery complete', () => {
  const report = liveReport(inputs([
    ['a', [1_000_110, 1_000_120, 1_000_130]],
    ['b', [1_000_610, 1_000_620, 1_000_630]],
    ['c', [1_001_110, 1_001_120, 1_001_140]],
    ['not-a-probe', [1_000_200]]
  ]))
  assert.equal(report.latency.count, 9)
  assert.ok(report.latency.p50 >= 19 && report.latency.p50 <= 21, `p50 ≈ 20 ms (${report.latency.p50})`)
  assert.ok(report.latency.maxMs >= 39.9 && report.latency.maxMs <= 40.1)
  assert.deepEqual(report.delivery, { expected: 9, received: 9, dropped: 0, unaccounted: 0 })
  assert.deepEqual(report.timeline.map((p) => [p.t, p.received]), [[0.1, 3], [0.6, 3], [1.1, 3]])
  assert.equal(report.serverKbPerSocket, 1024)
  assert.ok(report.restLatency.p50 >= 24.9 && report.restLatency.p50 <= 25.1)
  assert.deepEqual(report.perSecond, [[0, 4], [1, 5]])
  assert.ok(liveChecks(report, 'x', DEFAULT_SLO).every((c) => c.pass))
})

test('a missing delivery fails the check unless the server counted it as dropped', () => {
  const arrivals: Array<[string, number[]]> = [['a', [1_000_110, 1_000_120]], ['b', [1_000_610, 1_000_620, 1_000_630]], ['c', [1_001_110, 1_001_120, 1_001_140]]]
  const lost = liveReport(inputs(arrivals))
  assert.deepEqual(lost.delivery, { expected: 9, received: 8, dropped: 0, unaccounted: 1 })
  assert.equal(liveChecks(lost, 'x', DEFAULT_SLO).find((c) => c.id === 'delivery')!.pass, false)
  const counted = liveReport(inputs(arrivals, 1))
  assert.deepEqual(counted.delivery, { expected: 9, received: 8, dropped: 1, unaccounted: 0 })
  assert.equal(liveChecks(counted, 'x', DEFAULT_SLO).find((c) => c.id === 'delivery')!.pass, true)
})

test('slow events fail the event p95 gate; the report and the summary show the live figures', () => {
  const slow = liveReport(inputs([['a', [1_000_400, 1_000_400, 1_000_400]], ['b', [1_000_900, 1_000_900, 1_000_900]], ['c', [1_001_400, 1_001_400, 1_001_400]]]))
  const gate = liveChecks(slow, 'x', DEFAULT_SLO).find((c) => c.id === 'event-p95')!
  assert.equal(gate.pass, false)
  assert.ok(gate.actual >= 299 && gate.actual <= 301)
  const result = { ...sampleResult('live'), live: slow, checks: liveChecks(slow, 'x', DEFAULT_SLO) }
  const html = renderHtmlReport(result)
  assert.match(html, /<h2>Live events \(Socket\.IO\)<\/h2>/)
  assert.match(html, /REST write → event at the sockets, per probe/)
  assert.match(html, /Connect time of the sockets/)
  assert.match(renderSummary(result, { json: 'x.json', html: 'x.html' }), /live: 3\/3 sockets/)
})
