// `npm run seed -- --api eucora`: the three users and a CAB queue, restored by seeding again,
// checked by verify, listed by export, removed by clean.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { FIXTURE_DEPLOYMENTS, FIXTURE_PENDING, FIXTURE_USERS } from '../../../src/apis/eucora/fixture/data.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { useTestDatabase } from '../../helper.js'
import { runCli } from '../eriop/seed/support.js'

const database = useTestDatabase('eucora_fixture', EUCORA_MIGRATIONS)

test('seed, verify, export, clean through the CLI; seeding again restores the seeded state', async () => {
  const env = { DATABASE_URL: database.url }
  assert.equal(await eucoraFixture.empty(database.db), true)

  const seeded = await runCli(['seed', '--api', 'eucora'], env)
  assert.equal(seeded.code, 0, seeded.stderr)
  assert.match(seeded.stdout, new RegExp(`Seeded the eucora fixture in .*: 3 users, ${FIXTURE_DEPLOYMENTS.length} deployment_intents, ${FIXTURE_PENDING.length} cab_approvals`))
  assert.equal(await eucoraFixture.present(database.db), true)
  assert.equal(await eucoraFixture.empty(database.db), false)

  const { rows: users } = await database.db.execute<{ username: string, role: string, password: string }>(sql`select username, role, password from eucora.users order by id`)
  assert.deepEqual(users.map((u) => [u.username, u.role]), FIXTURE_USERS.map((u) => [u.username, u.role]))
  assert.ok(users.every((u) => u.password.startsWith('$argon2id$')), 'argon2 hashes, not the password')
  const { rows: [queue] } = await database.db.execute<{ pending: number, awaiting: number }>(sql`
    select (select count(*)::int from eucora.cab_approvals where decision = 'PENDING') as pending,
      (select count(*)::int from eucora.deployment_intents where status = 'AWAITING_CAB') as awaiting`)
  assert.deepEqual(queue, { pending: FIXTURE_PENDING.length, awaiting: FIXTURE_PENDING.length })
  assert.ok(FIXTURE_PENDING.length >= 5 && FIXTURE_PENDING.length < FIXTURE_DEPLOYMENTS.length, 'a queue, and approved deployments to publish')

  const verified = await runCli(['verify', '--api', 'eucora'], env)
  assert.equal(verified.code, 0, verified.stdout + verified.stderr)
  assert.match(verified.stdout, /eucora fixture OK/)

  // A load test decided approvals and someone changed a password: seeding again puts them back.
  await database.db.execute(sql`update eucora.cab_approvals set decision = 'APPROVED'`)
  await database.db.execute(sql`update eucora.deployment_intents set status = 'APPROVED'`)
  await database.db.execute(sql`update eucora.users set password = 'x' where username = 'cab_approver'`)
  const broken = await runCli(['verify', '--api', 'eucora'], env)
  assert.equal(broken.code, 1)
  assert.match(broken.stdout, /cab_approver cannot log in/)
  assert.equal((await runCli(['seed', '--api', 'eucora'], env)).code, 0)
  assert.equal((await runCli(['verify', '--api', 'eucora'], env)).code, 0)
  const { rows: [again] } = await database.db.execute<{ pending: number, users: number }>(sql`
    select (select count(*)::int from eucora.cab_approvals where decision = 'PENDING') as pending, (select count(*)::int from eucora.users) as users`)
  assert.deepEqual(again, { pending: FIXTURE_PENDING.length, users: 3 })

  const exported = await runCli(['export', '--api', 'eucora', '--format', 'json'], env)
  assert.equal(exported.code, 0, exported.stderr)
  assert.deepEqual(JSON.parse(exported.stdout).map((row: { username: string, password: string }) => [row.username, row.password]),
    FIXTURE_USERS.map((u) => [u.username, 'test123']))

  const cleaned = await runCli(['clean', '--api', 'eucora'], env)
  assert.equal(cleaned.code, 0, cleaned.stderr)
  assert.match(cleaned.stdout, /Removed the eucora fixture/)
  assert.equal(await eucoraFixture.empty(database.db), true)
  assert.equal((await runCli(['verify', '--api', 'eucora'], env)).code, 1)
})
