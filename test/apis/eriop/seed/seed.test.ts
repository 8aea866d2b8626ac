// seedFixture against the real Postgres: exact counts, idempotency, restore, scale, atomicity.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { fixtureId } from '../../../../src/apis/eriop/fixture/fixture.js'
import { FixtureError, fixtureStatus, seedDatabase, seedFixture, withDatabase } from '../../../../src/apis/eriop/fixture/store.js'
import { bearer, build, createAgency, createUser, databaseUrl, dropDatabase, login, useTestDatabase, validIncident } from '../../../helper.js'
import { agencyIdOf, countRows, snapshot } from './support.js'

const database = useTestDatabase('seed_store')
const LOADTEST_ID = fixtureId('LOADTEST', 'agency', 1)

async function count (sql: string, params: unknown[] = []) {
  const { rows } = await database.pool.query(`select count(*)::int as n from (${sql}) q`, params)
  return rows[0].n as number
}

test('seed creates exactly the standard fixture', async () => {
  const result = await seedFixture(database.db)
  assert.equal(result.agency, 'LOADTEST')
  assert.equal(result.agencyId, LOADTEST_ID)
  assert.deepEqual(result.written, { buildings: 50, users: 350, resources: 100, incidents: 50, alerts: 100 })
  assert.ok(result.durationMs < 10_000)

  const { rows: [agency] } = await database.pool.query('select * from agencies where code = $1', ['LOADTEST'])
  assert.equal(agency.name, 'Load Test Agency')
  assert.equal(agency.id, LOADTEST_ID)
  assert.deepEqual(await countRows(database.pool, LOADTEST_ID), { agencies: 1, users: 350, buildings: 50, resources: 100, incidents: 50, alerts: 100 })

  const byRole = await database.pool.query('select role, count(*)::int as n from users where agency_id = $1 group by role order by role', [LOADTEST_ID])
  assert.deepEqual(byRole.rows, [{ role: 'dispatcher', n: 100 }, { role: 'responder', n: 200 }, { role: 'alert_system', n: 50 }])
  assert.equal(await count("select 1 from users where email ~ '^(dispatcher([1-9][0-9]?|100)|responder([1-9][0-9]?|1[0-9][0-9]|200)|alertsystem([1-9]|[1-4][0-9]|50))@test\\.eriop\\.local$' and is_verified"), 350)
  assert.equal(await count("select 1 from users where role = 'responder' and badge_number ~ '^R0[0-2][0-9][0-9]$'"), 200)
  assert.equal(await count("select 1 from resources where status = 'available'"), 75)
  assert.deepEqual((await database.pool.query(
    "select resource_type, count(*)::int as n from resources where status = 'available' group by 1 order by 1")).rows,
  [{ resource_type: 'personnel', n: 30 }, { resource_type: 'vehicle', n: 30 }, { resource_type: 'equipment', n: 15 }])
  assert.equal(await count("select 1 from incidents where status in ('new', 'assigned', 'en_route', 'on_scene') and incident_number ~ '^INC-LOAD-00[0-5][0-9]$'"), 50)
  assert.equal(await count("select 1 from alerts where status = 'pending'"), 50)
  assert.equal(await count("select 1 from alerts where status = 'acknowledged' and acknowledged_by is not null"), 50)
})

test('the fixture users log in through the API, with their role, badge and agency', async (t) => {
  await seedFixture(database.db)
  const app = await build(t, database.url)
  for (const [email, role, badge] of [
    ['dispatcher1@test.eriop.local', 'dispatcher', 'D0001'],
    ['Responder200@test.eriop.local', 'responder', 'R0200'],
    ['alertsystem50@test.eriop.local', 'alert_system', 'S0050']
  ]) {
    const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(await login(app, email)) })
    assert.equal(me.statusCode, 200, me.body)
    assert.deepEqual(
      { email: me.json().email, role: me.json().role, agency_id: me.json().agency_id, badge_number: me.json().badge_number, is_verified: me.json().is_verified },
      { email: email.toLowerCase(), role, agency_id: LOADTEST_ID, badge_number: badge, is_verified: true })
  }
  const dispatcher = bearer(await login(app, 'dispatcher2@test.eriop.local'))
  const active = await app.inject({ url: '/api/v1/incidents/active', headers: dispatcher })
  assert.equal(active.json().length, 50)
  const pending = await app.inject({ url: '/api/v1/alerts/pending', headers: dispatcher })
  assert.equal(pending.json().length, 50)
  const available = await app.inject({ url: '/api/v1/resources/available', headers: dispatcher })
  assert.equal(available.json().length, 75)
})

