// `npm run seed -- --api pggit`: the fixture the suite needs, idempotent, restoring what load tests changed.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { pggitFixture } from '../../../src/apis/pggit/fixture/store.js'
import { auth, buildPggit, pggitDatabase } from './support.js'

const database = pggitDatabase('pggit_fixture')

const seedCli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'seed/cli.ts', '--api', 'pggit', ...args], {
  encoding: 'utf8', env: { ...process.env, DATABASE_URL: database.url }, timeout: 60_000
})

test('seed through the CLI: webhook 1 and alert 1 exist, verify passes, a second seed writes the same rows', async () => {
  const first = seedCli('seed')
  assert.equal(first.status, 0, first.stderr)
  assert.match(first.stdout, /5 webhooks, 400 alert_delivery_queue, \d+ webhook_deliveries/)
  const verify = seedCli('verify')
  assert.equal(verify.status, 0, verify.stdout)
  const again = seedCli('seed')
  assert.equal(again.stdout.replace(/ in [\d.]+ s/, ''), first.stdout.replace(/ in [\d.]+ s/, ''))
  const [counts] = (await database.db.execute<{ webhooks: number, alerts: number }>(sql`
    select (select count(*)::int from pggit.webhooks) as webhooks, (select count(*)::int from pggit.alert_delivery_queue) as alerts`)).rows
  assert.deepEqual(counts, { webhooks: 5, alerts: 400 })
})

test('a load test\'s changes are undone by seeding again; clean removes everything', async (t) => {
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { PGGIT_CACHE_ENABLED: false })
  await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', headers: auth, payload: {} })
  await app.inject({ method: 'PUT', url: '/api/v1/webhooks/1', headers: auth, payload: { name: 'renamed by a load test' } })
  const created = await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: auth, payload: { name: 'extra', url: 'https://example.com/x' } })
  assert.equal(created.json().id, 6)

  await pggitFixture.seed(database.db)
  assert.equal((await app.inject({ url: '/api/v1/alerts/1', headers: auth })).json().acknowledged, false)
  assert.equal((await app.inject({ url: '/api/v1/webhooks/1', headers: auth })).json().name, 'Ops alerts')
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: auth, payload: { name: 'next', url: 'https://example.com/y' } })).json().id, 7, 'ids go on after the added rows')

  const removed = await pggitFixture.clean(database.db)
  assert.equal(removed.webhooks, 7)
  assert.equal(await pggitFixture.empty(database.db), true)
  assert.equal(await pggitFixture.present(database.db), false)
})
