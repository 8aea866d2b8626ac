// POST /api/v1/data/ingest: both payloads stored as sent, durable before the answer, replayed
// under an Idempotency-Key, and every bad reading a 422 in FastAPI's shape with nothing stored.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { metric } from '../eriop/ingest/support.js'
import { buildSm, countReadings, originalReading, suiteReading, useSmartMaintenanceDatabase } from './support.js'

const database = useSmartMaintenanceDatabase('ingest')
const INGEST = '/api/v1/data/ingest'

test('the suite\'s payload: 200 event_published, the row is there when the answer is, flags kept in metadata', async (t) => {
  const app = await buildSm(t, database.url)
  const body = suiteReading('stress_sensor_3', { load_test: undefined, stress_test: true })
  const res = await app.inject({ method: 'POST', url: INGEST, payload: body })
  assert.equal(res.statusCode, 200, res.body)
  const answer = res.json()
  assert.equal(answer.status, 'event_published')
  assert.equal(answer.sensor_id, 'stress_sensor_3')
  assert.match(answer.event_id, /^[0-9a-f-]{36}$/)
  assert.match(answer.correlation_id, /^[0-9a-f-]{36}$/)

  const { rows: [row] } = await database.pool.query('select * from smart_maintenance.sensor_readings where id = $1', [answer.event_id])
  assert.ok(row, 'stored before the answer')
  assert.equal(row.sensor_type, 'general')
  assert.equal(row.value, null)
  assert.equal(row.temperature, 55.12)
  assert.equal(row.humidity, 61.3)
  assert.equal(row.quality, 1)
  assert.equal(row.correlation_id, answer.correlation_id)
  assert.deepEqual(row.metadata, { stress_test: true })
  assert.equal(Math.abs(row.timestamp.getTime() - body.timestamp * 1000) < 1, true)
})

test('the original\'s SensorReadingCreate: every field stored, correlation_id echoed', async (t) => {
  const app = await buildSm(t, database.url)
  const body = originalReading()
  const res = await app.inject({ method: 'POST', url: INGEST, payload: body })
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.json().correlation_id, body.correlation_id)
  const { rows: [row] } = await database.pool.query('select * from smart_maintenance.sensor_readings where id = $1', [res.json().event_id])
  assert.equal(row.value, 0.87)
  assert.equal(row.sensor_type, 'vibration')
  assert.equal(row.unit, 'mm/s')
  assert.equal(row.quality, 0.95)
  assert.equal(row.timestamp.toISOString(), body.timestamp)
  assert.deepEqual(row.metadata, body.metadata)
  assert.equal(row.temperature, null)

  // A timestamp without an offset is UTC, as the original stored it.
  const naive = await app.inject({ method: 'POST', url: INGEST, payload: originalReading({ timestamp: '2026-03-01T12:00:00', correlation_id: undefined }) })
  assert.equal(naive.statusCode, 200, naive.body)
  const { rows: [stored] } = await database.pool.query('select timestamp from smart_maintenance.sensor_readings where id = $1', [naive.json().event_id])
  assert.equal(stored.timestamp.toISOString(), '2026-03-01T12:00:00.000Z')
})

test('concurrent readings share group-commit batches and every acknowledged one is stored once', async (t) => {
  const app = await buildSm(t, database.url)
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => app.inject({
    method: 'POST', url: INGEST, payload: suiteReading(`burst_${i % 7}`, { temperature: i })
  })))
  const ids = answers.map((res) => { assert.equal(res.statusCode, 200, res.body); return res.json().event_id as string })
  assert.equal(new Set(ids).size, 200)
  assert.equal(await countReadings(database.pool, 'id = any($1::uuid[])', [ids]), 200)
  assert.equal(await metric(app, 'ingest_readings_committed_total'), 200)
  const batches = await metric(app, 'ingest_batch_size_count')
  assert.ok(batches < 200, `200 readings in ${batches} batches`)
})

test('Idempotency-Key: the same payload again is duplicate_ignored with the first event; another payload is a 422', async (t) => {
  const app = await buildSm(t, database.url)
  const headers = { 'idempotency-key': 'reading-key-1' }
  const body = suiteReading('sensor_003')
  const first = await app.inject({ method: 'POST', url: INGEST, headers, payload: body })
  assert.equal(first.statusCode, 200, first.body)
  assert.equal(first.json().status, 'event_published')

  const again = await app.inject({ method: 'POST', url: INGEST, headers, payload: body })
  assert.equal(again.statusCode, 200, again.body)
  assert.deepEqual(again.json(), { ...first.json(), status: 'duplicate_ignored' })
  assert.equal(again.headers['idempotent-replayed'], 'true')

  // Concurrent retries in one batch: one row, every answer names it.
  const together = await Promise.all(Array.from({ length: 5 }, () => app.inject({ method: 'POST', url: INGEST, headers: { 'idempotency-key': 'reading-key-2' }, payload: body })))
  const events = new Set(together.map((res) => { assert.equal(res.statusCode, 200, res.body); return res.json().event_id }))
  assert.equal(events.size, 1)

  const other = await app.inject({ method: 'POST', url: INGEST, headers, payload: { ...body, temperature: 99 } })
  assert.equal(other.statusCode, 422, other.body)
  assert.deepEqual(other.json().detail[0].loc, ['header', 'idempotency-key'])
  const laterTime = await app.inject({ method: 'POST', url: INGEST, headers, payload: { ...body, timestamp: '2031-01-01T00:00:00Z' } })
  assert.equal(laterTime.statusCode, 422, 'another timestamp is another payload')

  // Without a timestamp the reading gets the attempt's time: a retry is still the same reading.
  const { timestamp: _, ...untimed } = body
  const keyed = { 'idempotency-key': 'reading-key-3' }
  const untimedFirst = await app.inject({ method: 'POST', url: INGEST, headers: keyed, payload: untimed })
  assert.equal(untimedFirst.statusCode, 200, untimedFirst.body)
  await new Promise((resolve) => setTimeout(resolve, 5))
  const untimedAgain = await app.inject({ method: 'POST', url: INGEST, headers: keyed, payload: untimed })
  assert.equal(untimedAgain.statusCode, 200, untimedAgain.body)
  assert.deepEqual(untimedAgain.json(), { ...untimedFirst.json(), status: 'duplicate_ignored' })
  const untimedTogether = await Promise.all(Array.from({ length: 3 }, () => app.inject({ method: 'POST', url: INGEST, headers: { 'idempotency-key': 'reading-key-4' }, payload: untimed })))
  assert.equal(new Set(untimedTogether.map((res) => { assert.equal(res.statusCode, 200, res.body); return res.json().event_id })).size, 1)
  assert.equal(await countReadings(database.pool, "idempotency_key in ('reading-key-1', 'reading-key-2', 'reading-key-3', 'reading-key-4')"), 4)
})