test('idempotent: seeding again leaves the same data, byte for byte', async () => {
  await seedFixture(database.db)
  const before = await snapshot(database.pool)
  const again = await seedFixture(database.db)
  assert.deepEqual(again.removedStale, { buildings: 0, users: 0, resources: 0, incidents: 0, alerts: 0 })
  assert.deepEqual(await snapshot(database.pool), before)
})

test('seed restores what a load test changed and leaves what it added', async (t) => {
  await seedFixture(database.db)
  const seeded = await snapshot(database.pool, LOADTEST_ID)
  const app = await build(t, database.url)
  const dispatcher = bearer(await login(app, 'dispatcher1@test.eriop.local'))
  const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: dispatcher, payload: validIncident() })
  assert.equal(created.statusCode, 201, created.body)
  const [firstPending] = (await app.inject({ url: '/api/v1/alerts/pending', headers: dispatcher })).json()
  const ack = await app.inject({ method: 'POST', url: `/api/v1/alerts/${firstPending.id}/acknowledge`, headers: dispatcher, payload: { notes: 'load test' } })
  assert.equal(ack.statusCode, 200, ack.body)
  await database.pool.query("update users set locked_until = now() + interval '1 hour', is_active = false where email = 'responder3@test.eriop.local'")
  await database.pool.query("update resources set status = 'en_route' where call_sign = 'P-001' and agency_id = $1", [LOADTEST_ID])

  const result = await seedFixture(database.db)
  assert.deepEqual(result.extraRows, { buildings: 0, users: 0, resources: 0, incidents: 1, alerts: 0 })
  const restored = await snapshot(database.pool, LOADTEST_ID)
  const withoutExtra = restored.incidents.filter((row) => (row as { id: string }).id !== created.json().id)
  assert.equal(restored.incidents.length, 51, 'the incident the load test created is still there')
  // Logging in stamped last_login_at; everything else is back as seeded.
  const stripLogin = (rows: unknown[]) => rows.map((row) => ({ ...(row as object), last_login_at: null }))
  assert.deepEqual({ ...restored, incidents: withoutExtra, users: stripLogin(restored.users) }, { ...seeded, users: stripLogin(seeded.users) })
  await database.pool.query('delete from incidents where id = $1', [created.json().id]) // later tests count incidents
})

test('--scale multiplies every count; a smaller scale removes the rows of the larger one', async () => {
  const big = await seedFixture(database.db, { scale: 3 })
  assert.deepEqual(big.written, { buildings: 150, users: 1050, resources: 300, incidents: 150, alerts: 300 })
  assert.deepEqual(await countRows(database.pool, LOADTEST_ID), { agencies: 1, users: 1050, buildings: 150, resources: 300, incidents: 150, alerts: 300 })
  assert.equal(await count("select 1 from users where email = 'dispatcher300@test.eriop.local'"), 1)
  assert.equal(await count("select 1 from resources where status = 'available'"), 225)
  assert.equal(await count("select 1 from alerts where status = 'pending'"), 150)
  assert.equal(await count("select 1 from incidents where incident_number = 'INC-LOAD-0150'"), 1)
  assert.deepEqual(await fixtureStatus(database.db), { exists: true, agencyId: LOADTEST_ID, scale: 3 })

  const small = await seedFixture(database.db, { scale: 1 })
  assert.deepEqual(small.removedStale, { buildings: 100, users: 700, resources: 200, incidents: 100, alerts: 200 })
  assert.deepEqual(await countRows(database.pool, LOADTEST_ID), { agencies: 1, users: 350, buildings: 50, resources: 100, incidents: 50, alerts: 100 })
  assert.deepEqual(await fixtureStatus(database.db), { exists: true, agencyId: LOADTEST_ID, scale: 1 })
})

