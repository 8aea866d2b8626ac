// The delivery simulator: deterministic from its seed, one tick per claim across replicas, and
// the figures it moves.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { pggitFixture } from '../../../src/apis/pggit/fixture/store.js'
import { drawAttempt, profileOf, rngFor } from '../../../src/apis/pggit/simulator/draw.js'
import { claimAndRunTick, runTick } from '../../../src/apis/pggit/simulator/tick.js'
import { auth, buildPggit, pggitDatabase } from './support.js'

const database = pggitDatabase('pggit_simulator')

async function history () {
  const { rows: alerts } = await database.db.execute(sql`select alert_id, webhook_id, alert_type, severity, message from pggit.alert_delivery_queue order by alert_id`)
  const { rows: deliveries } = await database.db.execute<{ alert_id: number, attempt: number }>(sql`
    select webhook_id, alert_id, attempt, success, http_status, response_time_ms, error from pggit.webhook_deliveries order by id`)
  return { alerts, attempts: new Map(deliveries.map((d) => [`${d.alert_id}:${d.attempt}`, d])) }
}

async function simulate (seed: number, ticks: number) {
  await pggitFixture.clean(database.db)
  await pggitFixture.seed(database.db)
  for (let tick = 1; tick <= ticks; tick++) await database.db.transaction((tx) => runTick(tx, seed, 3.5, tick))
  return history()
}

/**
 * Which attempts a run makes depends on the clock (a retry is due seconds later), not on the seed;
 * what each tick queues and what each attempt of an alert gives depend on the seed alone.
 */
test('the same seed gives the same alerts, outcomes and latencies; another seed does not', async () => {
  const first = await simulate(7, 12)
  const again = await simulate(7, 12)
  const other = await simulate(8, 12)
  assert.ok(first.alerts.length > 400, 'ticks queued alerts')
  assert.deepEqual(again.alerts, first.alerts)
  const shared = [...first.attempts.keys()].filter((key) => again.attempts.has(key))
  assert.ok(shared.length > 421, 'both runs attempted the fixture\'s history and more')
  for (const key of shared) assert.deepEqual(again.attempts.get(key), first.attempts.get(key), key)
  assert.notDeepEqual(other.alerts, first.alerts)
})

test('a draw depends only on the seed and what is drawn', () => {
  const draw = () => drawAttempt(rngFor(15, 2, 123, 1), profileOf(15, 3), 30)
  assert.deepEqual(draw(), draw())
  assert.ok(profileOf(15, 3).failureRate >= 0.1, 'webhook 3 is the flaky one')
})

test('replicas claiming the same tick: exactly one runs it', async () => {
  await pggitFixture.clean(database.db)
  await pggitFixture.seed(database.db)
  const results = await Promise.all([1, 2, 3].map(() => claimAndRunTick(database.db, { seed: 1, rate: 2 })))
  assert.equal(results.filter(Boolean).length, 1)
  assert.equal(await claimAndRunTick(database.db, { seed: 1, rate: 2 }), null, 'the next tick is not due for a second')
  const [state] = (await database.db.execute<{ tick: string }>(sql`select tick from pggit.simulator_state`)).rows
  assert.equal(Number(state.tick), 1)
})

test('on by rate: the running server queues and delivers, and the dashboard follows', async (t) => {
  await pggitFixture.clean(database.db)
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { PGGIT_SIMULATOR_RATE: 5, PGGIT_CACHE_ENABLED: false })
  const overview = async () => (await app.inject({ url: '/api/v1/dashboard/overview', headers: auth })).json()
  const before = await overview()
  await new Promise((resolve) => setTimeout(resolve, 3500))
  const after = await overview()
  assert.ok(after.total_deliveries > before.total_deliveries, `${before.total_deliveries} → ${after.total_deliveries}`)
  const [counts] = (await database.db.execute<{ delivered: number }>(sql`select count(*)::int as delivered from pggit.webhook_deliveries where created_at > now() - interval '10 seconds'`)).rows
  assert.ok(counts.delivered > 0, 'delivery attempts were made')
})
