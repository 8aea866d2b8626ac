// DRF's wire format: every route with and without its trailing slash, form and JSON bodies on
// every POST, repeated form keys, and the health routes in the original's shapes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { FIXTURE_DEPLOYMENTS, FIXTURE_PENDING } from '../../../src/apis/eucora/fixture/data.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { sharedSigningKey } from '../../../src/core/db/settings.js'
import { build, useTestDatabase } from '../../helper.js'
import { bearer, form, login } from './support.js'

const database = useTestDatabase('eucora_wire', EUCORA_MIGRATIONS)
const approved = FIXTURE_DEPLOYMENTS.filter((d) => d.status === 'APPROVED').map((d) => d.correlationId)

test('every route answers with and without the trailing slash, to form and to JSON bodies alike', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  await database.pool.query("update eucora.users set is_staff = true where username = 'publisher_user'")
  const token = await login(app, 'publisher_user')
  const some = FIXTURE_PENDING.map((d) => d.approvalId)
  const posts: [string, Record<string, string>, number][] = [
    ['/api/v1/auth/login/', { username: 'loadtest_user', password: 'test123' }, 200],
    ['/api/v1/deployments/', { app_name: 'wire', version: '1.2.3', target_ring: 'LAB' }, 201],
    ['/api/v1/connectors/publish/', { deployment_id: approved[0], target_plane: 'JAMF' }, 200],
    ['/api/v1/connectors/remediate/', { deployment_id: approved[0], action: 'REINSTALL' }, 200]
  ]
  for (const [url, fields, status] of posts) {
    for (const path of [url, url.slice(0, -1)]) {
      const asForm = await app.inject({ method: 'POST', url: path, payload: form(fields).payload, headers: { ...form(fields).headers, ...bearer(token) } })
      assert.equal(asForm.statusCode, status, `form ${path}: ${asForm.body}`)
      const asJson = await app.inject({ method: 'POST', url: path, payload: fields, headers: bearer(token) })
      assert.equal(asJson.statusCode, status, `JSON ${path}: ${asJson.body}`)
    }
  }
  let n = 0
  for (const verb of ['approve', 'reject']) {
    for (const path of [`/api/v1/cab/${some[n++]}/${verb}/`, `/api/v1/cab/${some[n++]}/${verb}`]) {
      const res = await app.inject({ method: 'POST', url: path, payload: form({ comments: 'c' }).payload, headers: { ...form({}).headers, ...bearer(token) } })
      assert.equal(res.statusCode, 200, `${path}: ${res.body}`)
    }
  }
  for (const url of ['/api/v1/deployments/?limit=1', '/api/v1/deployments?limit=1', `/api/v1/deployments/${approved[0]}/`, `/api/v1/deployments/${approved[0]}`,
    '/api/v1/deployments/list', '/api/v1/cab/pending/', '/api/v1/cab/pending', `/api/v1/cab/${some[0]}/`, `/api/v1/cab/${some[0]}`,
    `/api/v1/connectors/status/${approved[0]}/`, `/api/v1/connectors/status/${approved[0]}`, '/api/v1/auth/me/', '/api/v1/auth/me',
    '/api/v1/health/', '/api/v1/health', '/health/live', '/health/live/', '/health/ready', '/health/ready/']) {
    const res = await app.inject({ url, headers: bearer(token) })
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`)
  }
})

test('a repeated form key: a single-valued field takes the last value (as Django\'s QueryDict), a list field all of them', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const token = await login(app, 'loadtest_user')
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/deployments/',
    payload: 'app_name=first&app_name=last&version=1.0.0&target_ring=GLOBAL&target_ring=LAB',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...bearer(token) }
  })
  assert.equal(res.statusCode, 201, res.body)
  const { rows } = await database.db.execute<{ app_name: string, target_ring: string }>(sql`select app_name, target_ring from eucora.deployment_intents where correlation_id = ${res.json().correlation_id}`)
  assert.deepEqual(rows[0], { app_name: 'last', target_ring: 'LAB' })
})

test('health: the original\'s shapes; 503 when Postgres is gone', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  const health = await app.inject({ url: '/api/v1/health/' })
  assert.equal(health.statusCode, 200)
  const body = health.json()
  assert.equal(body.status, 'healthy')
  assert.ok(!Number.isNaN(Date.parse(body.timestamp)))
  assert.equal(body.checks.database.status, 'healthy')
  assert.equal(body.checks.redis.status, 'healthy')
  assert.deepEqual((await app.inject({ url: '/health/live' })).json(), { status: 'alive' })
  assert.deepEqual((await app.inject({ url: '/health/ready' })).json(), { database: true, cache: true, status: 'healthy' })

  const noRedis = await build(t, database.url, { API: 'eucora', REDIS_URL: 'none' })
  const off = await noRedis.inject({ url: '/api/v1/health/' })
  assert.equal(off.statusCode, 200)
  assert.equal(off.json().checks.redis.message, 'disabled (REDIS_URL=none): single-instance mode')
  const lostRedis = await build(t, database.url, { API: 'eucora', REDIS_URL: 'redis://127.0.0.1:1' })
  const lost = await lostRedis.inject({ url: '/api/v1/health/' })
  assert.equal(lost.statusCode, 503, 'the comprehensive check wants every dependency, as the original')
  assert.equal(lost.json().checks.redis.status, 'unhealthy')
  const stillReady = await lostRedis.inject({ url: '/health/ready' })
  assert.equal(stillReady.statusCode, 200, 'Postgres alone decides readiness')
  assert.deepEqual(stillReady.json(), { database: true, cache: false, status: 'degraded' })

  const broken = await build(t, 'postgres://postgres@127.0.0.1:1/nowhere', {
    // The key of the reachable database's apps, so their tokens are valid here too.
    API: 'eucora', DB_CONNECT_TIMEOUT_MS: 200, JWT_SECRET: await sharedSigningKey(database.pool)
  })
  const down = await broken.inject({ url: '/api/v1/health/' })
  assert.equal(down.statusCode, 503)
  assert.equal(down.json().status, 'unhealthy')
  assert.equal(down.json().checks.database.status, 'unhealthy')
  const ready = await broken.inject({ url: '/health/ready/' })
  assert.equal(ready.statusCode, 503)
  assert.deepEqual(ready.json(), { database: false, cache: true, status: 'degraded' })
  // The API's document lists each route once (the slashless twins are hidden).
  const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, unknown> }
  assert.ok('/api/v1/cab/{id}/approve/' in spec.paths && !('/api/v1/cab/{id}/approve' in spec.paths), Object.keys(spec.paths).join(' '))
  assert.ok('/health/live' in spec.paths && !('/health/live/' in spec.paths))
  const token = await login(app, 'loadtest_user')
  const list = await broken.inject({ url: '/api/v1/deployments/', headers: bearer(token) })
  assert.equal(list.statusCode, 503)
  assert.deepEqual(list.json(), { detail: 'Database unavailable, retry shortly.' })
})

test('throttled: 429 in DRF\'s words, with Retry-After', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora', RATE_LIMIT_MAX: 3, RATE_LIMIT_WINDOW: '1 minute' })
  const token = await login(app, 'loadtest_user')
  const answers = []
  for (let i = 0; i < 4; i++) answers.push(await app.inject({ url: '/api/v1/deployments/?limit=1', headers: bearer(token) }))
  assert.deepEqual(answers.map((r) => r.statusCode), [200, 200, 200, 429])
  const wait = Number(answers[3].headers['retry-after'])
  assert.ok(wait > 0 && wait <= 60, String(answers[3].headers['retry-after']))
  assert.deepEqual(answers[3].json(), { detail: `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.` })
})
