import assert from 'node:assert/strict'
import { test } from 'node:test'
import { reconcile, unverified } from '../../bench/reconcile.js'
import {
  DEFAULT_SLO, errorCheck, errorRate, failureMode, latencyChecks, pacedChecks, stressOutcome, sustainedCheck, throughputCheck, verdict
} from '../../bench/slo.js'
import { EXIT } from '../../bench/types.js'
import { phase } from './sample-result.js'

const noLoss = reconcile({ sent: ['a'], acked: ['a'], rejected: [] }, { reqIds: ['a'] })

test('error rate counts non-2xx answers and requests without an answer', () => {
  assert.equal(errorRate({ answered: 990, ok: 980, noAnswer: 10 }), 20 / 1000)
  assert.equal(errorRate({ answered: 0, ok: 0, noAnswer: 0 }), 0)
})

test('latency, error, throughput and sustained checks compare against the targets', () => {
  const good = phase({}, { latency: { count: 1, meanMs: 1, p50: 1, p90: 1, p95: 199.9, p99: 499, p999: 600, maxMs: 700 } })
  assert.deepEqual(latencyChecks(good, DEFAULT_SLO).map((c) => c.pass), [true, true])
  const slow = phase({}, { latency: { count: 1, meanMs: 1, p50: 1, p90: 1, p95: 200, p99: 500, p999: 600, maxMs: 700 } })
  assert.deepEqual(latencyChecks(slow, DEFAULT_SLO).map((c) => c.pass), [false, false], 'the targets are strict: p95 < 200')

  const failing = phase({}, { answered: 1000, ok: 989, noAnswer: 1 })
  const check = errorCheck(failing, DEFAULT_SLO)
  assert.equal(check.pass, false)
  assert.ok(Math.abs(check.actual - (12 / 1001) * 100) < 1e-9)
  assert.equal(check.unit, '%')

  assert.equal(throughputCheck(phase({}, { okPerS: 1000 }), DEFAULT_SLO).pass, true)
  assert.equal(throughputCheck(phase({}, { okPerS: 999.9 }), DEFAULT_SLO).pass, false)
  assert.equal(sustainedCheck(phase({ targetRate: 2000 }, { okPerS: 1900 })).pass, true)
  assert.equal(sustainedCheck(phase({ targetRate: 2000 }, { okPerS: 1899 })).pass, false)
  assert.equal(pacedChecks(phase(), DEFAULT_SLO).length, 4)
})

test('verdict: pass, SLO missed, loader saturated, data loss — in that order of precedence', () => {
  const ok = phase()
  const missed = [{ ...latencyChecks(ok, DEFAULT_SLO)[0], pass: false }]
  assert.equal(verdict(latencyChecks(ok, DEFAULT_SLO), noLoss, [ok]).exitCode, EXIT.pass)
  assert.equal(verdict(missed, noLoss, [ok]).exitCode, EXIT.sloMissed)

  const saturated = phase({ loader: { processes: 1, cpu: 0.95, cpuTotal: 0.95, peakCpu: 1, elu: 0.99, saturated: true } })
  const v = verdict(missed, noLoss, [saturated])
  assert.equal(v.exitCode, EXIT.loaderSaturated)
  assert.equal(v.status, 'loader-saturated')
  // A saturated loader in a passing run only warns: its figures can only be worse than the server's.
  const passing = verdict(latencyChecks(ok, DEFAULT_SLO), noLoss, [saturated])
  assert.equal(passing.exitCode, EXIT.pass)
  assert.match(passing.warnings.join(' '), /saturated/)

  const lost = reconcile({ sent: ['a', 'b'], acked: ['a', 'b'], rejected: [] }, { reqIds: ['a'] })
  assert.equal(verdict(missed, lost, [saturated]).exitCode, EXIT.dataLoss)
  assert.match(verdict([], lost, [ok]).reasons[0], /1 acknowledged alerts missing/)

  const unchecked = verdict([], unverified('no --database-url for the target'), [ok])
  assert.equal(unchecked.exitCode, EXIT.pass)
  assert.match(unchecked.warnings.join(' '), /loss check not run: no --database-url/)
})

test('stress: the sustained rate is the last step that met every SLO; the failure mode says how the next one broke', () => {
  const step = (rate: number, total: Parameters<typeof phase>[1], extra: Parameters<typeof phase>[0] = {}) =>
    phase({ name: `step ${rate}/s`, targetRate: rate, ...extra }, { okPerS: rate, ...total })
  const steps = [
    step(1000, {}),
    step(2000, {}),
    step(3000, {
      okPerS: 2500,
      answered: 1000,
      ok: 900,
      byStatus: { 201: 900, 503: 100 },
      noAnswer: 5,
      timeouts: 5,
      latency: { count: 1000, meanMs: 100, p50: 80, p90: 300, p95: 400, p99: 900, p999: 1000, maxMs: 1200 }
    })
  ]
  const outcome = stressOutcome(steps, DEFAULT_SLO)
  assert.equal(outcome.sustainedRate, 2000)
  assert.equal(outcome.breakingRate, 3000)
  assert.equal(outcome.breakingPhase, 'step 3000/s')
  assert.equal(outcome.failureMode, '100 × 503 overloaded (Retry-After); 5 timeouts; latency p95 400 ms / p99 900 ms; delivered 2500/s of 3000/s')

  assert.deepEqual(stressOutcome(steps.slice(0, 2), DEFAULT_SLO), { sustainedRate: 2000, breakingRate: null, breakingPhase: null, failureMode: 'did not break within the ramp' })
  assert.equal(stressOutcome([steps[2]], DEFAULT_SLO).sustainedRate, null)
  assert.equal(failureMode(step(1000, { byStatus: { 201: 10, 429: 3 } }), DEFAULT_SLO), '3 × 429 rate limited')
})
