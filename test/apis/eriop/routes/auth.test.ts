import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import { createSigner } from 'fast-jwt'
import { users } from '../../../../src/apis/eriop/db/schema/index.js'
import { sharedSigningKey } from '../../../../src/core/db/settings.js'
import { PASSWORD, bearer, build, createAgency, createUser, login, useTestDatabase } from '../../../helper.js'

const database = useTestDatabase('auth')

const post = (url: string, payload: unknown) => ({ method: 'POST' as const, url, payload: payload as object })

test('login returns the token pair of the contract for a .local address, case-insensitively', async (t) => {
  const app = await build(t, database.url)
  const agency = await createAgency(database.db, 'AUTH1')
  await createUser(database.db, agency.id, 'dispatcher', 'dispatcher7@test.eriop.local')

  const res = await app.inject(post('/api/v1/auth/login', { email: 'Dispatcher7@TEST.eriop.local', password: PASSWORD }))
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'mfa_required', 'mfa_temp_token', 'refresh_token', 'token_type'])
  assert.equal(body.token_type, 'bearer')
  assert.equal(body.expires_in, 7200)
  assert.equal(body.mfa_required, false)
  assert.equal(body.mfa_temp_token, null)
  const claims = app.jwt.decode<Record<string, unknown>>(body.access_token)!
  assert.equal(claims.type, 'access')
  assert.equal(claims.email, 'dispatcher7@test.eriop.local')
  assert.equal(claims.role, 'dispatcher')
  assert.equal(claims.agency_id, agency.id)
  assert.ok((claims.exp as number) - (claims.iat as number) >= 1800, 'lives longer than a 30-minute run')

  const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(body.access_token) })
  assert.equal(me.statusCode, 200)
})

test('wrong credentials: 401 with the original body and WWW-Authenticate, for unknown users too', async (t) => {
  const app = await build(t, database.url)
  const agency = await createAgency(database.db, 'AUTH2')
  await createUser(database.db, agency.id, 'responder', 'responder1@auth2.test.eriop.local')
  for (const payload of [
    { email: 'responder1@auth2.test.eriop.local', password: 'wrong' },
    { email: 'nobody@auth2.test.eriop.local', password: PASSWORD }
  ]) {
    const res = await app.inject(post('/api/v1/auth/login', payload))
    assert.equal(res.statusCode, 401)
    assert.deepEqual(res.json(), { detail: 'Invalid email or password', code: 'INVALID_CREDENTIALS' })
    assert.equal(res.headers['www-authenticate'], 'Bearer')
  }
})

test('repeated failures lock the account; success before that resets the count', async (t) => {
  const app = await build(t, database.url, { LOGIN_MAX_FAILURES: 3, LOGIN_LOCKOUT_SECONDS: 60 })
  const agency = await createAgency(database.db, 'AUTH3')
  const email = 'dispatcher1@auth3.test.eriop.local'
  const user = await createUser(database.db, agency.id, 'dispatcher', email)
  const attempt = (password: string) => app.inject(post('/api/v1/auth/login', { email, password }))

  await attempt('wrong')
  await attempt('wrong')
  assert.equal((await attempt(PASSWORD)).statusCode, 200, 'two failures do not lock')
  const [afterSuccess] = await database.db.select().from(users).where(eq(users.id, user.id))
  assert.equal(afterSuccess.failedLoginAttempts, 0)

  for (let i = 0; i < 3; i++) assert.equal((await attempt('wrong')).statusCode, 401)
  const locked = await attempt(PASSWORD)
  assert.equal(locked.statusCode, 401)
  assert.equal(locked.json().code, 'ACCOUNT_LOCKED')
  const [row] = await database.db.select().from(users).where(eq(users.id, user.id))
  assert.ok(row.lockedUntil && row.lockedUntil > new Date())

  await database.db.update(users).set({ lockedUntil: new Date(Date.now() - 1000) }).where(eq(users.id, user.id))
  assert.equal((await attempt(PASSWORD)).statusCode, 200, 'the lock expires')
})

