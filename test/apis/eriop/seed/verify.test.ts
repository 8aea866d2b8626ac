// verifyFixture: passes on a fresh fixture, names every kind of mismatch, logs in through a running API.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { beforeEach, test } from 'node:test'
import { hashPassword } from '../../../../src/core/auth/password.js'
import { cleanFixture, seedFixture } from '../../../../src/apis/eriop/fixture/store.js'
import { verifyFixture, type VerifyReport } from '../../../../src/apis/eriop/fixture/verify.js'
import { build, useTestDatabase } from '../../../helper.js'

const database = useTestDatabase('seed_verify')
const failed = (report: VerifyReport) => report.checks.filter((c) => !c.ok).map((c) => `${c.name} ${c.actual}/${c.expected}`)

beforeEach(async () => {
  await cleanFixture(database.db)
  await seedFixture(database.db)
})

test('a fresh fixture verifies', async () => {
  const report = await verifyFixture(database.db)
  assert.deepEqual(report.problems, [])
  assert.equal(report.ok, true)
  assert.deepEqual(failed(report), [])
  const byName = Object.fromEntries(report.checks.map((c) => [c.name, c.actual]))
  assert.equal(byName['users able to log in'], 350)
  assert.equal(byName['available resources'], 75)
  assert.equal(byName['active incidents'], 50)
  assert.equal(byName['pending alerts'], 50)
})

test('a missing agency fails', async () => {
  await cleanFixture(database.db)
  const report = await verifyFixture(database.db)
  assert.equal(report.ok, false)
  assert.match(report.problems[0], /agency LOADTEST does not exist/)
})

test('a deleted user fails, naming it', async () => {
  await database.pool.query("delete from users where email = 'responder17@test.eriop.local'")
  const report = await verifyFixture(database.db)
  assert.equal(report.ok, false)
  assert.deepEqual(failed(report), ['users present 349/350', 'responders 199/200'])
  assert.ok(report.problems.some((p) => p.includes('1 fixture user missing') && p.includes('responder17@test.eriop.local')), report.problems.join('\n'))
})

test('a changed row fails, saying what changed; seed puts it back', async () => {
  await database.pool.query("update alerts set status = 'acknowledged' where source_id = 'device_1001'")
  const report = await verifyFixture(database.db)
  assert.equal(report.ok, false)
  assert.deepEqual(failed(report), ['alerts as seeded 99/100', 'pending alerts 49/50'])
  assert.ok(report.problems.some((p) => /device_1001: status "acknowledged" \(expected "pending"\)/.test(p)), report.problems.join('\n'))
  await seedFixture(database.db)
  assert.equal((await verifyFixture(database.db)).ok, true)
})

test('users who cannot log in fail: wrong password, locked, inactive', async () => {
  const other = await hashPassword('another-password', 'fixture')
  await database.pool.query("update users set hashed_password = $1 where email = 'dispatcher3@test.eriop.local'", [other])
  await database.pool.query("update users set locked_until = now() + interval '10 minutes' where email = 'dispatcher4@test.eriop.local'")
  await database.pool.query("update users set is_active = false where email = 'dispatcher5@test.eriop.local'")
  const report = await verifyFixture(database.db)
  assert.equal(report.ok, false)
  assert.ok(failed(report).includes('users able to log in 347/350'), failed(report).join('\n'))
  const problem = report.problems.find((p) => p.includes('cannot log in'))!
  assert.match(problem, /dispatcher4@test\.eriop\.local \(locked\)/)
  assert.match(problem, /dispatcher5@test\.eriop\.local \(inactive\)/)
  assert.match(problem, /dispatcher3@test\.eriop\.local \(wrong password hash\)/)
})

test('rows added by load tests are notes, not problems; rows of a larger scale are problems', async () => {
  const { id } = (await database.pool.query("select id from agencies where code = 'LOADTEST'")).rows[0]
  await database.pool.query(
    "insert into incidents (agency_id, incident_number, category, title, latitude, longitude) values ($1, 'INC-20260101-00001', 'fire', 'Extra', 45.5, -73.5)", [id])
  const withExtra = await verifyFixture(database.db)
  assert.equal(withExtra.ok, true, withExtra.problems.join('\n'))
  assert.ok(withExtra.notes.some((n) => n.startsWith('1 incident added through the API')), withExtra.notes.join('\n'))

  await seedFixture(database.db, { scale: 2 })
  assert.equal((await verifyFixture(database.db)).ok, true, 'the recorded scale (2) is the default')
  const asOne = await verifyFixture(database.db, { scale: 1 })
  assert.equal(asOne.ok, false)
  assert.ok(asOne.problems.some((p) => p.includes('350 users of a larger fixture scale')), asOne.problems.join('\n'))
})

test('--url logs in through a running API; an unreachable API fails', async (t) => {
  const app = await build(t, database.url)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const report = await verifyFixture(database.db, { url })
  assert.equal(report.ok, true, report.problems.join('\n'))
  assert.deepEqual(report.checks.at(-1), { name: `API logins at ${url}`, expected: 9, actual: 9, ok: true })

  const down = await verifyFixture(database.db, { url: 'http://127.0.0.1:1' })
  assert.equal(down.ok, false)
  assert.match(down.problems.join('\n'), /cannot reach http:\/\/127\.0\.0\.1:1/)
})
