import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../helper.js'

const database = useTestDatabase('observability')

test('/metrics: per-route request counts and latency histograms, pool usage, in Prometheus text', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'OBS1')
  for (let i = 0; i < 3; i++) await app.inject({ url: '/api/v1/incidents/active', headers: bearer(team.responder.token) })
  await app.inject({ url: '/api/v1/incidents/00000000-0000-4000-8000-000000000000', headers: bearer(team.responder.token) })
  await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })
  await app.inject({ url: '/no/such/thing' })

  const res = await app.inject({ url: '/metrics' })
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/)
  const text = res.body
  assert.match(text, /http_requests_total\{method="GET",route="\/api\/v1\/incidents\/active",status_code="200"\} 3/)
  assert.match(text, /http_requests_total\{method="GET",route="\/api\/v1\/incidents\/:id",status_code="404"\} 1/)
  assert.match(text, /http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1/)
  assert.match(text, /http_request_duration_seconds_bucket\{le="0\.2",method="GET",route="\/api\/v1\/incidents\/active",status_code="200"\} \d/)
  assert.match(text, /http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/alerts\/ingest",status_code="201"\} 1/)
  assert.match(text, /db_pool_connections_total \d/)
  assert.match(text, /process_resident_memory_bytes \d/)
})

test('/docs serves OpenAPI 3 generated from the route schemas, covering every API route', async (t) => {
  const app = await build(t, database.url)
  const ui = await app.inject({ url: '/docs' })
  assert.ok(ui.statusCode === 200 || ui.statusCode === 302)
  const doc = (await app.inject({ url: '/docs/json' })).json()
  assert.equal(doc.openapi, '3.0.3')
  const paths = Object.keys(doc.paths)
  for (const path of [
    '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/me',
    '/api/v1/incidents/active', '/api/v1/incidents/', '/api/v1/incidents/{id}', '/api/v1/incidents/{id}/assign',
    '/api/v1/alerts/ingest', '/api/v1/alerts/ingest/batch', '/api/v1/alerts/pending', '/api/v1/alerts/', '/api/v1/alerts/{id}',
    '/api/v1/alerts/{id}/acknowledge', '/api/v1/alerts/{id}/dismiss',
    '/api/v1/resources/available', '/api/v1/resources/', '/api/v1/resources/{id}',
    '/api/v1/buildings/', '/api/v1/buildings/{id}', '/api/v1/users/', '/api/v1/agencies/current',
    '/health', '/health/live', '/health/ready'
  ]) assert.ok(paths.includes(path), `${path} documented (have: ${paths.join(', ')})`)
  const create = doc.paths['/api/v1/incidents/'].post
  assert.ok(create.responses['201'], 'POST /incidents documents its 201')
  assert.ok(create.requestBody.content['application/json'].schema.properties.category.enum.includes('fire'))
  assert.ok(doc.paths['/api/v1/alerts/ingest'].post.responses['201'])
})

test('/health, /health/live and /health/ready report the components', async (t) => {
  const app = await build(t, database.url)
  assert.deepEqual((await app.inject({ url: '/health' })).json(), { status: 'healthy', version: '0.1.0' })
  const live = (await app.inject({ url: '/health/live' })).json()
  assert.equal(live.components[0].name, 'application')
  const ready = await app.inject({ url: '/health/ready' })
  assert.equal(ready.statusCode, 200)
  const names = ready.json().components.map((c: { name: string }) => c.name)
  for (const name of ['database', 'redis', 'db_pool']) assert.ok(names.includes(name), name)
  assert.equal(ready.json().components.find((c: { name: string }) => c.name === 'database').status, 'healthy')
})

test('closing the app releases the Postgres pool and the Redis connection', async () => {
  const app = await build(null, database.url)
  await app.inject({ url: '/health/ready' })
  const pool = app.db.$client
  assert.ok(pool.totalCount > 0)
  await app.close()
  assert.equal(pool.ended, true)
  assert.equal(pool.totalCount, 0)
  // QUIT is acknowledged first, the socket closes right after.
  for (let i = 0; i < 100 && app.redis.status !== 'end'; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(app.redis.status, 'end')
})
