// 429s are reported apart from other errors, with the setting that caused them.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { otherErrorRate, rateLimitedCount, rateLimitReport } from '../../bench/rate-limited.js'
import { renderHtmlReport } from '../../bench/report-html.js'
import { errorRate } from '../../bench/slo.js'
import { renderSummary } from '../../bench/summary.js'
import type { BenchResult } from '../../bench/types.js'
import { phase, sampleResult } from './sample-result.js'

/** The sample ingest run with 120 of its first phase's answers turned into 429s, and 3 into 503s. */
function limitedRun (target: BenchResult['target']): BenchResult {
  const r = sampleResult('ingest')
  const first = r.phases[0]
  const byStatus = { ...first.total.byStatus, 201: (first.total.byStatus['201'] ?? 0) - 123, 429: 120, 503: 3 }
  r.phases[0] = { ...first, total: { ...first.total, ok: first.total.ok - 123, byStatus } }
  return { ...r, target }
}

test('429s are counted apart: the other error rate leaves them out, the SLO error rate keeps them', () => {
  const stats = { answered: 1000, ok: 870, noAnswer: 0, byStatus: { 201: 870, 429: 100, 500: 30 } }
  assert.equal(rateLimitedCount(stats), 100)
  assert.equal(otherErrorRate(stats), 0.03)
  assert.equal(errorRate(stats), 0.13)
  assert.equal(rateLimitReport({ phases: [phase()], target: { url: 'http://x', spawned: false } }), undefined, 'no 429, nothing to report')
})

test('a server started by the bench: the cause names RATE_LIMIT_MAX and RATE_LIMIT_WINDOW with the values it ran with', () => {
  const withDefaults = rateLimitReport(limitedRun({ url: 'http://127.0.0.1:1', spawned: true, serverEnv: { RATE_LIMIT_ENABLED: 'true' } }))!
  assert.equal(withDefaults.total, 120)
  assert.deepEqual(withDefaults.byPhase, [{ phase: 'paced 1,000/s', count: 120 }])
  assert.match(withDefaults.cause, /RATE_LIMIT_MAX=10000000 requests per RATE_LIMIT_WINDOW=1 minute per user/)
  assert.match(withDefaults.cause, /--rate-limit/)

  const tight = rateLimitReport(limitedRun({ url: 'http://127.0.0.1:1', spawned: true, serverEnv: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_MAX: '1000', RATE_LIMIT_WINDOW: '1 minute' } }))!
  assert.match(tight.cause, /RATE_LIMIT_MAX=1000 requests per RATE_LIMIT_WINDOW=1 minute/)
})

test('a running target (--url): the cause names the target\'s RATE_LIMIT_MAX and RATE_LIMIT_WINDOW settings', () => {
  const report = rateLimitReport(limitedRun({ url: 'http://127.0.0.1:8000', spawned: false }))!
  assert.match(report.cause, /target's rate limit, its RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW/)
  assert.match(report.cause, /RATE_LIMIT_ENABLED=false/)
})

test('summary and HTML report: a 429 column apart from errors, and a line saying which setting caused them', () => {
  const run = limitedRun({ url: 'http://127.0.0.1:1', spawned: true, serverEnv: { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_MAX: '1000' } })
  const lines = renderSummary(run, { json: 'x.json', html: 'x.html' }).split('\n')
  // Cells are joined by two spaces; values such as "4.0 ms" hold one.
  const header = lines.find((l) => l.startsWith('phase'))!.split(/\s{2,}/)
  const row = lines.find((l) => l.startsWith('paced 1,000/s'))!.split(/\s{2,}/)
  assert.equal(row[header.indexOf('429')], '120')
  const total = run.phases[0].total
  const finished = total.answered + total.noAnswer
  assert.equal(row[header.indexOf('errors')], `${((finished - total.ok - 120) / finished * 100).toFixed(2)} %`, 'errors: everything failed but the 429s')
  assert.ok(lines.some((l) => /120 × 429 rate limited \(120 in "paced 1,000\/s"\): caused by the server's rate limit, RATE_LIMIT_MAX=1000/.test(l)), lines.join('\n'))

  const html = renderHtmlReport(run)
  assert.match(html, /<th rowspan="2" title="rate limited">429<\/th>/)
  assert.match(html, /120 × 429 rate limited .*RATE_LIMIT_MAX=1000 requests per RATE_LIMIT_WINDOW=1 minute/)

  const clean = renderSummary(sampleResult('ingest'), { json: 'x.json', html: 'x.html' })
  assert.doesNotMatch(clean, /rate limited/, 'no line without 429s')
})