test('atomic: a failure in the middle leaves nothing half-made', async () => {
  // A new agency: nothing of it may remain.
  await assert.rejects(seedFixture(database.db, {
    agency: 'ATOMIC',
    onProgress: (e) => { if (e.table === 'incidents') throw new Error('injected failure') }
  }), /injected failure/)
  assert.equal(await agencyIdOf(database.pool, 'ATOMIC'), undefined)
  assert.equal(await count("select 1 from users where email like '%@atomic.test.eriop.local'"), 0)
  assert.equal(await count('select 1 from buildings where agency_id = $1', [fixtureId('ATOMIC', 'agency', 1)]), 0)

  // An existing fixture: a failed re-seed at another scale changes nothing.
  await seedFixture(database.db)
  await database.pool.query("update alerts set status = 'dismissed' where source_id = 'device_1001'")
  const before = await snapshot(database.pool)
  await assert.rejects(seedFixture(database.db, {
    scale: 2,
    onProgress: (e) => { if (e.table === 'alerts') throw new Error('injected failure') }
  }), /injected failure/)
  assert.deepEqual(await snapshot(database.pool), before)
  await seedFixture(database.db)
})

test('independent agencies share one database; ifMissing does not touch an existing fixture', async () => {
  await seedFixture(database.db)
  const city = await seedFixture(database.db, { agency: 'city2' })
  assert.equal(city.agency, 'CITY2')
  assert.equal(await count("select 1 from users where email like '%@city2.test.eriop.local'"), 350)
  assert.equal(await count("select 1 from incidents where incident_number like 'INC-CITY2-%'"), 50)
  assert.equal(await count('select 1 from users where agency_id = $1', [LOADTEST_ID]), 350, 'LOADTEST untouched')

  await database.pool.query("update alerts set status = 'dismissed' where source_id = 'device_1001' and agency_id = $1", [city.agencyId])
  const skipped = await seedFixture(database.db, { agency: 'CITY2', ifMissing: true })
  assert.equal(skipped.skipped, true)
  assert.equal(await count("select 1 from alerts where status = 'dismissed' and agency_id = $1", [city.agencyId]), 1)
})

test('an agency with the fixture code but not made by the seeder is replaced', async () => {
  const foreign = await createAgency(database.db, 'FOREIGN', 'Someone else')
  const result = await seedFixture(database.db, { agency: 'FOREIGN' })
  assert.equal(result.replacedForeignAgency, true)
  assert.notEqual(result.agencyId, foreign.id)
  assert.equal(await agencyIdOf(database.pool, 'FOREIGN'), fixtureId('FOREIGN', 'agency', 1))
})

test('a fixture e-mail taken by another agency is a clear error, and nothing is written', async () => {
  const other = await createAgency(database.db, 'OTHERCO')
  await createUser(database.db, other.id, 'dispatcher', 'dispatcher1@taken.test.eriop.local')
  await assert.rejects(seedFixture(database.db, { agency: 'TAKEN' }), (err: Error) =>
    err instanceof FixtureError && /Key \(email\)=\(dispatcher1@taken\.test\.eriop\.local\) already exists/.test(err.message) && err.message.length < 300)
  assert.equal(await agencyIdOf(database.pool, 'TAKEN'), undefined)
})

const freshName = `eriop_test_seed_store_new_${process.pid}`
after(() => dropDatabase(freshName))

test('seedDatabase creates and migrates a missing database, then seeds it (the API\'s first start)', async () => {
  const url = databaseUrl(freshName)
  await dropDatabase(freshName)
  const first = await seedDatabase(url, { ifMissing: true })
  assert.equal(first.skipped, false)
  assert.equal(first.written.users, 350)
  const second = await seedDatabase(url, { ifMissing: true })
  assert.equal(second.skipped, true)
  const status = await withDatabase(url, (db) => fixtureStatus(db))
  assert.deepEqual(status, { exists: true, agencyId: LOADTEST_ID, scale: 1 })
})
