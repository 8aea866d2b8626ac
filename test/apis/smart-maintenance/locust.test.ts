// The smart-maintenance suite's traffic (loadtest/smart-maintenance/locustfile.py), run by real
// Locust against a real server process (API=smart-maintenance) with its fixture: zero failures,
// zero exceptions, every request kind seen, and every answered ingest stored.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedFixture } from '../../../src/apis/smart-maintenance/fixture/store.js'
import { runLocustClean, skipWithoutLocust, startServer } from '../../locust.js'
import { countReadings, useSmartMaintenanceDatabase } from './support.js'

const database = useSmartMaintenanceDatabase('locust')

test('the smart-maintenance suite runs with zero failures and zero exceptions', { skip: skipWithoutLocust(), timeout: 180_000 }, async (t) => {
  await seedFixture(database.db)
  const before = await countReadings(database.pool)
  const { server, dir } = await startServer(t, { API: 'smart-maintenance', DATABASE_URL: database.url }, 'sm')
  const { stats, total } = await runLocustClean(server, dir, { file: 'loadtest/smart-maintenance/locustfile.py', users: 50, spawnRate: 25, seconds: 25 })

  t.diagnostic(`locust: 50 users, 25 s, ${total['Request Count']} requests, 0 failures, p95 ${total['95%']} ms, p99 ${total['99%']} ms`)
  assert.ok(Number(total['Request Count']) > 300, `requests: ${total['Request Count']}`)
  for (const name of ['health_check', 'data_ingest', 'ml_prediction', 'ml_models_list', 'metrics', 'db_query', 'stress_ingest']) {
    assert.ok(stats.has(name), `${name} was exercised (saw: ${[...stats.keys()].join(', ')})`)
  }
  // Every ingest Locust recorded (all 200s: no failures) is a stored row. A few more may be stored:
  // requests Locust cut off while stopping its 50 users, after the server had committed them (seen:
  // up to 60 on a busy machine, so the bound is two per user).
  const ingested = Number(stats.get('data_ingest')!['Request Count']) + Number(stats.get('stress_ingest')!['Request Count'])
  const stored = await countReadings(database.pool) - before
  assert.ok(stored >= ingested && stored <= ingested + 100, `stored ${stored}, recorded ${ingested}`)
})
