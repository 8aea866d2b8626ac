// Our re-creation of EUCORA's public Locust suite (loadtest/eucora/locustfile.py, the same requests)
// run by real Locust against a real server process (API=eucora) seeded with the fixture: zero
// failures, zero exceptions, every class and task seen.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { useTestDatabase } from '../../helper.js'
import { runLocustClean, skipWithoutLocust, startServer } from '../../locust.js'

const database = useTestDatabase('eucora_locust', EUCORA_MIGRATIONS)
const USERS = 40
const SECONDS = 25

// The suite names requests by their URL, random ids included: group them by route.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const route = (row: Record<string, string>) => `${row.Type} ${row.Name.replace(UUID, '{id}')}`

test('EUCORA\'s Locust traffic runs with zero failures and zero exceptions', { skip: skipWithoutLocust(), timeout: 180_000 }, async (t) => {
  await eucoraFixture.seed(database.db)
  const { server, dir } = await startServer(t, { API: 'eucora', DATABASE_URL: database.url }, 'eucora')
  const { stats, total } = await runLocustClean(server, dir, { file: 'loadtest/eucora/locustfile.py', users: USERS, spawnRate: USERS, seconds: SECONDS })

  t.diagnostic(`locust: ${USERS} users, ${SECONDS} s, ${total['Request Count']} requests, 0 failures, 0 exceptions, p50 ${total['50%']} ms, p95 ${total['95%']} ms, p99 ${total['99%']} ms`)
  const routes = new Set([...stats.values()].filter((row) => row.Name !== 'Aggregated').map(route))
  for (const expected of [
    'POST /api/v1/deployments/', 'GET /api/v1/deployments/?limit=50', 'GET /api/v1/deployments/{id}/',
    'GET /api/v1/cab/pending/?limit=100', 'POST /api/v1/cab/{id}/approve/', 'POST /api/v1/cab/{id}/reject/',
    'POST /api/v1/connectors/publish/', 'GET /api/v1/connectors/status/{id}/', 'POST /api/v1/connectors/remediate/'
  ]) assert.ok(routes.has(expected), `${expected} was exercised (saw: ${[...routes].join(', ')})`)

  // What the classes did is in Postgres: burst users created at login and their deployments,
  // loadtest_user's deployments, and approvals decided by cab_approver from the listed queue.
  const { rows: [state] } = await database.db.execute<{ burst_users: number, burst_deployments: number, suite_deployments: number, approved: number }>(sql`
    select (select count(*)::int from eucora.users where provisioned and username ~ '^burst_user_[0-9a-f]{8}$') as burst_users,
      (select count(*)::int from eucora.deployment_intents d join eucora.users u on u.id = d.submitter_id where u.provisioned and d.app_name like 'burst-%') as burst_deployments,
      (select count(*)::int from eucora.deployment_intents d join eucora.users u on u.id = d.submitter_id where u.username = 'loadtest_user' and d.app_name ~ '-[0-9a-f]{8}$') as suite_deployments,
      (select count(*)::int from eucora.cab_approvals a join eucora.users u on u.id = a.approver_id where u.username = 'cab_approver' and a.decision = 'APPROVED') as approved`)
  assert.ok(state.burst_users >= 1, `burst users provisioned: ${JSON.stringify(state)}`)
  assert.ok(state.burst_deployments > 0 && state.suite_deployments > 0 && state.approved > 0, JSON.stringify(state))
  t.diagnostic(`database after the run: ${JSON.stringify(state)}`)
})
