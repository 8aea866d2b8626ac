// clean and reset: the agency and everything under it goes, load-test rows included; nothing else moves.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanFixture, resetFixture, seedFixture } from '../../../../src/apis/eriop/fixture/store.js'
import { bearer, build, createTeam, login, useTestDatabase, validAlert, validIncident } from '../../../helper.js'
import { agencyIdOf, countRows, snapshot } from './support.js'

const database = useTestDatabase('seed_clean')

/** What a load test leaves behind in LOADTEST: an incident, ingested alerts, an acknowledged fixture alert. */
async function runLoadTest (t: Parameters<typeof build>[0]) {
  const app = await build(t, database.url)
  const dispatcher = bearer(await login(app, 'dispatcher5@test.eriop.local'))
  const ingester = bearer(await login(app, 'alertsystem5@test.eriop.local'))
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: dispatcher, payload: validIncident() })).statusCode, 201)
  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: ingester, payload: validAlert() })
    assert.equal(res.statusCode, 201, res.body)
  }
  const [alert] = (await app.inject({ url: '/api/v1/alerts/pending', headers: dispatcher })).json()
  await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge`, headers: dispatcher, payload: { notes: 'x' } })
  return app
}

test('clean removes LOADTEST and everything under it, and touches no other agency', async (t) => {
  await seedFixture(database.db)
  await seedFixture(database.db, { agency: 'CITY2' })
  const app = await runLoadTest(t)
  const team = await createTeam(app, database.db, 'MANUAL') // an agency made through other means
  const loadtest = (await agencyIdOf(database.pool, 'LOADTEST'))!
  const others = await database.pool.query('select id from agencies where code <> $1', ['LOADTEST'])
  assert.equal(others.rowCount, 2)
  const untouched = await Promise.all(others.rows.map((row) => snapshot(database.pool, row.id)))

  const result = await cleanFixture(database.db)
  assert.equal(result.found, true)
  assert.deepEqual(result.removed, { buildings: 50, users: 350, resources: 100, incidents: 51, alerts: 103 })
  assert.equal(await agencyIdOf(database.pool, 'LOADTEST'), undefined)
  assert.deepEqual(await countRows(database.pool, loadtest), { agencies: 0, users: 0, buildings: 0, resources: 0, incidents: 0, alerts: 0 })
  assert.equal((await database.pool.query("select count(*)::int as n from users where email like '%@test.eriop.local'")).rows[0].n, 0)
  assert.deepEqual(await Promise.all(others.rows.map((row) => snapshot(database.pool, row.id))), untouched)
  assert.ok(await login(app, team.admin.email), 'the other agency still logs in')

  const again = await cleanFixture(database.db)
  assert.deepEqual({ found: again.found, removed: again.removed }, { found: false, removed: { buildings: 0, users: 0, resources: 0, incidents: 0, alerts: 0 } })
})

test('clean --agency removes that agency only', async () => {
  await seedFixture(database.db)
  await seedFixture(database.db, { agency: 'CITY2' })
  const before = await snapshot(database.pool, await agencyIdOf(database.pool, 'LOADTEST'))
  const result = await cleanFixture(database.db, { agency: 'city2' })
  assert.equal(result.agency, 'CITY2')
  assert.equal(result.removed.users, 350)
  assert.equal(await agencyIdOf(database.pool, 'CITY2'), undefined)
  assert.deepEqual(await snapshot(database.pool, await agencyIdOf(database.pool, 'LOADTEST')), before)
})

test('reset = clean + seed: load-test rows are gone, the fixture is as new', async (t) => {
  await cleanFixture(database.db)
  await seedFixture(database.db)
  const fresh = await snapshot(database.pool, await agencyIdOf(database.pool, 'LOADTEST'))
  await runLoadTest(t)
  const result = await resetFixture(database.db)
  assert.equal(result.clean.found, true)
  assert.equal(result.clean.removed.alerts, 103)
  assert.deepEqual(result.seed.extraRows, { buildings: 0, users: 0, resources: 0, incidents: 0, alerts: 0 })
  assert.deepEqual(await snapshot(database.pool, await agencyIdOf(database.pool, 'LOADTEST')), fresh)
})

test('reset is one transaction: a failure keeps the old fixture and its load-test rows', async (t) => {
  await runLoadTest(t)
  const before = await snapshot(database.pool)
  await assert.rejects(resetFixture(database.db, {
    onProgress: (e) => { if (e.table === 'resources') throw new Error('injected failure') }
  }), /injected failure/)
  assert.deepEqual(await snapshot(database.pool), before)
})