test('inactive users cannot log in', async (t) => {
  const app = await build(t, database.url)
  const agency = await createAgency(database.db, 'AUTH4')
  await createUser(database.db, agency.id, 'responder', 'gone@auth4.test.eriop.local', { active: false })
  const res = await app.inject(post('/api/v1/auth/login', { email: 'gone@auth4.test.eriop.local', password: PASSWORD }))
  assert.equal(res.statusCode, 401)
  assert.equal(res.json().code, 'ACCOUNT_INACTIVE')
})

test('refresh exchanges a refresh token for a new pair; an access token is not a refresh token', async (t) => {
  const app = await build(t, database.url)
  const agency = await createAgency(database.db, 'AUTH5')
  const email = 'dispatcher1@auth5.test.eriop.local'
  await createUser(database.db, agency.id, 'dispatcher', email)
  const pair = (await app.inject(post('/api/v1/auth/login', { email, password: PASSWORD }))).json()

  const refreshed = await app.inject(post('/api/v1/auth/refresh', { refresh_token: pair.refresh_token }))
  assert.equal(refreshed.statusCode, 200, refreshed.body)
  assert.equal((await app.inject({ url: '/api/v1/auth/me', headers: bearer(refreshed.json().access_token) })).statusCode, 200)

  const wrongType = await app.inject(post('/api/v1/auth/refresh', { refresh_token: pair.access_token }))
  assert.equal(wrongType.statusCode, 401)
  assert.deepEqual(wrongType.json(), { detail: 'Invalid or expired token', code: 'INVALID_TOKEN' })

  const garbage = await app.inject(post('/api/v1/auth/refresh', { refresh_token: 'not.a.jwt' }))
  assert.equal(garbage.statusCode, 401)

  // A refresh token cannot be used as an access token either.
  const asAccess = await app.inject({ url: '/api/v1/auth/me', headers: bearer(pair.refresh_token) })
  assert.equal(asAccess.statusCode, 401)
  assert.equal(asAccess.json().detail, 'Invalid or expired token')
})

test('protected routes: missing → Not authenticated; tampered, expired or foreign-signed → Invalid or expired token', async (t) => {
  const app = await build(t, database.url)
  const agency = await createAgency(database.db, 'AUTH6')
  const email = 'responder1@auth6.test.eriop.local'
  const user = await createUser(database.db, agency.id, 'responder', email)
  const token = await login(app, email)

  const missing = await app.inject({ url: '/api/v1/incidents/active' })
  assert.equal(missing.statusCode, 401)
  assert.deepEqual(missing.json(), { detail: 'Not authenticated', code: 'NOT_AUTHENTICATED' })
  assert.equal(missing.headers['www-authenticate'], 'Bearer')

  const basic = await app.inject({ url: '/api/v1/incidents/active', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
  assert.equal(basic.statusCode, 401)
  assert.equal(basic.json().detail, 'Not authenticated')

  const claims = { sub: user.id, type: 'access', user_id: user.id, email, role: 'admin', agency_id: agency.id }
  const expired = createSigner({ key: await sharedSigningKey(database.pool), expiresIn: 1000, clockTimestamp: Date.now() - 60_000 })(claims)
  const foreign = createSigner({ key: 'another-secret-of-sufficient-length' })(claims)
  const [head, , sig] = token.split('.')
  const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${sig}`
  for (const bad of [expired, foreign, forged, 'abc', `${token}x`]) {
    const res = await app.inject({ url: '/api/v1/incidents/active', headers: bearer(bad) })
    assert.equal(res.statusCode, 401, bad)
    assert.deepEqual(res.json(), { detail: 'Invalid or expired token', code: 'INVALID_TOKEN' })
  }
})

test('login validation: 422 with {loc, msg, type} for a missing field or a non-address', async (t) => {
  const app = await build(t, database.url)
  const missing = await app.inject(post('/api/v1/auth/login', { email: 'a@b.local' }))
  assert.equal(missing.statusCode, 422)
  assert.deepEqual(missing.json(), { detail: [{ loc: ['body', 'password'], msg: 'Field required', type: 'missing' }], code: 'VALIDATION_ERROR' })
  const notEmail = await app.inject(post('/api/v1/auth/login', { email: 'no-at-sign', password: 'x' }))
  assert.equal(notEmail.statusCode, 422)
  assert.deepEqual(notEmail.json().detail[0].loc, ['body', 'email'])
  const form = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a&password=b' })
  assert.equal(form.statusCode, 415)
})
