import assert from 'node:assert/strict'
import { test } from 'node:test'
import { INGEST_ENDPOINT } from '../../bench/personas.js'
import { endpointLabel, Recorder } from '../../bench/recorder.js'

const ingest = (reqId: string) => ({ ...INGEST_ENDPOINT, path: INGEST_ENDPOINT.route, reqId })
const pending = { method: 'GET' as const, route: '/api/v1/alerts/pending', path: '/api/v1/alerts/pending' }

test('the warm-up is left out of the figures but not out of the loss ledger', () => {
  const r = new Recorder(0, 1000, [INGEST_ENDPOINT, pending])
  r.sent(ingest('w1'), 500)
  r.answered(ingest('w1'), 201, 500, 510)
  r.sent(ingest('a'), 1000)
  r.answered(ingest('a'), 201, 1000, 1004)
  r.sent(ingest('b'), 1500)
  r.answered(ingest('b'), 503, 1500, 1530)
  r.sent(ingest('c'), 1800)
  r.noAnswer(ingest('c'), 'timeout', 1800, 11_800)
  r.sent(ingest('d'), 1900) // still in flight at the end
  r.sent(pending, 1200)
  r.answered(pending, 200, 1200, 1220)
  const out = r.finish(3000)

  assert.deepEqual(r.ledger, { sent: ['w1', 'a', 'b', 'c', 'd'], acked: ['w1', 'a'], rejected: ['b'] })
  assert.deepEqual(out.warmup, { sent: 1, ok: 1 })
  const [ing, pend] = out.endpoints
  assert.equal(ing.label, 'POST /alerts/ingest')
  assert.deepEqual({ sent: ing.sent, answered: ing.answered, ok: ing.ok, noAnswer: ing.noAnswer, timeouts: ing.timeouts }, { sent: 4, answered: 2, ok: 1, noAnswer: 1, timeouts: 1 })
  assert.deepEqual(ing.byStatus, { 201: 1, 503: 1 })
  assert.equal(ing.okPerS, 0.5, 'one 2xx over the 2-second window')
  assert.equal(pend.latency.maxMs, 20)
  assert.equal(out.total.sent, 5)
  assert.equal(out.total.answered, 3)
  assert.equal(out.total.latency.count, 3)
  assert.equal(out.total.latency.maxMs, 30)
  assert.deepEqual(out.connectionErrors, { timeout: 1 })
  assert.deepEqual(r.counts, { ok: 3, failed: 2 })
})

test('the timeline has one point per second, by completion time, with resource samples', () => {
  const r = new Recorder(0, 0)
  for (let i = 0; i < 10; i++) {
    r.sent(pending, i * 100)
    r.answered(pending, i < 9 ? 200 : 500, i * 100, i * 100 + 5 + i)
  }
  r.sent(pending, 1500)
  r.answered(pending, 200, 1500, 2100)
  r.sample(1000, { loaderCpu: 0.4, serverRssMb: 200, serverCpu: 0.7 })
  r.sample(2000, { loaderCpu: 0.2 })
  const { timeline } = r.finish(3000)
  assert.equal(timeline.length, 3)
  assert.deepEqual(timeline.map((p) => [p.t, p.ok, p.failed]), [[1, 9, 1], [2, 0, 0], [3, 1, 0]])
  assert.equal(timeline[0].loaderCpu, 0.4)
  assert.equal(timeline[2].loaderCpu, undefined, 'a second no loader reported has no CPU figure, not 0')
  assert.equal(timeline[0].serverRssMb, 200)
  assert.equal(timeline[1].serverRssMb, undefined)
  assert.ok(Math.abs(timeline[2].p99 - 600) <= 6)
})

test('labels drop the /api/v1 prefix', () => {
  assert.equal(endpointLabel({ method: 'GET', route: '/api/v1/alerts/:id' }), 'GET /alerts/:id')
  assert.equal(endpointLabel({ method: 'GET', route: '/metrics' }), 'GET /metrics')
})

test('recordings of several loader processes merge into the one a single process would make', () => {
  const events = Array.from({ length: 40 }, (_, n) => ({ n, due: 200 + n * 70, latency: 1 + (n * 37) % 90, status: n % 9 === 0 ? 503 : 201 }))
  // Each process has its own clock: process w's origin is at 5000·w.
  const play = (r: Recorder, origin: number, mine: (n: number) => boolean) => {
    for (const e of events.filter((x) => mine(x.n))) {
      const req = e.n % 2 ? ingest(`id${e.n}`) : pending
      const due = origin + e.due
      r.sent(req, due)
      if (e.n % 13 === 5) r.noAnswer(req, 'error', due, due + 3, 'ECONNRESET')
      else r.answered(req, e.status, due, due + e.latency)
    }
    return r
  }
  const single = play(new Recorder(0, 1000, [INGEST_ENDPOINT, pending]), 0, () => true)
  const merged = new Recorder(0, 1000, [INGEST_ENDPOINT, pending])
  for (const w of [0, 1, 2]) {
    const origin = 5000 * w
    const part = play(new Recorder(origin, origin + 1000, [INGEST_ENDPOINT, pending]), origin, (n) => n % 3 === w)
    part.sample(origin + 1000, { loaderCpu: [0.2, 0.5, 0.3][w] })
    merged.absorb(JSON.parse(JSON.stringify(part.toJSON()))) // as it crosses the process boundary
  }
  const a = single.finish(3000)
  const b = merged.finish(3000)
  assert.deepEqual(b.total, a.total)
  assert.deepEqual(b.endpoints, a.endpoints)
  assert.deepEqual(b.warmup, a.warmup)
  assert.deepEqual(b.connectionErrors, a.connectionErrors)
  assert.deepEqual(b.timeline.map((p) => [p.t, p.ok, p.failed, p.p99]), a.timeline.map((p) => [p.t, p.ok, p.failed, p.p99]))
  assert.equal(b.timeline[0].loaderCpu, 0.5, 'a second shows the busiest process')
  for (const key of ['sent', 'acked', 'rejected'] as const) assert.deepEqual(merged.ledger[key].toSorted(), single.ledger[key].toSorted())
  assert.deepEqual(merged.counts, single.counts)
})
