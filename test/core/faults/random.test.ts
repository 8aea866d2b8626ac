import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fires, generator, sample } from '../../../src/core/faults/random.js'
import type { DistributionSpec } from '../../../src/core/faults/rules.js'

const N = 10_000

/** N draws, each from its own key's generator, as the engine draws them (one per request). */
function draws (spec: DistributionSpec, seed = 'dist-seed'): number[] {
  return Array.from({ length: N }, (_, i) => sample(spec, generator(seed, 'rule-d', `k${i}`))).sort((a, b) => a - b)
}
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const sd = (xs: number[]) => { const m = mean(xs); return Math.sqrt(mean(xs.map((x) => (x - m) ** 2))) }
const within = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${what}: ${actual.toFixed(2)} not within ${tolerance * 100} % of ${expected.toFixed(2)}`)

describe('distributions', () => {
  it('fixed: always the value', () => {
    assert.deepEqual(new Set(draws({ type: 'fixed', ms: 75 })), new Set([75]))
  })

  it('uniform: within [min, max], median in the middle, spread (max − min)/√12', () => {
    const xs = draws({ type: 'uniform', min: 50, max: 150 })
    assert.ok(xs[0] >= 50 && xs[xs.length - 1] <= 150)
    within(quantile(xs, 0.5), 100, 0.03, 'median')
    within(sd(xs), 100 / Math.sqrt(12), 0.03, 'standard deviation')
    within(quantile(xs, 0.1), 60, 0.04, 'p10')
  })

  it('log-normal: median as asked, the logarithm\'s spread is sigma, capped at max by drawing again', () => {
    const xs = draws({ type: 'lognormal', median: 40, sigma: 0.5, max: 2000 })
    within(quantile(xs, 0.5), 40, 0.03, 'median')
    within(sd(xs.map(Math.log)), 0.5, 0.03, 'sigma of ln(delay)')
    // P(Z < 1) = 0.8413: the 84th percentile is median·e^sigma.
    within(quantile(xs, 0.8413), 40 * Math.exp(0.5), 0.04, 'p84')
    const capped = draws({ type: 'lognormal', median: 40, sigma: 1, max: 100 })
    assert.ok(capped[capped.length - 1] <= 100, 'nothing above the cap')
    // Redrawing (not clamping): the cap is not a pile of values at exactly max.
    assert.ok(capped.filter((x) => x === 100).length < 5)
    // The cap keeps Φ(ln 2.5) = 82 % of the distribution, so the median is its 41st percentile: 40·e^(−0.2275).
    within(quantile(capped, 0.5), 40 * Math.exp(-0.2275), 0.04, 'median under a cap that cuts 18 % of the tail')
  })

  it('exponential: mean and median (mean·ln 2) as asked, capped', () => {
    const xs = draws({ type: 'exponential', mean: 30, max: 10_000 })
    within(mean(xs), 30, 0.04, 'mean')
    within(quantile(xs, 0.5), 30 * Math.LN2, 0.04, 'median')
    within(sd(xs), 30, 0.05, 'standard deviation')
    assert.ok(draws({ type: 'exponential', mean: 30, max: 50 }).every((x) => x <= 50))
  })

  it('the same seed, rule and key draw the same value; another seed draws another', () => {
    const spec: DistributionSpec = { type: 'lognormal', median: 40, sigma: 0.5 }
    assert.equal(sample(spec, generator('s', 'r', 'k')), sample(spec, generator('s', 'r', 'k')))
    assert.notEqual(sample(spec, generator('s', 'r', 'k')), sample(spec, generator('t', 'r', 'k')))
  })
})

describe('decisions', () => {
  it('fire for the asked share of keys, the same keys every time', () => {
    const keys = Array.from({ length: N }, (_, i) => `vu${i % 100}:${i}`)
    const picked = keys.filter((k) => fires('seed-a', 'r1', k, 0.01))
    within(picked.length, 100, 0.25, 'fired for 1 %')
    assert.deepEqual(keys.filter((k) => fires('seed-a', 'r1', k, 0.01)), picked)
    within(keys.filter((k) => fires('seed-a', 'r1', k, 0.3)).length, 3000, 0.05, 'fired for 30 %')
    // Another rule id or seed picks other keys.
    assert.notDeepEqual(keys.filter((k) => fires('seed-a', 'r2', k, 0.01)), picked)
    assert.notDeepEqual(keys.filter((k) => fires('seed-b', 'r1', k, 0.01)), picked)
    assert.ok(keys.every((k) => fires('x', 'r', k, 1)) && !keys.some((k) => fires('x', 'r', k, 0)))
  })
})
