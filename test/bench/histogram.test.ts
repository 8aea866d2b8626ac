import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bucketIndex, bucketUpperMs, Histogram } from '../../bench/histogram.js'
import { seededRng } from '../../bench/personas.js'

function exactPercentile (sorted: number[], p: number) {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]
}

test('percentiles are within 1 % of the exact values', () => {
  const rng = seededRng(42)
  const values = Array.from({ length: 20_000 }, () => Math.exp(rng() * 8) / 10) // 0.1 ms … 300 ms, log-uniform
  const h = new Histogram()
  for (const v of values) h.record(v)
  const sorted = [...values].sort((a, b) => a - b)
  for (const p of [50, 90, 95, 99, 99.9]) {
    const exact = exactPercentile(sorted, p)
    const got = h.percentile(p)
    assert.ok(got >= exact * 0.999 && got <= exact * 1.0101, `p${p}: ${got} vs exact ${exact}`)
  }
  assert.equal(h.count, values.length)
  assert.equal(h.maxMs, sorted.at(-1))
  assert.equal(h.minMs, sorted[0])
  assert.ok(Math.abs(h.summary().meanMs - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9)
})

test('an empty histogram reports zeros; odd inputs land in the first bucket', () => {
  const h = new Histogram()
  assert.equal(h.percentile(99), 0)
  assert.deepEqual(h.summary(), { count: 0, meanMs: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, maxMs: 0 })
  h.record(-5)
  h.record(Number.NaN)
  assert.equal(h.count, 2)
  assert.equal(h.percentile(100), 0)
  assert.equal(bucketIndex(0), 0)
})

test('a percentile never exceeds the largest recorded value', () => {
  const h = new Histogram()
  h.record(12.345)
  assert.equal(h.percentile(50), 12.345)
  assert.ok(bucketUpperMs(bucketIndex(12.345)) >= 12.345)
})

test('merge and JSON round trip keep every count', () => {
  const a = new Histogram()
  const b = new Histogram()
  for (let i = 1; i <= 100; i++) a.record(i)
  for (let i = 101; i <= 200; i++) b.record(i)
  const merged = Histogram.from(JSON.parse(JSON.stringify(a.toJSON()))).merge(b)
  assert.equal(merged.count, 200)
  assert.equal(merged.minMs, 1)
  assert.equal(merged.maxMs, 200)
  assert.ok(Math.abs(merged.percentile(50) - 100) <= 1)
})

test('bins count recordings per display range', () => {
  const h = new Histogram()
  for (const v of [0.3, 0.8, 3, 4, 40, 9000]) h.record(v)
  assert.deepEqual(h.bins([1, 5, 50]), [2, 2, 1, 1])
})
