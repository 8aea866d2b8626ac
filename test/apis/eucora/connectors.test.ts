// Connectors: publish jobs per plane whose status moves on a deterministic schedule, status by
// deployment, remediation; what Postgres holds after each.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'drizzle-orm'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { FIXTURE_DEPLOYMENTS, FIXTURE_PENDING } from '../../../src/apis/eucora/fixture/data.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { jobSchedule } from '../../../src/apis/eucora/schedule.js'
import { build, useTestDatabase } from '../../helper.js'
import { bearer, login, postForm } from './support.js'

const database = useTestDatabase('eucora_connectors', EUCORA_MIGRATIONS)
const APPROVED = FIXTURE_DEPLOYMENTS.filter((d) => d.status === 'APPROVED').map((d) => d.correlationId)
// Long enough that a loaded machine's polling still sees each step.
const STEP_MS = 400

test('schedule: a pure function of deployment, plane and attempt; steps within half to one and a half of the mean', () => {
  const a = jobSchedule('0b0f1c2d-0000-4000-8000-000000000001', 'INTUNE', 1, 1000, 10)
  assert.deepEqual(jobSchedule('0B0F1C2D-0000-4000-8000-000000000001', 'INTUNE', 1, 1000, 10), a)
  assert.notDeepEqual(jobSchedule('0b0f1c2d-0000-4000-8000-000000000001', 'INTUNE', 2, 1000, 10), a)
  assert.ok(a.publishingAfterMs >= 500 && a.publishingAfterMs <= 1500)
  assert.ok(a.finishesAfterMs >= 1500 && a.finishesAfterMs <= 4500)
  const failed = Array.from({ length: 1000 }, (_, i) => jobSchedule(`id-${i}`, 'JAMF', 1, 1000, 10)).filter((s) => s.outcome === 'FAILED').length
  assert.ok(failed > 60 && failed < 140, `about 10% fail: ${failed}`)
  assert.equal(jobSchedule('x', 'SCCM', 1, 1000, 0).outcome, 'COMPLETED')
  assert.equal(jobSchedule('x', 'SCCM', 1, 1000, 100).outcome, 'FAILED')
})

test('publish: the job is stored with its schedule, its status moves QUEUED → … → outcome, the deployment follows', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora', EUCORA_CONNECTOR_STEP_MS: STEP_MS, EUCORA_CONNECTOR_FAILURE_PERCENT: 0 })
  const token = await login(app, 'publisher_user')
  const id = APPROVED[0]

  const res = await postForm(app, '/api/v1/connectors/publish/', { deployment_id: id, target_plane: 'INTUNE', config: { ring: 'CANARY', target_count: 120 } }, token)
  assert.equal(res.statusCode, 200, res.body)
  const { job, created, deployment_status: deploymentStatus } = res.json()
  assert.equal(created, true)
  assert.equal(job.status, 'QUEUED')
  assert.equal(deploymentStatus, 'DEPLOYING')
  const plan = jobSchedule(id, 'INTUNE', 1, STEP_MS, 0)
  const { rows: [row] } = await database.db.execute<{ config: unknown, attempt: number, outcome: string, finishes_ms: number, publisher: string, status: string }>(sql`
    select j.config, j.attempt, j.outcome, round(extract(epoch from j.finishes_at - j.published_at) * 1000)::int as finishes_ms,
      u.username as publisher, d.status
    from eucora.connector_jobs j join eucora.users u on u.id = j.published_by join eucora.deployment_intents d on d.correlation_id = j.deployment_id
    where j.id = ${job.id}`)
  assert.deepEqual(row, { config: ['ring', 'target_count'], attempt: 1, outcome: plan.outcome, finishes_ms: plan.finishesAfterMs, publisher: 'publisher_user', status: 'DEPLOYING' })

  // Publishing the same plane while its job runs returns that job.
  const twice = await postForm(app, '/api/v1/connectors/publish/', { deployment_id: id, target_plane: 'INTUNE' }, token)
  assert.equal(twice.json().created, false)
  assert.equal(twice.json().job.id, job.id)

  const seen: string[] = [job.status]
  const deadline = Date.now() + 10 * STEP_MS
  while (Date.now() < deadline) {
    const status = await app.inject({ url: `/api/v1/connectors/status/${id}/`, headers: bearer(token) })
    assert.equal(status.statusCode, 200)
    const state = status.json()
    const jobStatus = state.jobs[0].status
    if (seen.at(-1) !== jobStatus) seen.push(jobStatus)
    if (jobStatus === 'COMPLETED') {
      assert.equal(state.status, 'COMPLETED', 'the deployment reads COMPLETED once every plane has')
      break
    }
    await sleep(15)
  }
  const order = ['QUEUED', 'PUBLISHING', 'DEPLOYING', 'COMPLETED']
  assert.equal(seen.at(-1), 'COMPLETED', seen.join(' → '))
  assert.deepEqual(seen, order.filter((s) => seen.includes(s)), `in order: ${seen.join(' → ')}`)
  assert.ok(seen.length >= 3, `the transitions were seen: ${seen.join(' → ')}`)
  const detail = await app.inject({ url: `/api/v1/deployments/${id}/`, headers: bearer(token) })
  assert.equal(detail.json().status, 'COMPLETED')

  // Publishing a finished plane again is its next attempt.
  const again = await app.inject({ method: 'POST', url: '/api/v1/connectors/publish', headers: bearer(token), payload: { deployment_id: id, target_plane: 'INTUNE', config: { ring: 'PILOT' } } })
  assert.equal(again.json().job.attempt, 2)
  assert.deepEqual(again.json().job.config, { ring: 'PILOT' })
})

