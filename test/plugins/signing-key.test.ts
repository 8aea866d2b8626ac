// No published secret signs tokens: without JWT_SECRET the key is random, made once per database
// and shared by every process on it; only HS256 tokens signed with it are accepted.
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { createSigner } from 'fast-jwt'
import pg from 'pg'
import { sharedSigningKey } from '../../src/core/db/settings.js'
import { bearer, build, createAgency, createUser, login, useTestDatabase } from '../helper.js'

const database = useTestDatabase('signing_key')
// What src/config.ts used to default JWT_SECRET to, in a public repository.
const PUBLISHED_SECRET = 'eriop-target-development-secret-change-me-please'

async function team (code: string) {
  const agency = await createAgency(database.db, code)
  const email = `dispatcher@${code.toLowerCase()}.test.eriop.local`
  const user = await createUser(database.db, agency.id, 'dispatcher', email)
  const claims = { sub: user.id, type: 'access', user_id: user.id, email, role: 'dispatcher', agency_id: agency.id }
  return { email, claims }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

test('processes starting together on a fresh database agree on one random key, and accept each other\'s tokens', async (t) => {
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  t.after(() => admin.end())
  await admin.query('drop schema if exists eriop_target cascade')

  // Two apps and a few bare callers (a seed export, more workers), all at once.
  // A generous connect timeout: six processes' first connections at once, on a busy machine.
  const slowStart = { DB_CONNECT_TIMEOUT_MS: 15_000 }
  const [one, two, ...keys] = await Promise.all([build(t, database.url, slowStart), build(t, database.url, slowStart), ...Array.from({ length: 4 }, () => sharedSigningKey(database.pool))])
  const { rows } = await admin.query('select key, value from eriop_target.settings')
  assert.equal(rows.length, 1, 'one key for the database')
  const key = rows[0].value as string
  for (const k of keys) assert.equal(k, key)
  assert.ok(key.length >= 32, 'a long random key')
  assert.notEqual(key, PUBLISHED_SECRET)

  const { email } = await team('KEYS1')
  for (const [from, to] of [[one, two], [two, one]]) {
    const token = await login(from, email)
    const res = await to.inject({ url: '/api/v1/auth/me', headers: bearer(token) })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json().email, email)
  }
  // A restart keeps it: tokens issued before still work.
  const token = await login(one, email)
  const later = await build(t, database.url)
  assert.equal((await later.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 200)
})

test('a token signed with the once-published development secret, or with any other algorithm than HS256, is refused with 401', async (t) => {
  const app = await build(t, database.url)
  const { claims } = await team('KEYS2')
  const key = await sharedSigningKey(database.pool)
  const valid = createSigner({ key, algorithm: 'HS256' })(claims)
  assert.equal((await app.inject({ url: '/api/v1/auth/me', headers: bearer(valid) })).statusCode, 200, 'the control: the right key and algorithm')

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const refused = {
    'the published secret': createSigner({ key: PUBLISHED_SECRET, algorithm: 'HS256' })(claims),
    'alg none, no signature': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    'alg none, the valid signature kept': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.${valid.split('.')[2]}`,
    'HS512 with the right key': createSigner({ key, algorithm: 'HS512' })(claims),
    'HS384 with the right key': createSigner({ key, algorithm: 'HS384' })(claims),
    'RS256, a real RSA signature': createSigner({ key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), algorithm: 'RS256' })(claims),
    'RS256-shaped, an HS256 signature': `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.${valid.split('.')[2]}`,
    'an unknown algorithm': `${b64({ alg: 'XX999', typ: 'JWT' })}.${b64({ ...claims, jti: randomUUID() })}.abc`
  }
  for (const [what, token] of Object.entries(refused)) {
    const res = await app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })
    assert.equal(res.statusCode, 401, `${what}: ${res.body}`)
    assert.deepEqual(res.json(), { detail: 'Invalid or expired token', code: 'INVALID_TOKEN' }, what)
    // And as a refresh token.
    const refresh = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } })
    assert.equal(refresh.statusCode, 401, `${what} (refresh): ${refresh.body}`)
  }
})

test('JWT_SECRET, when set, signs instead of the database\'s key', async (t) => {
  const secret = 'an-operator-chosen-secret-0123456789abcdef'
  const app = await build(t, database.url, { JWT_SECRET: secret })
  const { email, claims } = await team('KEYS3')
  const token = await login(app, email)
  assert.equal((await app.inject({ url: '/api/v1/auth/me', headers: bearer(createSigner({ key: secret })(claims)) })).statusCode, 200)
  const other = await build(t, database.url)
  assert.equal((await other.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode, 401, 'a process without it uses the database\'s key')
})
