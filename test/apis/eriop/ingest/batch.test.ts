// POST /alerts/ingest/batch: up to 500 alerts, one transaction, ids in request order, all or nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq, inArray } from 'drizzle-orm'
import { alerts } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'

const database = useTestDatabase('ingest_batch')
const BATCH = '/api/v1/alerts/ingest/batch'

const agencyRows = (agencyId: string) => database.db.select().from(alerts).where(eq(alerts.agencyId, agencyId))

test('500 alerts: 201, ids in request order, every alert stored once', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'BATCH1')
  const payload = Array.from({ length: 500 }, (_, i) => validAlert({ title: `batch ${i}`, source_id: `device_${i}` }))
  const res = await app.inject({ method: 'POST', url: BATCH, headers: bearer(team.alert_system.token), payload })
  assert.equal(res.statusCode, 201, res.body)
  const body = res.json()
  assert.deepEqual(Object.keys(body).sort(), ['count', 'ids', 'received_at'])
  assert.equal(body.count, 500)
  assert.equal(new Set(body.ids).size, 500)
  const rows = await database.db.select({ id: alerts.id, title: alerts.title, receivedAt: alerts.receivedAt }).from(alerts).where(inArray(alerts.id, body.ids))
  const titles = new Map(rows.map((r) => [r.id, r.title]))
  body.ids.forEach((id: string, i: number) => assert.equal(titles.get(id), `batch ${i}`, `ids[${i}] is alert ${i}`))
  assert.ok(rows.every((r) => r.receivedAt.toISOString() === body.received_at))
})

test('one alert with an unknown building: 422 locating it, and none of the batch is written', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'BATCH2')
  const payload = [validAlert(), validAlert(), validAlert({ building_id: '00000000-0000-4000-8000-000000000002' }), validAlert()]
  const res = await app.inject({ method: 'POST', url: BATCH, headers: bearer(team.alert_system.token), payload })
  assert.equal(res.statusCode, 422, res.body)
  assert.deepEqual(res.json(), { detail: [{ loc: ['body', 2, 'building_id'], msg: 'Building not found', type: 'not_found' }], code: 'VALIDATION_ERROR' })
  assert.equal((await agencyRows(team.agency.id)).length, 0)
})

test('one alert Postgres refuses: the whole batch is refused, nothing written', async (t) => {
  await database.pool.query("alter table alerts add constraint test_no_poison_batch check (title <> 'poison')")
  t.after(() => database.pool.query('alter table alerts drop constraint test_no_poison_batch'))
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'BATCH3')
  const payload = [validAlert(), validAlert({ title: 'poison' }), validAlert()]
  const res = await app.inject({ method: 'POST', url: BATCH, headers: bearer(team.alert_system.token), payload })
  assert.equal(res.statusCode, 422, res.body)
  assert.equal(res.json().code, 'VALIDATION_ERROR')
  assert.equal((await agencyRows(team.agency.id)).length, 0)
})

test('invalid batches are refused before anything is written: empty, 501 alerts, one invalid alert, NUL in one', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'BATCH4')
  const headers = bearer(team.alert_system.token)
  const cases: { payload: unknown, loc: (string | number)[] }[] = [
    { payload: [], loc: ['body'] },
    { payload: Array.from({ length: 501 }, () => validAlert()), loc: ['body'] },
    { payload: [validAlert(), validAlert({ confidence: 1.5 })], loc: ['body', 1, 'confidence'] },
    { payload: [validAlert(), validAlert(), validAlert({ title: 'nul \u0000 byte' })], loc: ['body', 2, 'title'] },
    { payload: [validAlert(), validAlert({ raw_payload: { 'k\u0000': 1 } })], loc: ['body', 1] },
    { payload: validAlert(), loc: ['body'] }
  ]
  for (const { payload, loc } of cases) {
    const res = await app.inject({ method: 'POST', url: BATCH, headers, payload: payload as object })
    assert.equal(res.statusCode, 422, res.body)
    assert.deepEqual(res.json().detail[0].loc, loc)
  }
  assert.equal((await agencyRows(team.agency.id)).length, 0)
})

test('a responder may not ingest a batch (403); no token is a 401', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'BATCH5')
  const forbidden = await app.inject({ method: 'POST', url: BATCH, headers: bearer(team.responder.token), payload: [validAlert()] })
  assert.equal(forbidden.statusCode, 403)
  const anonymous = await app.inject({ method: 'POST', url: BATCH, payload: [validAlert()] })
  assert.equal(anonymous.statusCode, 401)
  assert.equal((await agencyRows(team.agency.id)).length, 0)
})

test('batches and single alerts ingested concurrently all commit, each batch whole', async (t) => {
  const app = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 1 })
  const team = await createTeam(app, database.db, 'BATCH6')
  const headers = bearer(team.alert_system.token)
  const requests = Array.from({ length: 20 }, (_, i) => i % 4 === 0
    ? app.inject({ method: 'POST', url: BATCH, headers, payload: Array.from({ length: 10 }, () => validAlert()) })
    : app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers, payload: validAlert() }))
  const responses = await Promise.all(requests)
  for (const r of responses) assert.equal(r.statusCode, 201, r.body)
  assert.equal((await agencyRows(team.agency.id)).length, 5 * 10 + 15)
})
