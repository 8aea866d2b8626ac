// The CAB queue: pending list from Postgres, decisions that change approval and deployment,
// idempotent repeats, 409 for the opposite decision, and many approvers at once.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { FIXTURE_PENDING } from '../../../src/apis/eucora/fixture/data.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { build, useTestDatabase } from '../../helper.js'
import { bearer, login, postForm } from './support.js'

const database = useTestDatabase('eucora_cab', EUCORA_MIGRATIONS)

async function stateOf (approvalId: string) {
  const { rows } = await database.db.execute<{ decision: string, status: string, approver: string | null, comments: string, conditions: unknown, reviewed: boolean }>(sql`
    select a.decision, d.status, u.username as approver, a.comments, a.conditions, a.reviewed_at is not null as reviewed
    from eucora.cab_approvals a join eucora.deployment_intents d on d.correlation_id = a.deployment_id
    left join eucora.users u on u.id = a.approver_id where a.id = ${approvalId}`)
  return rows[0]
}

test('pending list: the fixture\'s approvals from the start, newest first, limit and count', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'cab_approver')
  const res = await app.inject({ url: '/api/v1/cab/pending/?limit=100', headers: bearer(token) })
  assert.equal(res.statusCode, 200)
  const body = res.json()
  assert.equal(body.count, FIXTURE_PENDING.length)
  assert.ok(FIXTURE_PENDING.length >= 5, 'the fixture has a queue to work on')
  assert.deepEqual(new Set(body.approvals.map((a: { id: string }) => a.id)), new Set(FIXTURE_PENDING.map((d) => d.approvalId)))
  const first = body.approvals[0]
  for (const key of ['id', 'correlation_id', 'app_name', 'version', 'risk_score', 'submitted_at', 'decision', 'deployment_intent']) assert.ok(key in first, key)
  assert.equal(first.decision, 'PENDING')
  const limited = await app.inject({ url: '/api/v1/cab/pending?limit=2', headers: bearer(token) })
  assert.equal(limited.json().approvals.length, 2)
  assert.equal(limited.json().count, FIXTURE_PENDING.length)
})

test('approve and reject change the approval and the deployment; again is 200; the opposite is 409; unknown 404', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'cab_approver')
  const [one, two] = FIXTURE_PENDING.map((d) => d.approvalId)

  const approved = await postForm(app, `/api/v1/cab/${one}/approve/`, { comments: 'Approved for production deployment', conditions: [] }, token)
  assert.equal(approved.statusCode, 200, approved.body)
  assert.equal(approved.json().decision, 'APPROVED')
  assert.deepEqual(await stateOf(one), { decision: 'APPROVED', status: 'APPROVED', approver: 'cab_approver', comments: 'Approved for production deployment', conditions: [], reviewed: true })
  const again = await postForm(app, `/api/v1/cab/${one}/approve`, { comments: 'me too' }, token)
  assert.equal(again.statusCode, 200)
  assert.equal((await stateOf(one)).comments, 'Approved for production deployment', 'the first decision stands')
  const opposite = await postForm(app, `/api/v1/cab/${one}/reject/`, { comments: 'no' }, token)
  assert.equal(opposite.statusCode, 409)
  assert.deepEqual(opposite.json(), { detail: 'This approval was already approved.' })

  const rejected = await postForm(app, `/api/v1/cab/${two}/reject/`, { comments: 'Insufficient testing evidence' }, token)
  assert.equal(rejected.statusCode, 200)
  assert.equal((await stateOf(two)).status, 'REJECTED')
  assert.equal((await postForm(app, `/api/v1/cab/${two}/approve/`, {}, token)).statusCode, 409)

  // Conditions (a form's repeated keys) make it CONDITIONAL.
  const three = FIXTURE_PENDING[2].approvalId
  const conditional = await postForm(app, `/api/v1/cab/${three}/approve/`, { comments: 'ok', conditions: ['monitoring', 'rollback plan'] }, token)
  assert.equal(conditional.json().decision, 'CONDITIONAL')
  assert.deepEqual((await stateOf(three)).conditions, ['monitoring', 'rollback plan'])

  const unknown = await postForm(app, '/api/v1/cab/5a3e4c1a-1111-4111-8111-111111111111/approve/', { comments: 'x' }, token)
  assert.equal(unknown.statusCode, 404)
  assert.deepEqual(unknown.json(), { detail: 'CAB approval not found.' })
  const listed = (await app.inject({ url: '/api/v1/cab/pending/', headers: bearer(token) })).json()
  assert.equal(listed.count, FIXTURE_PENDING.length - 3)
})

test('only CAB members (or staff) decide', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const submitter = await login(app, 'loadtest_user')
  const id = FIXTURE_PENDING[0].approvalId
  const res = await postForm(app, `/api/v1/cab/${id}/approve/`, { comments: 'mine' }, submitter)
  assert.equal(res.statusCode, 403)
  assert.deepEqual(res.json(), { detail: 'You do not have permission to perform this action.' })
  assert.equal((await stateOf(id)).decision, 'PENDING')
  await database.db.execute(sql`update eucora.users set is_staff = true where username = 'loadtest_user'`)
  const staff = await login(app, 'loadtest_user')
  assert.equal((await postForm(app, `/api/v1/cab/${id}/approve/`, {}, staff)).statusCode, 200)
  await database.db.execute(sql`update eucora.users set is_staff = false where username = 'loadtest_user'`)
})

test('many approvers at once: one decision, every approver 200; approve against reject: one wins, the other 409', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora', PG_POOL_MAX: 8 })
  const token = await login(app, 'cab_approver')
  const id = FIXTURE_PENDING[0].approvalId
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => postForm(app, `/api/v1/cab/${id}/approve/`, { comments: `approver ${i}` }, token)))
  assert.deepEqual(answers.map((r) => r.statusCode), Array(20).fill(200))
  const state = await stateOf(id)
  assert.equal(state.decision, 'APPROVED')
  assert.equal(new Set(answers.map((r) => r.json().comments)).size, 1, 'every answer shows the one decision that was made')

  const other = FIXTURE_PENDING[1].approvalId
  const race = await Promise.all([
    ...Array.from({ length: 5 }, () => postForm(app, `/api/v1/cab/${other}/approve/`, {}, token)),
    ...Array.from({ length: 5 }, () => postForm(app, `/api/v1/cab/${other}/reject/`, {}, token))
  ])
  const decision = (await stateOf(other)).decision
  const winners = decision === 'APPROVED' ? race.slice(0, 5) : race.slice(5)
  const losers = decision === 'APPROVED' ? race.slice(5) : race.slice(0, 5)
  assert.ok(winners.every((r) => r.statusCode === 200), race.map((r) => r.statusCode).join(','))
  assert.ok(losers.every((r) => r.statusCode === 409), race.map((r) => r.statusCode).join(','))
  assert.equal((await stateOf(other)).status, decision === 'APPROVED' ? 'APPROVED' : 'REJECTED')
})
