import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  alertPayload, assignPersonas, firstId, incidentPayload, offeredRate, PERSONAS, PersonaSession, personaEndpoints, seededRng, weightedPick,
  type PayloadContext
} from '../../bench/personas.js'

function context (seed = 1): PayloadContext {
  let seq = 0
  return { rng: seededRng(seed), runId: 'RUN1', nextReqId: () => `RUN1.0.0.${seq++}`, now: () => new Date('2026-01-15T12:00:00.000Z') }
}

const UUID_A = '0b6f1c6e-8a84-4f4b-9d5f-3f1e2d6b7a10'
const UUID_B = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f'

test('the seed\'s weights, waits and user pools', () => {
  assert.deepEqual(Object.values(PERSONAS).map((p) => [p.name, p.weight, p.waitS, p.users]), [
    ['dispatcher', 3, [2, 5], 100], ['responder', 5, [3, 8], 200], ['ingester', 2, [0.1, 0.5], 50]
  ])
  assert.deepEqual(PERSONAS.dispatcher.tasks.map((t) => t.weight), [5, 4, 3, 2, 2, 1, 1])
  assert.deepEqual(PERSONAS.responder.tasks.map((t) => t.weight), [8, 5, 4, 3, 2, 2, 1])
  assert.equal(PERSONAS.dispatcher.user(7), 'dispatcher7@test.eriop.local')
  assert.equal(PERSONAS.ingester.user(50), 'alertsystem50@test.eriop.local')
  assert.equal(personaEndpoints().length, 12)
})

test('connections are split 30 / 50 / 20 and interleaved', () => {
  const ten = assignPersonas(10)
  assert.deepEqual(count(ten), { dispatcher: 3, responder: 5, ingester: 2 })
  const many = assignPersonas(10_000)
  assert.deepEqual(count(many), { dispatcher: 3000, responder: 5000, ingester: 2000 })
  // Any prefix (a ramp that has opened only some connections) keeps the mix within one user.
  for (const n of [7, 33, 250, 1001]) {
    const c = count(many.slice(0, n))
    assert.ok(Math.abs(c.dispatcher - n * 0.3) <= 1 && Math.abs(c.responder - n * 0.5) <= 1 && Math.abs(c.ingester - n * 0.2) <= 1, `${n}: ${JSON.stringify(c)}`)
  }
  assert.deepEqual(count(assignPersonas(4, 'ingester')), { ingester: 4 })
})

function count (names: string[]) {
  const out: Record<string, number> = {}
  for (const n of names) out[n] = (out[n] ?? 0) + 1
  return out
}

test('weightedPick follows the weights; seededRng is deterministic', () => {
  const rng = seededRng(7)
  const picks = new Map<number, number>()
  for (let i = 0; i < 25_000; i++) {
    const task = weightedPick(rng, PERSONAS.responder.tasks)
    picks.set(task.weight, (picks.get(task.weight) ?? 0) + 1)
  }
  // weights 8,5,4,3,2,2,1 of 25: two tasks share weight 2.
  assert.ok(Math.abs(picks.get(8)! / 25_000 - 8 / 25) < 0.015)
  assert.ok(Math.abs(picks.get(1)! / 25_000 - 1 / 25) < 0.008)
  assert.deepEqual([seededRng(3)(), seededRng(3)()], [seededRng(3)(), seededRng(3)()])
  assert.notEqual(seededRng(3)(), seededRng(4)())
})

test('firstId reads the first element\'s id of a bare array only', () => {
  assert.equal(firstId(`[{"id":"${UUID_A}","title":"x"},{"id":"${UUID_B}"}]`), UUID_A)
  assert.equal(firstId(`  [ { "id" : "${UUID_A}" } ]`), UUID_A)
  assert.equal(firstId('[]'), null)
  assert.equal(firstId(`{"items":[{"id":"${UUID_A}"}]}`), null, 'a paginated object is not what the client expects')
})

/** Drives a session until `predicate` matches the planned request. */
function until (session: PersonaSession, predicate: (path: string) => boolean, answer: (path: string) => [number, string]) {
  for (let i = 0; i < 500; i++) {
    const req = session.next()
    if (predicate(req.path)) return req
    session.observe(...answer(req.path))
  }
  throw new Error('never planned')
}

test('dispatcher: GET /alerts/pending then acknowledge its first id, at once; no ack when the list is empty or failed', () => {
  const session = new PersonaSession(PERSONAS.dispatcher, context(11))
  const answer = (path: string): [number, string] => [200, path.endsWith('/pending') ? `[{"id":"${UUID_A}"}]` : '[]']
  // Find a pending list that belongs to the ack task: the next request is then the ack.
  let ack
  for (let i = 0; i < 200 && !ack; i++) {
    const req = session.next()
    const goesOn = session.observe(...answer(req.path))
    if (goesOn) {
      assert.equal(req.path, '/api/v1/alerts/pending')
      ack = session.next()
    }
  }
  assert.ok(ack, 'the ack task came up')
  assert.equal(ack.method, 'POST')
  assert.equal(ack.path, `/api/v1/alerts/${UUID_A}/acknowledge`)
  assert.equal(ack.route, '/api/v1/alerts/:id/acknowledge')
  assert.deepEqual(JSON.parse(ack.body!), { notes: 'Acknowledged during load test' })
  assert.equal(session.observe(200, '{}'), false, 'the task ends after the ack: think')

  const empty = new PersonaSession(PERSONAS.dispatcher, context(11))
  for (let i = 0; i < 200; i++) {
    const req = empty.next()
    assert.equal(empty.observe(200, '[]'), false)
    assert.notEqual(req.method === 'POST' && req.path.endsWith('/acknowledge'), true)
  }
  const failed = new PersonaSession(PERSONAS.dispatcher, context(11))
  for (let i = 0; i < 200; i++) {
    failed.next()
    assert.equal(failed.observe(503, `[{"id":"${UUID_A}"}]`), false)
  }
})

