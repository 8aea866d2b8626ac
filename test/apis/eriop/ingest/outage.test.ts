// Postgres unreachable, killed under the writer, or too slow: ingest answers 503 + Retry-After
// (never 500, never a false 201), and recovers by itself, without a restart, when Postgres is back.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import type { App } from '../../../../src/app.js'
import { alerts } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'
import { blockAlertInserts, metric, switchablePostgres, terminateBackends, waitFor } from './support.js'

const database = useTestDatabase('ingest_outage')
const INGEST = '/api/v1/alerts/ingest'

async function storedIds (agencyId: string) {
  return (await database.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.agencyId, agencyId))).map((r) => r.id).sort()
}

function assertUnavailable (res: Awaited<ReturnType<App['inject']>>) {
  assert.equal(res.statusCode, 503, res.body)
  assert.equal(res.headers['retry-after'], '1')
  assert.deepEqual(res.json(), { detail: 'Database unavailable, retry shortly', code: 'DATABASE_UNAVAILABLE' })
}

test('Postgres stops (connections cut, port closed): 503 + Retry-After; back up: 201 again, same process', async (t) => {
  const relay = await switchablePostgres()
  t.after(() => relay.down())
  const app = await build(t, relay.url(database.url))
  const team = await createTeam(app, database.db, 'OUT1')
  const headers = bearer(team.alert_system.token)
  const send = () => app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert() })

  const before = await send()
  assert.equal(before.statusCode, 201, before.body)

  await relay.down()
  // One at a time, then a concurrent group sharing batches: all refused, none a 500.
  for (let i = 0; i < 3; i++) assertUnavailable(await send())
  for (const res of await Promise.all(Array.from({ length: 20 }, send))) assertUnavailable(res)
  assert.equal(await metric(app, 'ingest_alerts_rejected_total', { reason: 'unavailable' }), 23)

  await relay.up()
  let after: Awaited<ReturnType<typeof send>> | undefined
  await waitFor(async () => {
    after = await send()
    if (after.statusCode !== 201) assertUnavailable(after)
    return after.statusCode === 201
  }, 'ingest to recover')
  const more = await Promise.all(Array.from({ length: 10 }, send))
  for (const res of more) assert.equal(res.statusCode, 201)

  assert.deepEqual(await storedIds(team.agency.id), [before, after!, ...more].map((r) => r.json().id).sort(), 'exactly the acknowledged alerts')
  assert.equal(await metric(app, 'http_requests_total', { status_code: '500' }), 0)
})

test('backends terminated (pg_terminate_backend) again and again during a burst: only 201 or 503, every 201 stored', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'OUT2')
  const headers = bearer(team.alert_system.token)
  const acknowledged: string[] = []
  const statuses = new Map<number, number>()
  const run = { stopped: false }
  const client = async () => {
    while (!run.stopped) {
      const res = await app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert() })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      if (res.statusCode === 201) acknowledged.push(res.json().id)
      else assertUnavailable(res)
    }
  }
  const clients = Array.from({ length: 20 }, client)

  let terminated = 0
  for (let round = 0; round < 5; round++) {
    const target = acknowledged.length + 100
    await waitFor(() => acknowledged.length >= target, `100 more acknowledgements (round ${round})`)
    terminated += await terminateBackends(database.name)
  }
  run.stopped = true
  await Promise.all(clients)
  assert.ok(terminated > 0, 'backends were terminated')
  assert.deepEqual([...statuses.keys()].filter((s) => s !== 201 && s !== 503), [], JSON.stringify([...statuses]))

  // Every acknowledged alert is stored. Beyond those, a row may be stored whose answer was a 503:
  // its COMMIT went through but the connection died before saying so, and the retry on a fresh
  // connection failed too. Never more of those than 503s.
  const stored = new Set(await storedIds(team.agency.id))
  assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), [], 'no acknowledged alert is missing')
  assert.ok(stored.size - acknowledged.length <= (statuses.get(503) ?? 0), `${stored.size - acknowledged.length} unacknowledged rows`)
  const after = await app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert() })
  assert.equal(after.statusCode, 201, 'recovered')
})

test('Postgres blocked past the statement timeout: 503, then 201 once it moves again', async (t) => {
  const app = await build(t, database.url, { DB_STATEMENT_TIMEOUT_MS: 300 })
  const team = await createTeam(app, database.db, 'OUT3')
  const headers = bearer(team.alert_system.token)
  const lock = await blockAlertInserts(database.url)
  let released = false
  t.after(async () => { if (!released) await lock.release() })

  const blocked = await Promise.all(Array.from({ length: 5 }, () => app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert() })))
  for (const res of blocked) assertUnavailable(res)

  await lock.release()
  released = true
  const res = await app.inject({ method: 'POST', url: INGEST, headers, payload: validAlert() })
  assert.equal(res.statusCode, 201)
  assert.deepEqual(await storedIds(team.agency.id), [res.json().id])
})
