// Deployment intents: the risk score as the README explains it, the CAB gate, what Postgres holds.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { appFactor, riskScore, versionNovelty } from '../../../src/apis/eucora/risk.js'
import { build, useTestDatabase } from '../../helper.js'
import { bearer, login, postForm } from './support.js'

const database = useTestDatabase('eucora_deployments', EUCORA_MIGRATIONS)

test('risk score: ring weight + version novelty + app factor, 0–100, the same for the same input', () => {
  assert.equal(versionNovelty('2.0.0'), 15)
  assert.equal(versionNovelty('2.3.0'), 8)
  assert.equal(versionNovelty('2.3.4'), 2)
  assert.equal(versionNovelty('2.0.0-rc.1'), 20)
  assert.equal(versionNovelty('latest'), 10)
  const factor = appFactor('nginx-1a2b3c4d')
  assert.ok(factor >= 0 && factor <= 20)
  assert.equal(appFactor('NGINX-1a2b3c4d'), factor, 'case does not matter')
  assert.equal(riskScore('nginx-1a2b3c4d', '1.2.3', 'GLOBAL'), 60 + 2 + factor)
  assert.equal(riskScore('nginx-1a2b3c4d', '1.2.3', 'LAB'), 0 + 2 + factor)
  for (let i = 0; i < 200; i++) {
    const score = riskScore(`app-${i}`, `${i % 5}.${i % 3}.${i % 2}`, (['LAB', 'CANARY', 'PILOT', 'DEPARTMENT', 'GLOBAL'] as const)[i % 5])
    assert.ok(Number.isInteger(score) && score >= 0 && score <= 100)
  }
})

test('create: 201 with the score; above the threshold AWAITING_CAB and a pending approval, both in Postgres', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'loadtest_user')
  const evidence = '1b4e28ba-2fa1-11d2-883f-0016d3cca427'

  const high = await postForm(app, '/api/v1/deployments/', { app_name: 'nginx-00000001', version: '3.0.0', target_ring: 'GLOBAL', evidence_pack_id: evidence }, token)
  assert.equal(high.statusCode, 201, high.body)
  const h = high.json()
  assert.equal(h.risk_score, riskScore('nginx-00000001', '3.0.0', 'GLOBAL'))
  assert.equal(h.requires_cab_approval, true)
  assert.equal(h.status, 'AWAITING_CAB')
  const { rows: [stored] } = await database.db.execute<Record<string, unknown>>(sql`
    select d.app_name, d.version, d.target_ring, d.status, d.risk_score, d.evidence_pack_id, u.username, a.id as approval, a.decision
    from eucora.deployment_intents d join eucora.users u on u.id = d.submitter_id
    join eucora.cab_approvals a on a.deployment_id = d.correlation_id where d.correlation_id = ${h.correlation_id}`)
  assert.deepEqual(stored, {
    app_name: 'nginx-00000001',
    version: '3.0.0',
    target_ring: 'GLOBAL',
    status: 'AWAITING_CAB',
    risk_score: h.risk_score,
    evidence_pack_id: evidence,
    username: 'loadtest_user',
    approval: h.cab_approval_id,
    decision: 'PENDING'
  })

  // JSON too, and a threshold of 100 lets everything through without CAB.
  const open = await build(t, database.url, { API: 'eucora', EUCORA_CAB_THRESHOLD: 100 })
  const low = await open.inject({ method: 'POST', url: '/api/v1/deployments', headers: bearer(token), payload: { app_name: 'redis', version: '1.0.1', target_ring: 'GLOBAL' } })
  assert.equal(low.statusCode, 201, low.body)
  assert.equal(low.json().status, 'APPROVED')
  assert.equal(low.json().cab_approval_id, null)
  const { rows } = await database.db.execute(sql`select 1 from eucora.cab_approvals where deployment_id = ${low.json().correlation_id}`)
  assert.equal(rows.length, 0)
})

test('list with limit, newest first; detail by id; 404 for an unknown or malformed id', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'loadtest_user')
  const made: string[] = []
  for (let i = 0; i < 3; i++) {
    made.push((await postForm(app, '/api/v1/deployments/', { app_name: `list-${i}`, version: '1.0.0', target_ring: 'PILOT' }, token)).json().correlation_id)
  }
  const list = await app.inject({ url: '/api/v1/deployments/?limit=2', headers: bearer(token) })
  assert.equal(list.statusCode, 200)
  assert.deepEqual(list.json().deployments.map((d: { correlation_id: string }) => d.correlation_id), [made[2], made[1]])
  assert.equal(list.json().count, 2)
  const original = await app.inject({ url: '/api/v1/deployments/list?limit=50&ring=PILOT', headers: bearer(token) })
  assert.equal(original.statusCode, 200)
  const pilots = original.json().deployments as Array<{ correlation_id: string, target_ring: string, status: string, created_at: string }>
  assert.ok(made.every((id) => pilots.some((d) => d.correlation_id === id)), 'the ring filter keeps the deployments of that ring')
  assert.ok(pilots.every((d) => d.target_ring === 'PILOT'))
  // The status filter: only that status, newest first.
  const status = pilots.find((d) => d.correlation_id === made[2])!.status
  const byStatus = (await app.inject({ url: `/api/v1/deployments/?status=${status}&limit=50`, headers: bearer(token) })).json().deployments as typeof pilots
  assert.ok(byStatus.some((d) => d.correlation_id === made[2]))
  assert.ok(byStatus.every((d) => d.status === status))
  const times = byStatus.map((d) => d.created_at)
  assert.deepEqual(times, [...times].sort().reverse(), 'newest first')

  const detail = await app.inject({ url: `/api/v1/deployments/${made[0]}/`, headers: bearer(token) })
  assert.equal(detail.statusCode, 200)
  assert.equal(detail.json().app_name, 'list-0')
  assert.equal(detail.json().submitter, 'loadtest_user')
  assert.equal((await app.inject({ url: `/api/v1/deployments/${made[0]}`, headers: bearer(token) })).statusCode, 200, 'without the slash')
  const unknown = await app.inject({ url: '/api/v1/deployments/7d0c1c9e-0000-4000-8000-000000000000/', headers: bearer(token) })
  assert.equal(unknown.statusCode, 404)
  assert.deepEqual(unknown.json(), { detail: 'Deployment not found.' })
  assert.equal((await app.inject({ url: '/api/v1/deployments/not-a-uuid/', headers: bearer(token) })).statusCode, 404)
})