test('responder: the detail steps open the first active incident and the first pending alert', () => {
  const session = new PersonaSession(PERSONAS.responder, context(5))
  const answer = (): [number, string] => [200, `[{"id":"${UUID_B}"}]`]
  const incident = until(session, (p) => /\/incidents\/[0-9a-f-]{36}$/.test(p), answer)
  assert.equal(incident.route, '/api/v1/incidents/:id')
  assert.equal(incident.path, `/api/v1/incidents/${UUID_B}`)
  const alert = until(session, (p) => /\/alerts\/[0-9a-f-]{36}$/.test(p), answer)
  assert.equal(alert.route, '/api/v1/alerts/:id')
  const page = until(session, (p) => p.startsWith('/api/v1/resources?'), answer)
  assert.equal(page.path, '/api/v1/resources?page=1&page_size=50')
  assert.equal(until(session, (p) => p.endsWith('/auth/me'), answer).method, 'GET')
})

test('ingester: every request is a fresh alert carrying the run id and a unique request id', () => {
  const session = new PersonaSession(PERSONAS.ingester, context(2))
  const first = session.next()
  session.observe(201, '{}')
  const second = session.next()
  assert.equal(first.method, 'POST')
  assert.equal(first.path, '/api/v1/alerts/ingest')
  assert.equal(first.reqId, 'RUN1.0.0.0')
  assert.equal(second.reqId, 'RUN1.0.0.1')
  const body = JSON.parse(first.body!)
  assert.equal(body.source_id, first.reqId)
  assert.deepEqual(Object.keys(body.raw_payload), ['test', 'timestamp', 'run_id', 'req_id', 'device'])
  assert.equal(body.raw_payload.run_id, 'RUN1')
  assert.equal(body.raw_payload.req_id, first.reqId)
  assert.match(body.raw_payload.device, /^device_\d{4}$/)
  assert.equal(body.title, 'Alert 2026-01-15T12:00:00.000Z')
  assert.equal(body.description, 'Load test alert')
})

test('payloads stay inside the locustfile\'s ranges', () => {
  for (let seed = 1; seed < 200; seed++) {
    const alert = alertPayload(context(seed), 'id')
    assert.ok(['fundamentum', 'alarm_system', 'axis_microphone', 'security_system'].includes(alert.source))
    assert.ok(['critical', 'high', 'medium', 'low', 'info'].includes(alert.severity))
    assert.ok(['gunshot', 'explosion', 'glass_break', 'aggression', 'scream', 'car_alarm'].includes(alert.alert_type))
    assert.ok(alert.confidence >= 0.7 && alert.confidence <= 1)
    assert.ok(alert.peak_level_db >= 80 && alert.peak_level_db <= 120)
    assert.ok(alert.background_level_db >= 40 && alert.background_level_db <= 60)
    assert.ok(Math.abs(alert.location.latitude - 45.5017) <= 0.5 && Math.abs(alert.location.longitude + 73.5673) <= 0.5)
    assert.match(alert.location.zone, /^Zone ([1-9]|10)$/)
    const incident = incidentPayload(context(seed))
    assert.ok(['fire', 'medical', 'police', 'rescue', 'traffic', 'hazmat', 'intrusion'].includes(incident.category))
    assert.ok(incident.priority >= 1 && incident.priority <= 5)
    assert.match(incident.location.address, /^\d{3,4} Test Street$/)
    assert.equal(incident.location.building_info, null)
  }
})

test('think times are the persona\'s, scaled on demand', () => {
  const session = new PersonaSession(PERSONAS.responder, context(9))
  const scaled = new PersonaSession(PERSONAS.responder, context(9), 0.1)
  for (let i = 0; i < 100; i++) {
    const t = session.thinkTimeMs()
    assert.ok(t >= 3000 && t <= 8000)
    const s = scaled.thinkTimeMs()
    assert.ok(s >= 300 && s <= 800)
  }
})

test('offered load: the seed\'s 10,000 users ask about 8,710 requests/s at zero latency', () => {
  // dispatcher 20 requests per 18 task weights every 3.5 s, responder 30 per 25 every 5.5 s, ingester 1 every 0.3 s.
  const expected = 3000 * (20 / 18) / 3.5 + 5000 * (30 / 25) / 5.5 + 2000 / 0.3
  assert.ok(Math.abs(offeredRate({ dispatcher: 3000, responder: 5000, ingester: 2000 })! - expected) < 1e-6)
  assert.ok(Math.abs(expected - 8710) < 1)
  assert.ok(Math.abs(offeredRate({ ingester: 10 }, 0.5)! - 10 / 0.15) < 1e-6, 'think times scale')
  assert.equal(offeredRate({ ingester: 10 }, 0), null)
})
