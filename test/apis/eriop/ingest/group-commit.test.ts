// POST /alerts/ingest through the group-commit writer: what is stored, how requests share
// batches, and that one refused alert never takes its batch neighbours down with it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq, inArray } from 'drizzle-orm'
import { alerts, buildings } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'
import { blockAlertInserts, metric, waitFor } from './support.js'

const database = useTestDatabase('ingest_group_commit')
const INGEST = '/api/v1/alerts/ingest'

async function createBuilding (agencyId: string) {
  const [row] = await database.db.insert(buildings).values({
    agencyId, name: 'Test tower', streetName: 'Test Street', city: 'Montreal', provinceState: 'QC', fullAddress: '1 Test Street', latitude: 45.5, longitude: -73.5
  }).returning()
  return row
}

test('N concurrent ingests: N rows, every field stored as sent, fewer INSERTs than requests', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'GC1')
  const building = await createBuilding(team.agency.id)
  const headers = bearer(team.alert_system.token)
  const N = 60
  const sent = Array.from({ length: N }, (_, i) => validAlert({
    source_id: `device_${1000 + i}`,
    severity: ['critical', 'high', 'medium', 'low', 'info'][i % 5],
    title: `Alert ${i} — ünïcödé 🚨`,
    description: i % 2 ? `line one\nline "two" \\ ${i}` : null,
    location: { latitude: 45 + i / 1000, longitude: -73 - i / 1000, address: `${i} Alert Street`, zone: `Zone ${i % 10}` },
    raw_payload: { test: true, n: i, nested: { list: [1, 'two', null, { three: 3.5 }] }, text: 'a\\u0000b' },
    confidence: i / N,
    peak_level_db: 80 + i / 3,
    background_level_db: 40 + i / 7,
    building_id: i % 3 === 0 ? building.id : null
  }))
  const batchesBefore = await metric(app, 'ingest_batch_size_count')

  const responses = await Promise.all(sent.map((payload) => app.inject({ method: 'POST', url: INGEST, headers, payload })))

  for (const res of responses) assert.equal(res.statusCode, 201, res.body)
  const answers = responses.map((res) => res.json())
  for (const answer of answers) {
    assert.deepEqual(Object.keys(answer).sort(), ['id', 'received_at', 'status'])
    assert.equal(answer.status, 'pending')
    assert.match(answer.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'ids are UUIDv7')
  }
  assert.equal(new Set(answers.map((a) => a.id)).size, N)

  const rows = await database.db.select().from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.equal(rows.length, N, 'exactly N rows')
  const byId = new Map(rows.map((r) => [r.id, r]))
  answers.forEach((answer, i) => {
    const row = byId.get(answer.id)
    assert.ok(row, `alert ${i} is stored under the id it was acknowledged with`)
    const s = sent[i]
    assert.equal(row.source, s.source)
    assert.equal(row.sourceId, s.source_id)
    assert.equal(row.severity, s.severity)
    assert.equal(row.status, 'pending')
    assert.equal(row.alertType, s.alert_type)
    assert.equal(row.title, s.title)
    assert.equal(row.description, s.description)
    assert.equal(row.latitude, s.location.latitude)
    assert.equal(row.longitude, s.location.longitude)
    assert.equal(row.address, s.location.address)
    assert.equal(row.zone, s.location.zone)
    assert.deepEqual(row.rawPayload, s.raw_payload)
    assert.equal(row.confidence, s.confidence)
    assert.equal(row.peakLevelDb, s.peak_level_db)
    assert.equal(row.backgroundLevelDb, s.background_level_db)
    assert.equal(row.buildingId, (s as { building_id?: string | null }).building_id)
    assert.equal(row.agencyId, team.agency.id)
    assert.equal(row.ingestedBy, team.alert_system.id)
    assert.equal(row.idempotencyKey, null)
    assert.equal(row.receivedAt.toISOString(), answer.received_at, 'received_at as answered')
  })

  const batches = await metric(app, 'ingest_batch_size_count') - batchesBefore
  assert.ok(batches >= 1 && batches < N, `${N} concurrent requests shared ${batches} INSERTs`)
  assert.equal(await metric(app, 'ingest_alerts_committed_total'), N)
})