test('failures and remediation: FAILED planes, REINSTALL and RETRY_FAILED start new attempts, each recorded', async (t) => {
  await eucoraFixture.seed(database.db)
  const quick = await build(t, database.url, { API: 'eucora', EUCORA_CONNECTOR_STEP_MS: 20, EUCORA_CONNECTOR_FAILURE_PERCENT: 100 })
  // The same database served with minute-long steps: the restarted attempts are still running when checked.
  const slow = await build(t, database.url, { API: 'eucora', EUCORA_CONNECTOR_STEP_MS: 60_000, EUCORA_CONNECTOR_FAILURE_PERCENT: 100 })
  let app = quick
  const token = await login(app, 'publisher_user')
  const id = APPROVED[1]
  for (const plane of ['JAMF', 'SCCM']) assert.equal((await postForm(app, '/api/v1/connectors/publish/', { deployment_id: id, target_plane: plane }, token)).statusCode, 200)
  // Steps of 20 ms: both planes fail within a few; read until the deployment says so, 5 s at most.
  let failed = (await app.inject({ url: `/api/v1/connectors/status/${id}`, headers: bearer(token) })).json()
  for (const deadline = Date.now() + 5000; failed.status !== 'FAILED' && Date.now() < deadline;) {
    await sleep(20)
    failed = (await app.inject({ url: `/api/v1/connectors/status/${id}`, headers: bearer(token) })).json()
  }
  assert.equal(failed.status, 'FAILED')
  assert.deepEqual(failed.jobs.map((j: { status: string }) => j.status), ['FAILED', 'FAILED'])

  app = slow
  const retried = await postForm(app, '/api/v1/connectors/remediate/', { deployment_id: id, reason: 'Device compliance drift detected', action: 'RETRY_FAILED' }, token)
  assert.equal(retried.statusCode, 200, retried.body)
  assert.equal(retried.json().jobs_restarted, 2)
  assert.equal(retried.json().deployment_status, 'DEPLOYING')
  assert.deepEqual(retried.json().jobs.map((j: { attempt: number }) => j.attempt), [2, 2])
  const { rows } = await database.db.execute<{ action: string, reason: string, jobs_restarted: number, username: string }>(sql`
    select r.action, r.reason, r.jobs_restarted, u.username from eucora.remediations r join eucora.users u on u.id = r.requested_by where r.deployment_id = ${id}`)
  assert.deepEqual(rows, [{ action: 'RETRY_FAILED', reason: 'Device compliance drift detected', jobs_restarted: 2, username: 'publisher_user' }])
  // While they run again nothing has failed: RETRY_FAILED has nothing to do; REINSTALL (the default) restarts all.
  const nothing = await postForm(app, '/api/v1/connectors/remediate/', { deployment_id: id, action: 'RETRY_FAILED' }, token)
  assert.equal(nothing.statusCode, 409)
  const reinstall = await postForm(app, '/api/v1/connectors/remediate/', { deployment_id: id, reason: 'x' }, token)
  assert.equal(reinstall.json().action, 'REINSTALL')
  assert.deepEqual(reinstall.json().jobs.map((j: { attempt: number }) => j.attempt), [3, 3])
})

test('refusals: unknown deployment 404, awaiting CAB 409, never published 409, submitter 403; nothing written', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'publisher_user')
  const unknown = '9e107d9d-3720-4f45-a1a0-4f8a5e9b2c11'
  const publish = await postForm(app, '/api/v1/connectors/publish/', { deployment_id: unknown, target_plane: 'JAMF' }, token)
  assert.equal(publish.statusCode, 404)
  assert.deepEqual(publish.json(), { detail: 'Deployment not found.' })
  assert.equal((await app.inject({ url: `/api/v1/connectors/status/${unknown}/`, headers: bearer(token) })).statusCode, 404)
  assert.equal((await postForm(app, '/api/v1/connectors/remediate/', { deployment_id: unknown, reason: 'r', action: 'REINSTALL' }, token)).statusCode, 404)

  const waiting = await postForm(app, '/api/v1/connectors/publish/', { deployment_id: FIXTURE_PENDING[0].correlationId, target_plane: 'SCCM' }, token)
  assert.equal(waiting.statusCode, 409)
  assert.deepEqual(waiting.json(), { detail: 'This deployment is awaiting CAB approval.' })
  const unpublished = await postForm(app, '/api/v1/connectors/remediate/', { deployment_id: APPROVED[2], action: 'REINSTALL' }, token)
  assert.equal(unpublished.statusCode, 409)
  const submitter = await login(app, 'loadtest_user')
  assert.equal((await postForm(app, '/api/v1/connectors/publish/', { deployment_id: APPROVED[2], target_plane: 'JAMF' }, submitter)).statusCode, 403)
  const { rows } = await database.db.execute<{ n: number }>(sql`select (select count(*) from eucora.connector_jobs) + (select count(*) from eucora.remediations) as n`)
  assert.equal(Number(rows[0].n), 0)
})
