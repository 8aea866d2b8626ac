// The seed suite's personas, run by real Locust (Debian's python3-locust) against a real server
// process seeded with the standard fixture: zero failures, zero exceptions, every request kind seen.
// The default configuration is used on purpose (rate limiting on, Redis store): it must not get in the way.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedFixture } from '../../../../src/apis/eriop/fixture/index.js'
import { useTestDatabase } from '../../../helper.js'
import { runLocustClean, skipWithoutLocust, startServer } from '../../../locust.js'

const database = useTestDatabase('locust')

test('the seed suite\'s Locust personas run with zero failures', { skip: skipWithoutLocust(), timeout: 240_000 }, async (t) => {
  await seedFixture(database.db)
  const { server, dir } = await startServer(t, { DATABASE_URL: database.url }, 'eriop')
  const { stats, total } = await runLocustClean(server, dir, { file: 'loadtest/eriop/locustfile.py', users: 80, spawnRate: 40, seconds: 25 })
  t.diagnostic(`locust: 80 users, 25 s, ${total['Request Count']} requests, 0 failures, 0 exceptions, p95 ${total['95%']} ms, p99 ${total['99%']} ms`)
  assert.ok(Number(total['Request Count']) > 200, `requests: ${total['Request Count']}`)
  for (const name of [
    '/api/v1/auth/login', 'POST /alerts/ingest', 'GET /incidents/active', 'GET /alerts/pending', 'GET /resources/available',
    'POST /incidents', 'POST /alerts/{id}/acknowledge', 'GET /incidents/{id}', 'GET /alerts/{id}'
  ]) assert.ok(stats.has(name), `${name} was exercised (saw: ${[...stats.keys()].join(', ')})`)
})