test('optional fields: omitted ones are stored as NULL, severity defaults to medium, extra fields are ignored', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'GC2')
  const res = await app.inject({
    method: 'POST',
    url: INGEST,
    headers: bearer(team.dispatcher.token),
    payload: { source: 'manual', alert_type: 'test', title: 'Minimal', unknown_field: { ignored: true } }
  })
  assert.equal(res.statusCode, 201, res.body)
  const [row] = await database.db.select().from(alerts).where(eq(alerts.id, res.json().id))
  assert.equal(row.severity, 'medium')
  assert.equal(row.sourceId, null)
  assert.equal(row.description, null)
  assert.equal(row.latitude, null)
  assert.equal(row.rawPayload, null)
  assert.equal(row.confidence, null)
  assert.equal(row.buildingId, null)

  const detail = await app.inject({ url: `/api/v1/alerts/${row.id}`, headers: bearer(team.dispatcher.token) })
  assert.equal(detail.statusCode, 200)
  assert.equal(detail.json().location, null)
})

test('building_id of a missing building, or of another agency\'s, is a 422 for that alert only', async (t) => {
  const app = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 1 })
  const team = await createTeam(app, database.db, 'GC3')
  const other = await createTeam(app, database.db, 'GC3OTHER')
  const ours = await createBuilding(team.agency.id)
  const theirs = await createBuilding(other.agency.id)
  const headers = bearer(team.alert_system.token)
  const payloads = [
    validAlert({ title: 'good 1' }),
    validAlert({ title: 'missing building', building_id: '00000000-0000-4000-8000-000000000000' }),
    validAlert({ title: 'good 2', building_id: ours.id }),
    validAlert({ title: 'foreign building', building_id: theirs.id }),
    validAlert({ title: 'good 3' })
  ]
  const responses = await Promise.all(payloads.map((payload) => app.inject({ method: 'POST', url: INGEST, headers, payload })))
  assert.deepEqual(responses.map((r) => r.statusCode), [201, 422, 201, 422, 201])
  for (const i of [1, 3]) {
    assert.deepEqual(responses[i].json(), {
      detail: [{ loc: ['body', 'building_id'], msg: 'Building not found', type: 'not_found' }], code: 'VALIDATION_ERROR'
    })
  }
  const stored = await database.db.select({ title: alerts.title }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.deepEqual(stored.map((r) => r.title).sort(), ['good 1', 'good 2', 'good 3'])
})

