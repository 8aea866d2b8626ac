// export: credentials as CSV or JSON, and pre-issued tokens the API accepts exactly like its own.
import assert from 'node:assert/strict'
import { readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { exportCredentials, loadCredentials, toCsv, writeFileAtomic, type Credential } from '../../../../src/apis/eriop/fixture/export.js'
import { FIXTURE_PASSWORD } from '../../../../src/apis/eriop/fixture/fixture.js'
import { FixtureError, seedFixture } from '../../../../src/apis/eriop/fixture/store.js'
import { bearer, build, login, testConfig, useTestDatabase } from '../../../helper.js'

const database = useTestDatabase('seed_export')
const SECRET = 'a-secret-of-this-test-only-0123456789'

// Root-level before hooks are not ordered after useTestDatabase's on Node 20: seed on first use.
let seeded: Promise<unknown> | undefined
const fixture = () => (seeded ??= seedFixture(database.db))

const decode = (token: string) => token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()))

/** A minimal RFC 4180 reader for our own output (no quoted fields occur). */
const parseCsv = (text: string) => {
  const [header, ...lines] = text.trimEnd().split('\n')
  const columns = header.split(',')
  return { columns, rows: lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v]))) }
}

test('CSV: email,password,role for every fixture user, in fixture order', async () => {
  await fixture()
  const { text, count } = await exportCredentials(database.db, { format: 'csv' })
  assert.equal(count, 350)
  const { columns, rows } = parseCsv(text)
  assert.deepEqual(columns, ['email', 'password', 'role'])
  assert.equal(rows.length, 350)
  assert.deepEqual(rows[0], { email: 'dispatcher1@test.eriop.local', password: FIXTURE_PASSWORD, role: 'dispatcher' })
  assert.deepEqual(rows[100], { email: 'responder1@test.eriop.local', password: FIXTURE_PASSWORD, role: 'responder' })
  assert.deepEqual(rows[349], { email: 'alertsystem50@test.eriop.local', password: FIXTURE_PASSWORD, role: 'alert_system' })
  assert.ok(text.endsWith('\n') && !text.includes('\r'))
})

test('JSON: a bare array of {email, password, role}', async () => {
  await fixture()
  const { text } = await exportCredentials(database.db, { format: 'json' })
  const users = JSON.parse(text) as Credential[]
  assert.ok(Array.isArray(users))
  assert.equal(users.length, 350)
  assert.deepEqual(users[0], { email: 'dispatcher1@test.eriop.local', password: FIXTURE_PASSWORD, role: 'dispatcher' })
  assert.equal(users.filter((u) => u.role === 'responder').length, 200)
})

test('--tokens: each token is accepted by the API, and is what the login route would issue', async (t) => {
  await fixture()
  const app = await build(t, database.url, { JWT_SECRET: SECRET, ACCESS_TOKEN_TTL: 3600 })
  const config = testConfig(database.url, { JWT_SECRET: SECRET, ACCESS_TOKEN_TTL: 3600 })
  const { text } = await exportCredentials(database.db, { format: 'csv', tokens: true, config })
  const { columns, rows } = parseCsv(text)
  assert.deepEqual(columns, ['email', 'password', 'role', 'user_id', 'agency_id', 'access_token', 'expires_at'])

  for (const row of [rows[0], rows[150], rows[349]]) {
    const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(row.access_token) })
    assert.equal(me.statusCode, 200, me.body)
    assert.equal(me.json().email, row.email)
    assert.equal(me.json().role, row.role)
    assert.equal(me.json().id, row.user_id)
    assert.equal(me.json().agency_id, row.agency_id)
  }
  // Role checks see the token's role: an alert-system token may ingest, a responder's may not.
  const ingest = (token: string) => app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(token), payload: { source: 'manual', severity: 'low', alert_type: 'test', title: 'Exported token' } })
  assert.equal((await ingest(rows[349].access_token)).statusCode, 201)
  assert.equal((await ingest(rows[150].access_token)).statusCode, 403)

  const [loginHeader, loginClaims] = decode(await login(app, 'dispatcher1@test.eriop.local'))
  const [header, claims] = decode(rows[0].access_token)
  assert.deepEqual(header, loginHeader)
  const { iat, exp, ...rest } = claims
  const { iat: loginIat, exp: loginExp, ...loginRest } = loginClaims
  assert.deepEqual(rest, loginRest)
  assert.deepEqual(Object.keys(claims).sort(), Object.keys(loginClaims).sort())
  assert.equal(exp - iat, 3600)
  assert.equal(loginExp - loginIat, 3600)
  assert.equal(new Date(rows[0].expires_at).getTime(), exp * 1000)
})

test('--tokens without JWT_SECRET: signed with the key the API keeps in the database, which an API without JWT_SECRET accepts', async (t) => {
  await fixture()
  const app = await build(t, database.url)
  const [row] = await loadCredentials(database.db, { tokens: true, config: { ACCESS_TOKEN_TTL: 3600 } })
  const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(row.access_token!) })
  assert.equal(me.statusCode, 200, me.body)
  assert.equal(me.json().email, row.email)
})

test('tokens signed with another secret, or expired, are refused', async (t) => {
  await fixture()
  const app = await build(t, database.url, { JWT_SECRET: SECRET })
  const [wrong] = await loadCredentials(database.db, { tokens: true, config: { JWT_SECRET: 'not-the-secret-of-the-api-000', ACCESS_TOKEN_TTL: 3600 } })
  assert.equal((await app.inject({ url: '/api/v1/auth/me', headers: bearer(wrong.access_token!) })).statusCode, 401)
  const [old] = await loadCredentials(database.db, { tokens: true, config: { JWT_SECRET: SECRET, ACCESS_TOKEN_TTL: 60 }, now: new Date(Date.now() - 3_600_000) })
  const expired = await app.inject({ url: '/api/v1/auth/me', headers: bearer(old.access_token!) })
  assert.equal(expired.statusCode, 401)
  assert.equal(expired.json().detail, 'Invalid or expired token')
})

test('another agency and scale; a missing fixture is a clear error', async () => {
  await fixture()
  await seedFixture(database.db, { agency: 'CITY2', scale: 2 })
  const city = await loadCredentials(database.db, { agency: 'CITY2' })
  assert.equal(city.length, 700, 'the scale recorded by the seed is the default')
  assert.equal(city[0].email, 'dispatcher1@city2.test.eriop.local')
  assert.ok(city.some((c) => c.email === 'dispatcher200@city2.test.eriop.local'))
  await assert.rejects(loadCredentials(database.db, { agency: 'NOSUCH' }), (err: Error) => err instanceof FixtureError && /agency NOSUCH does not exist/.test(err.message))
  await database.pool.query("delete from users where email = 'responder9@test.eriop.local'")
  await assert.rejects(loadCredentials(database.db), /1 of 350 fixture users of LOADTEST are missing \(e\.g\. responder9@test\.eriop\.local\)/)
  await seedFixture(database.db)
})

test('CSV quoting and atomic file writes', async () => {
  await fixture()
  assert.equal(toCsv([{ email: 'a,b@x', password: 'p"q', role: 'admin' }]), 'email,password,role\n"a,b@x","p""q",admin\n')
  const file = join(tmpdir(), `eriop-export-${process.pid}.csv`)
  await writeFileAtomic(file, 'x\n', 0o600)
  assert.equal(await readFile(file, 'utf8'), 'x\n')
  assert.equal((await stat(file)).mode & 0o777, 0o600)
  await rm(file)
  await assert.rejects(writeFileAtomic(join(tmpdir(), 'no-such-dir-eriop', 'f.csv'), 'x'))
})
