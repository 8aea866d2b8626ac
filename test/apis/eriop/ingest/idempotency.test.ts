// Idempotency-Key: a retry is answered with the first alert, durably (Postgres' unique index),
// concurrent requests with one key create exactly one row, wherever they land, and a key reused for
// another payload is a 422.
import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { and, eq } from 'drizzle-orm'
import pg from 'pg'
import { alerts } from '../../../../src/apis/eriop/db/schema/index.js'
import { toIngestRecord } from '../../../../src/apis/eriop/ingest/records.js'
import type { AlertIngest } from '../../../../src/apis/eriop/schemas/alerts.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'
import { blockAlertInserts, metric, waitFor } from './support.js'

const database = useTestDatabase('ingest_idempotency')
const INGEST = '/api/v1/alerts/ingest'

const rowsWithKey = (agencyId: string, key: string) =>
  database.db.select().from(alerts).where(and(eq(alerts.agencyId, agencyId), eq(alerts.idempotencyKey, key)))

test('a retry with the same key: 200, the same id and received_at, Idempotent-Replayed: true, one row', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'IDEM1')
  const headers = { ...bearer(team.alert_system.token), 'idempotency-key': 'retry-1' }
  const payload = validAlert()

  const first = await app.inject({ method: 'POST', url: INGEST, headers, payload })
  assert.equal(first.statusCode, 201, first.body)
  assert.equal(first.headers['idempotent-replayed'], undefined)

  // A new app: the guarantee must not live in the process (or in Redis).
  const restarted = await build(t, database.url)
  const retry = await restarted.inject({ method: 'POST', url: INGEST, headers, payload })
  assert.equal(retry.statusCode, 200, retry.body)
  assert.equal(retry.headers['idempotent-replayed'], 'true')
  assert.deepEqual(retry.json(), first.json())

  const rows = await rowsWithKey(team.agency.id, 'retry-1')
  assert.equal(rows.length, 1)
  assert.equal(rows[0].id, first.json().id)
  assert.equal(await metric(restarted, 'ingest_alerts_replayed_total'), 1)

  const otherKey = await app.inject({ method: 'POST', url: INGEST, headers: { ...headers, 'idempotency-key': 'retry-2' }, payload: validAlert() })
  assert.equal(otherKey.statusCode, 201)
  assert.notEqual(otherKey.json().id, first.json().id)
})

test('keys are scoped to the agency: the same key in two agencies makes two alerts', async (t) => {
  const app = await build(t, database.url)
  const a = await createTeam(app, database.db, 'IDEM2A')
  const b = await createTeam(app, database.db, 'IDEM2B')
  const ra = await app.inject({ method: 'POST', url: INGEST, headers: { ...bearer(a.alert_system.token), 'idempotency-key': 'shared' }, payload: validAlert() })
  const rb = await app.inject({ method: 'POST', url: INGEST, headers: { ...bearer(b.alert_system.token), 'idempotency-key': 'shared' }, payload: validAlert() })
  assert.equal(ra.statusCode, 201)
  assert.equal(rb.statusCode, 201)
  assert.notEqual(ra.json().id, rb.json().id)
})

test('20 concurrent requests with one key: one row, one 201, every answer the same id', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'IDEM3')
  const headers = { ...bearer(team.alert_system.token), 'idempotency-key': 'storm' }
  const payload = validAlert()
  const responses = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'POST', url: INGEST, headers, payload })))
  const statuses = responses.map((r) => r.statusCode).sort()
  assert.deepEqual(statuses, [200, ...Array(18).fill(200), 201].sort())
  assert.equal(new Set(responses.map((r) => r.json().id)).size, 1)
  for (const r of responses) assert.equal(r.headers['idempotent-replayed'], r.statusCode === 200 ? 'true' : undefined)
  assert.equal((await rowsWithKey(team.agency.id, 'storm')).length, 1)
})

