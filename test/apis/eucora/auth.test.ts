// Login as DRF's token login answers it, the fixture users' roles, and the burst-user policy.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { provisionPattern } from '../../../src/apis/eucora/index.js'
import { build, useTestDatabase } from '../../helper.js'
import { bearer, form, login, postForm, tableCounts } from './support.js'

const database = useTestDatabase('eucora_auth', EUCORA_MIGRATIONS)

test('login: form or JSON, with or without the slash, answers the token and the user', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })

  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username: 'loadtest_user', password: 'test123' }) })
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(typeof body.token, 'string')
  assert.deepEqual(Object.keys(body.user).sort(), ['email', 'first_name', 'id', 'is_staff', 'is_superuser', 'last_name', 'username'])
  assert.equal(body.user.username, 'loadtest_user')
  assert.equal(typeof body.user.id, 'number')
  assert.equal(body.user.is_staff, false)

  const json = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'cab_approver', password: 'test123' } })
  assert.equal(json.statusCode, 200, json.body)
  const byEmail = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { email: 'publisher_user@eucora.local', password: 'test123' } })
  assert.equal(byEmail.json().user.username, 'publisher_user')

  const me = await app.inject({ url: '/api/v1/auth/me/', headers: bearer(body.token) })
  assert.equal(me.json().user.username, 'loadtest_user')
  const { rows } = await database.db.execute<{ last_login: string | null }>(sql`select last_login from eucora.users where username = 'loadtest_user'`)
  assert.ok(rows[0].last_login, 'the login is recorded')
})

test('login refusals: wrong password, unknown user, missing fields, inactive; DRF shape; nothing written', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const before = await tableCounts(database.db)
  for (const [fields, status] of [
    [{ username: 'loadtest_user', password: 'wrong' }, 401],
    [{ username: 'nobody', password: 'test123' }, 401],
    [{ username: 'burst_user_zzzzzzzz', password: 'test123' }, 401],
    [{ username: 'burst_user_0123abcd', password: 'wrong' }, 401],
    [{ password: 'test123' }, 400],
    [{ username: 'loadtest_user' }, 400]
  ] as const) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form(fields) })
    assert.equal(res.statusCode, status, `${JSON.stringify(fields)}: ${res.body}`)
    if (status === 401) assert.deepEqual(res.json(), { detail: 'Invalid username or password.' })
    else assert.ok(Object.values(res.json()).every((messages) => Array.isArray(messages)), res.body)
  }
  const missing = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', payload: { username: 'x' } })
  assert.deepEqual(missing.json(), { password: ['This field is required.'] })
  assert.deepEqual(await tableCounts(database.db), before)

  await database.db.execute(sql`update eucora.users set is_active = false where username = 'publisher_user'`)
  const inactive = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username: 'publisher_user', password: 'test123' }) })
  assert.equal(inactive.statusCode, 401)
  await eucoraFixture.seed(database.db)
})

test('burst users: a matching unknown name is created at its first login, once even when it logs in twice at once', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const name = 'burst_user_5eed00aa'
  const answers = await Promise.all(Array.from({ length: 8 }, () =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username: name, password: 'test123' }) })))
  assert.deepEqual(answers.map((r) => r.statusCode), Array(8).fill(200), answers.map((r) => r.body).join('\n'))
  assert.equal(new Set(answers.map((r) => r.json().user.id)).size, 1, 'one user')
  const { rows } = await database.db.execute<{ role: string, provisioned: boolean, n: number }>(
    sql`select role, provisioned, count(*) over ()::int as n from eucora.users where username = ${name}`)
  assert.deepEqual(rows, [{ role: 'submitter', provisioned: true, n: 1 }])

  // The burst user's token works: its deployment is stored as its own.
  const token = answers[0].json().token
  const created = await postForm(app, '/api/v1/deployments/', { app_name: 'burst-1', version: '1.0.0', target_ring: 'CANARY' }, token)
  assert.equal(created.statusCode, 201, created.body)
  const detail = await app.inject({ url: `/api/v1/deployments/${created.json().correlation_id}/`, headers: bearer(token) })
  assert.equal(detail.json().submitter, name)
})

test('burst users: provisioning off (empty pattern) or another pattern', async (t) => {
  await eucoraFixture.seed(database.db)
  const off = await build(t, database.url, { API: 'eucora', EUCORA_PROVISION_PATTERN: '' })
  const refused = await off.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username: 'burst_user_0000beef', password: 'test123' }) })
  assert.equal(refused.statusCode, 401)
  const other = await build(t, database.url, { API: 'eucora', EUCORA_PROVISION_PATTERN: '^guest_[0-9]+$' })
  assert.equal((await other.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username: 'guest_42', password: 'test123' }) })).statusCode, 200)
  assert.equal((await other.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username: 'burst_user_0000beef', password: 'test123' }) })).statusCode, 401)
  assert.throws(() => provisionPattern('(['), /EUCORA_PROVISION_PATTERN is not a valid regular expression/)
})

test('tokens: none, "Bearer None", a wrong scheme, DRF\'s Token keyword', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'loadtest_user')
  const list = (authorization?: string) => app.inject({ url: '/api/v1/deployments/?limit=5', headers: authorization ? { authorization } : {} })
  assert.deepEqual((await list()).json(), { detail: 'Authentication credentials were not provided.' })
  const none = await list('Bearer None')
  assert.equal(none.statusCode, 401)
  assert.deepEqual(none.json(), { detail: 'Invalid token.' })
  assert.equal((await list('Basic abc')).statusCode, 401)
  assert.equal((await list('Bearer')).json().detail, 'Invalid token header. No credentials provided.')
  assert.equal((await list(`Token ${token}`)).statusCode, 200)
  assert.equal((await list(`Bearer ${token}`)).statusCode, 200)
})

test('a token whose user is gone: 401, nothing written', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'burst_user_dead0001')
  await database.db.execute(sql`delete from eucora.users where username = 'burst_user_dead0001'`)
  const before = await tableCounts(database.db)
  const res = await postForm(app, '/api/v1/deployments/', { app_name: 'ghost', version: '1.0.0', target_ring: 'LAB' }, token)
  assert.equal(res.statusCode, 401, res.body)
  assert.deepEqual(res.json(), { detail: 'User inactive or deleted.' })
  assert.equal(res.headers['www-authenticate'], 'Bearer realm="api"')
  const me = await app.inject({ url: '/api/v1/auth/me/', headers: bearer(token) })
  assert.equal(me.statusCode, 401)
  assert.equal(typeof me.json().detail, 'string')
  assert.deepEqual(await tableCounts(database.db), before)
})