test('bad readings: 422 {detail: [{loc, msg, type}]} at the right place, never a 5xx, nothing stored', async (t) => {
  const app = await buildSm(t, database.url)
  const before = await countReadings(database.pool)
  const cases: [string, unknown, (string | number)[]][] = [
    ['no sensor_id', { value: 1 }, ['body', 'sensor_id']],
    ['empty sensor_id', { sensor_id: '', value: 1 }, ['body', 'sensor_id']],
    ['sensor_id too long', { sensor_id: 'x'.repeat(101), value: 1 }, ['body', 'sensor_id']],
    ['NUL in sensor_id', { sensor_id: 'a\u0000b', value: 1 }, ['body', 'sensor_id']],
    ['no value and no feature', { sensor_id: 's' }, ['body', 'value']],
    ['value as text', { sensor_id: 's', value: '1' }, ['body', 'value']],
    ['quality above 1', { sensor_id: 's', value: 1, quality: 1.5 }, ['body', 'quality']],
    ['quality below 0', { sensor_id: 's', value: 1, quality: -0.1 }, ['body', 'quality']],
    ['temperature out of range', { sensor_id: 's', temperature: 1e300 }, ['body', 'temperature']],
    ['timestamp negative', { sensor_id: 's', value: 1, timestamp: -5 }, ['body', 'timestamp']],
    ['timestamp past 2100', { sensor_id: 's', value: 1, timestamp: 1e12 }, ['body', 'timestamp']],
    ['timestamp not a date', { sensor_id: 's', value: 1, timestamp: 'yesterday' }, ['body', 'timestamp']],
    ['timestamp year 9999', { sensor_id: 's', value: 1, timestamp: '9999-01-01T00:00:00Z' }, ['body', 'timestamp']],
    ['correlation_id not a uuid', { sensor_id: 's', value: 1, correlation_id: 'abc' }, ['body', 'correlation_id']],
    ['metadata not an object', { sensor_id: 's', value: 1, metadata: [1] }, ['body', 'metadata']],
    ['NUL inside metadata', { sensor_id: 's', value: 1, metadata: { note: 'a\u0000' } }, ['body']],
    ['lone surrogate in metadata', { sensor_id: 's', value: 1, metadata: { note: '\ud800' } }, ['body']],
    ['unit too long', { sensor_id: 's', value: 1, unit: 'u'.repeat(21) }, ['body', 'unit']],
    ['load_test not a boolean', { sensor_id: 's', value: 1, load_test: 'yes' }, ['body', 'load_test']],
    ['body an array', [{ sensor_id: 's', value: 1 }], ['body']],
    ['body null', null, ['body']]
  ]
  for (const [name, payload, loc] of cases) {
    const res = await app.inject({ method: 'POST', url: INGEST, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) })
    assert.equal(res.statusCode, 422, `${name}: ${res.body}`)
    const detail = res.json().detail
    assert.ok(Array.isArray(detail) && detail.length > 0, `${name}: ${res.body}`)
    assert.deepEqual(detail[0].loc.slice(0, loc.length), loc, `${name}: ${res.body}`)
    assert.equal(typeof detail[0].msg, 'string')
    assert.equal(typeof detail[0].type, 'string')
  }
  const raw: [string, string, string, number][] = [
    ['metadata nested 10,000 deep', 'application/json', `{"sensor_id":"s","value":1,"metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`, 422],
    ['broken JSON', 'application/json', '{"sensor_id": ', 422],
    ['empty body', 'application/json', '', 422],
    ['text body', 'text/plain', 'sensor_id=s', 415],
    ['bad Idempotency-Key (too long)', 'application/json', JSON.stringify({ sensor_id: 's', value: 1 }), 422]
  ]
  for (const [name, type, payload, status] of raw) {
    const headers: Record<string, string> = { 'content-type': type }
    if (name.includes('Idempotency')) headers['idempotency-key'] = 'k'.repeat(256)
    const res = await app.inject({ method: 'POST', url: INGEST, headers, payload })
    assert.equal(res.statusCode, status, `${name}: ${res.body}`)
    assert.ok('detail' in res.json(), `${name}: ${res.body}`)
  }
  assert.equal(await countReadings(database.pool), before, 'nothing was stored')
  assert.equal(await metric(app, 'http_requests_total', { status_code: '500' }), 0)
})