test('concurrent requests with one key spread over concurrent batches (two apps, many slots): one row', async (t) => {
  const one = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 4 })
  const two = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 4 })
  const team = await createTeam(one, database.db, 'IDEM4')
  const headers = { ...bearer(team.alert_system.token), 'idempotency-key': 'two-replicas' }
  const payload = validAlert()
  const responses = await Promise.all(Array.from({ length: 16 }, (_, i) =>
    (i % 2 ? one : two).inject({ method: 'POST', url: INGEST, headers, payload })))
  assert.equal(responses.filter((r) => r.statusCode === 201).length, 1)
  assert.equal(responses.filter((r) => r.statusCode === 200).length, 15)
  assert.equal(new Set(responses.map((r) => r.json().id)).size, 1)
  assert.equal((await rowsWithKey(team.agency.id, 'two-replicas')).length, 1)
})

/** Two keyed requests queued behind a held batch slot, so they reach the writer in one batch. */
async function sameBatch (t: TestContext, code: string, key: string, payloads: [object, object]) {
  const app = await build(t, database.url, { INGEST_MAX_IN_FLIGHT: 1, INGEST_MAX_WAIT_MS: 0 })
  const team = await createTeam(app, database.db, code)
  const auth = bearer(team.alert_system.token)
  const lock = await blockAlertInserts(database.url)
  const opener = app.inject({ method: 'POST', url: INGEST, headers: auth, payload: validAlert({ title: 'opener' }) })
  await waitFor(() => app.ingest.stats().inFlight === 1, 'the opener batch to start')
  const headers = { ...auth, 'idempotency-key': key }
  const pair = payloads.map((payload) => app.inject({ method: 'POST', url: INGEST, headers, payload }))
  await waitFor(() => app.ingest.stats().queued === 2, 'both keyed requests to queue')
  await lock.release()
  assert.equal((await opener).statusCode, 201)
  const [first, second] = await Promise.all(pair)
  return { first, second, rows: await rowsWithKey(team.agency.id, key) }
}

test('two requests with one key and one payload in the SAME batch: only the first is written, the second replays it', async (t) => {
  const payload = validAlert({ title: 'first' })
  const { first, second, rows } = await sameBatch(t, 'IDEM5', 'same-batch', [payload, payload])
  assert.equal(first.statusCode, 201, first.body)
  assert.equal(second.statusCode, 200, second.body)
  assert.equal(second.headers['idempotent-replayed'], 'true')
  assert.deepEqual(second.json(), first.json())
  assert.equal(rows.length, 1)
  assert.equal(rows[0].title, 'first')
})

test('one key, two payloads in the SAME batch: the first is written, the second is a 422', async (t) => {
  const { first, second, rows } = await sameBatch(t, 'IDEM5B', 'same-batch-two', [validAlert({ title: 'first' }), validAlert({ title: 'second' })])
  assert.equal(first.statusCode, 201, first.body)
  assert.equal(second.statusCode, 422, second.body)
  assert.equal(second.json().detail[0].type, 'idempotency_key_reused')
  assert.equal(rows.length, 1)
  assert.equal(rows[0].title, 'first')
})