test('a row Postgres refuses inside a multi-row batch fails alone; its neighbours commit', async (t) => {
  // A constraint only this test database has: the one way to make Postgres refuse an alert that
  // passed every check of the API (in production: a race or a constraint the API does not know).
  await database.pool.query("alter table alerts add constraint test_no_poison check (title <> 'poison')")
  t.after(() => database.pool.query('alter table alerts drop constraint test_no_poison'))
  const app = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 1, INGEST_MAX_WAIT_MS: 0 })
  const team = await createTeam(app, database.db, 'GC4')
  const headers = bearer(team.alert_system.token)

  // Hold the writer's only slot so the next requests queue up and are written as ONE batch.
  const lock = await blockAlertInserts(database.url)
  const first = app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: 'opener' }) })
  await waitFor(() => app.ingest.stats().inFlight === 1, 'the opener batch to start')
  const titles = Array.from({ length: 9 }, (_, i) => i === 5 ? 'poison' : `neighbour ${i}`)
  const pending = titles.map((title) => app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title }) }))
  await waitFor(() => app.ingest.stats().queued === titles.length, 'all of them to queue')
  const batchesBefore = await metric(app, 'ingest_batch_size_count')
  const rowsBefore = await metric(app, 'ingest_batch_size_sum')
  await lock.release()

  assert.equal((await first).statusCode, 201)
  const responses = await Promise.all(pending)
  titles.forEach((title, i) => assert.equal(responses[i].statusCode, title === 'poison' ? 422 : 201, `${title}: ${responses[i].body}`))
  const refused = responses[5].json()
  assert.equal(refused.code, 'VALIDATION_ERROR')
  assert.deepEqual(refused.detail[0].loc, ['body'])

  // The opener's batch (1 row, started before the others were sent) and one more: the nine together.
  await waitFor(async () => await metric(app, 'ingest_batch_size_count') === batchesBefore + 2, 'both batches in the metrics')
  assert.equal(await metric(app, 'ingest_batch_size_sum') - rowsBefore, 10)
  const stored = await database.db.select({ title: alerts.title }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.deepEqual(stored.map((r) => r.title).sort(), ['neighbour 0', 'neighbour 1', 'neighbour 2', 'neighbour 3', 'neighbour 4', 'neighbour 6', 'neighbour 7', 'neighbour 8', 'opener'])
  assert.equal(await metric(app, 'ingest_alerts_rejected_total', { reason: 'invalid' }), 1)
})

test('each committed batch is published once as alert:created, after the commit', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'GC5')
  const headers = bearer(team.alert_system.token)
  const received: { id: string, agency_id: string, title: string }[] = []
  let publishes = 0
  const unsubscribe = app.events.subscribe('alert:created', (payloads) => {
    publishes++
    received.push(...payloads as typeof received)
  })
  t.after(unsubscribe)
  // The subscriber connection may still be subscribing: wait until a probe alert comes through.
  await waitFor(async () => {
    await app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: 'probe' }) })
    await new Promise((resolve) => setTimeout(resolve, 50))
    return received.some((p) => p.title === 'probe')
  }, 'the events subscription')
  received.length = 0
  publishes = 0

  const responses = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: `event ${i}` }) })))
  const ids = responses.map((r) => r.json().id as string)
  await waitFor(() => ids.every((id) => received.some((p) => p.id === id)), 'every alert:created event')
  assert.ok(publishes < 30, `30 alerts went out in ${publishes} publishes`)
  const stored = await database.db.select({ id: alerts.id }).from(alerts).where(inArray(alerts.id, received.map((p) => p.id)))
  assert.equal(stored.length, received.length, 'only committed alerts are announced')
  assert.ok(received.every((p) => p.agency_id === team.agency.id))
})

test('no slot frees up within INGEST_MAX_WAIT_MS: one extra batch is written beside the stuck one', async (t) => {
  const app = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 1, INGEST_MAX_WAIT_MS: 20 })
  const team = await createTeam(app, database.db, 'GC6')
  const headers = bearer(team.alert_system.token)
  const lock = await blockAlertInserts(database.url)
  let released = false
  t.after(async () => { if (!released) await lock.release() })

  const stuck = app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: 'stuck' }) })
  await waitFor(() => app.ingest.stats().inFlight === 1, 'the first batch')
  const waiting = Array.from({ length: 6 }, (_, i) => app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: `waiting ${i}` }) }))
  // The extra batch takes the whole queue; the limit is twice INGEST_MAX_IN_FLIGHT.
  await waitFor(() => app.ingest.stats().inFlight === 2 && app.ingest.stats().queued === 0, 'an overflow batch')
  const more = app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ title: 'more' }) })
  await waitFor(() => app.ingest.stats().queued === 1, 'the next alert to queue')
  assert.equal(app.ingest.stats().inFlight, 2, 'never more than twice INGEST_MAX_IN_FLIGHT')

  await lock.release()
  released = true
  for (const res of await Promise.all([stuck, ...waiting, more])) assert.equal(res.statusCode, 201, res.body)
})
