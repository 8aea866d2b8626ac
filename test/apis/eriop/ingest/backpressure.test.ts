// A bounded queue: when Postgres does not keep up, ingest answers 503 + Retry-After at once
// instead of buffering without limit, and everything it did accept is committed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import { alerts } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'
import { blockAlertInserts, metric, waitFor } from './support.js'

const database = useTestDatabase('ingest_backpressure')
const INGEST = '/api/v1/alerts/ingest'

test('queue full while Postgres is blocked: 503 + Retry-After in the contract shape; nothing acknowledged is lost', async (t) => {
  const app = await build(t, database.url, { INGEST_MAX_QUEUE: 3, INGEST_MAX_BATCH: 2, INGEST_MAX_IN_FLIGHT: 1, INGEST_MAX_WAIT_MS: 0 })
  const team = await createTeam(app, database.db, 'BP1')
  const headers = bearer(team.alert_system.token)

  const lock = await blockAlertInserts(database.url)
  let released = false
  t.after(async () => { if (!released) await lock.release() })
  const send = (i: number) => app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: `bp ${i}` }) })

  // Fill the one batch slot (which now waits on the lock) and the queue behind it.
  const first = send(0)
  await waitFor(() => app.ingest.stats().inFlight === 1, 'the first batch to start')
  const queued = [1, 2, 3].map(send)
  await waitFor(() => app.ingest.stats().queued === 3, 'the queue to fill')

  // Everything beyond is refused at once, while Postgres is still blocked.
  const refused = await Promise.all(Array.from({ length: 10 }, (_, i) => send(100 + i)))
  for (const res of refused) {
    assert.equal(res.statusCode, 503, res.body)
    assert.equal(res.headers['retry-after'], '1')
    assert.deepEqual(res.json(), { detail: 'Ingest queue is full, retry shortly', code: 'INGEST_OVERLOADED' })
  }
  assert.equal(await metric(app, 'ingest_queue_depth'), 3)
  assert.equal(await metric(app, 'ingest_alerts_rejected_total', { reason: 'overloaded' }), 10)

  await lock.release()
  released = true
  const accepted = await Promise.all([first, ...queued])
  for (const res of accepted) assert.equal(res.statusCode, 201, res.body)
  const stored = await database.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.deepEqual(stored.map((r) => r.id).sort(), accepted.map((r) => r.json().id).sort(), 'exactly the acknowledged alerts')

  // The queue drained: ingest is accepted again.
  assert.equal((await send(999)).statusCode, 201)
})

test('a burst far beyond the queue: every request is answered 201 or 503, and every 201 is stored', async (t) => {
  const app = await build(t, database.url, { INGEST_MAX_QUEUE: 20, INGEST_MAX_BATCH: 5, INGEST_MAX_IN_FLIGHT: 1 })
  const team = await createTeam(app, database.db, 'BP2')
  const headers = bearer(team.alert_system.token)
  const lock = await blockAlertInserts(database.url)
  const burst = Array.from({ length: 300 }, (_, i) => app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: `burst ${i}` }) }))
  await waitFor(async () => await metric(app, 'ingest_alerts_rejected_total', { reason: 'overloaded' }) > 0, 'the first refusal')
  await lock.release()
  const responses = await Promise.all(burst)
  const counts = new Map<number, number>()
  for (const r of responses) counts.set(r.statusCode, (counts.get(r.statusCode) ?? 0) + 1)
  assert.deepEqual([...counts.keys()].sort(), [201, 503], JSON.stringify([...counts]))
  const acknowledged = responses.filter((r) => r.statusCode === 201).map((r) => r.json().id)
  const stored = await database.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.deepEqual(stored.map((r) => r.id).sort(), acknowledged.sort())
  assert.equal(await metric(app, 'ingest_alerts_rejected_total', { reason: 'overloaded' }), counts.get(503))
})