test('a key reused with another payload: 422 naming the header, the first alert untouched; the same payload in another key order replays', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'IDEM8')
  const headers = { ...bearer(team.alert_system.token), 'idempotency-key': 'reused' }
  const payload = validAlert({ raw_payload: { a: 1, nested: { x: [1, 2], y: 'z' } } })
  const first = await app.inject({ method: 'POST', url: INGEST, headers, payload })
  assert.equal(first.statusCode, 201, first.body)

  for (const changed of [{ title: 'another title' }, { severity: 'low' }, { raw_payload: { a: 2 } }, { location: undefined }, { building_id: null, source_id: 'other' }]) {
    const res = await app.inject({ method: 'POST', url: INGEST, headers, payload: { ...payload, ...changed } })
    assert.equal(res.statusCode, 422, `${JSON.stringify(changed)}: ${res.body}`)
    assert.deepEqual(res.json(), {
      detail: [{ loc: ['header', 'idempotency-key'], msg: 'This Idempotency-Key was already used with a different payload', type: 'idempotency_key_reused' }],
      code: 'VALIDATION_ERROR'
    })
  }
  const rows = await rowsWithKey(team.agency.id, 'reused')
  assert.equal(rows.length, 1)
  assert.equal(rows[0].title, payload.title)

  // The same alert, its JSON written differently (key order, whitespace): a retry.
  const reordered = JSON.stringify({ ...Object.fromEntries(Object.entries(payload).reverse()), raw_payload: { nested: { y: 'z', x: [1, 2] }, a: 1 } }, null, 2)
  const retry = await app.inject({ method: 'POST', url: INGEST, headers: { ...headers, 'content-type': 'application/json' }, payload: reordered })
  assert.equal(retry.statusCode, 200, retry.body)
  assert.deepEqual(retry.json(), first.json())
  assert.equal(await metric(app, 'ingest_alerts_rejected_total', { reason: 'invalid' }), 5)
})

test('a keyed request whose first attempt was refused can succeed on retry', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'IDEM6')
  const headers = { ...bearer(team.alert_system.token), 'idempotency-key': 'fix-and-retry' }
  const refused = await app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert({ building_id: '00000000-0000-4000-8000-000000000001' }) })
  assert.equal(refused.statusCode, 422)
  const fixed = await app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert() })
  assert.equal(fixed.statusCode, 201, 'a refused alert did not consume the key')
})

test('an empty or oversized Idempotency-Key is a 422, nothing written', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'IDEM7')
  for (const key of ['', 'k'.repeat(256)]) {
    const res = await app.inject({ method: 'POST', url: INGEST, headers: { ...bearer(team.alert_system.token), 'idempotency-key': key }, payload: validAlert() })
    assert.equal(res.statusCode, 422, `key of ${key.length} chars: ${res.body}`)
    assert.equal(res.json().code, 'VALIDATION_ERROR')
  }
  assert.equal((await database.db.select().from(alerts).where(eq(alerts.agencyId, team.agency.id))).length, 0)
})

test('a batch of keyed alerts caught in a deadlock is written again, not failed', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'IDEMLOCK')
  const record = (key: string) => toIngestRecord(validAlert() as AlertIngest, {
    agencyId: team.agency.id, userId: team.alert_system.id, receivedAt: new Date().toISOString(), idempotencyKey: key
  })
  // Another writer (a replica, a script) holds key k2 and will want k1: it waits, but never detects the cycle itself.
  const other = new pg.Client({ connectionString: database.url })
  await other.connect()
  t.after(() => other.end())
  await other.query("begin; set local deadlock_timeout = '30s'")
  const insert = 'insert into alerts (agency_id, source, alert_type, title, idempotency_key) values ($1, $2, $3, $4, $5)'
  await other.query(insert, [team.agency.id, 'manual', 'test', 'held by another writer', 'k2'])

  // Same tick, one batch: its INSERT takes k1, then waits for k2.
  const written = Promise.all([app.ingest.submit(record('k1')), app.ingest.submit(record('k2'))])
  await waitFor(async () => (await other.query(
    "select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()")).rowCount === 1,
  'the batch waiting for k2')
  // The cycle: Postgres rolls the batch's statement back (40P01) after its deadlock_timeout.
  await other.query(insert, [team.agency.id, 'manual', 'test', 'held by another writer', 'k1'])
  await other.query('rollback')

  const answers = await written
  assert.deepEqual(answers, [undefined, undefined], 'both committed by the batch, on its second attempt')
  assert.equal((await rowsWithKey(team.agency.id, 'k1')).length, 1)
  assert.equal((await rowsWithKey(team.agency.id, 'k2')).length, 1)
})
