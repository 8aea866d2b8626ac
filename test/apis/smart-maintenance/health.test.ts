// The health family: the original's shapes, real checks, 503 when the checked part is down.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { freePort } from '../../../src/core/net.js'
import { runs, skipUnless, startRedisServer } from '../../tools.js'
import { switchablePostgres } from '../eriop/ingest/support.js'
import { buildSm, useSmartMaintenanceDatabase } from './support.js'

const database = useSmartMaintenanceDatabase('health')

test('all up: /health ok, /health/db connected, /health/redis healthy, /health/detailed healthy', async (t) => {
  const app = await buildSm(t, database.url)
  const health = await app.inject('/health')
  assert.equal(health.statusCode, 200)
  assert.deepEqual(health.json(), { status: 'ok', database: 'connected', redis: 'connected' })

  const db = await app.inject('/health/db')
  assert.equal(db.statusCode, 200)
  assert.equal(db.json().db_status, 'connected')
  assert.equal(typeof db.json().latency_ms, 'number')

  const redis = await app.inject('/health/redis')
  assert.equal(redis.statusCode, 200)
  assert.equal(redis.json().status, 'healthy')
  assert.equal(redis.json().redis, 'connected')

  const detailed = await app.inject('/health/detailed')
  assert.equal(detailed.statusCode, 200)
  const body = detailed.json()
  assert.equal(body.status, 'healthy')
  assert.equal(body.components.database.status, 'healthy')
  assert.equal(body.components.redis.status, 'healthy')
  assert.deepEqual(body.components.ingest, { status: 'healthy', queued: 0, batches_in_flight: 0 })
})

test('Postgres down: /health/db and /health/detailed 503, /health 200 degraded (as the original); back up: healthy', async (t) => {
  const relay = await switchablePostgres()
  t.after(() => relay.down())
  const app = await buildSm(t, relay.url(database.url), { DB_CONNECT_TIMEOUT_MS: 300 })
  assert.equal((await app.inject('/health/db')).statusCode, 200)

  await relay.down()
  const db = await app.inject('/health/db')
  assert.equal(db.statusCode, 503, db.body)
  assert.match(db.json().detail, /^Database connection error: /)
  assert.equal(db.headers['retry-after'], '1')
  const detailed = await app.inject('/health/detailed')
  assert.equal(detailed.statusCode, 503)
  assert.equal(detailed.json().status, 'unhealthy')
  assert.equal(detailed.json().components.database.status, 'unhealthy')
  const health = await app.inject('/health')
  assert.equal(health.statusCode, 200)
  assert.deepEqual(health.json(), { status: 'degraded', database: 'disconnected', redis: 'connected' })
  const status = await app.inject('/api/v1/status')
  assert.equal(status.statusCode, 503, status.body)

  await relay.up()
  assert.equal((await app.inject('/health/db')).statusCode, 200)
  assert.equal((await app.inject('/health/detailed')).json().status, 'healthy')
})

test('Redis unreachable: /health/redis 503, /health/detailed 200 degraded; Redis turned off: healthy, disabled', async (t) => {
  const unreachable = await buildSm(t, database.url, { REDIS_URL: 'redis://127.0.0.1:1' })
  const redis = await unreachable.inject('/health/redis')
  assert.equal(redis.statusCode, 503, redis.body)
  assert.match(redis.json().detail, /^Redis connection error: /)
  const detailed = await unreachable.inject('/health/detailed')
  assert.equal(detailed.statusCode, 200)
  assert.equal(detailed.json().status, 'degraded')
  assert.deepEqual((await unreachable.inject('/health')).json(), { status: 'degraded', database: 'connected', redis: 'disconnected' })

  const off = await buildSm(t, database.url, { REDIS_URL: 'none' })
  const disabled = await off.inject('/health/redis')
  assert.equal(disabled.statusCode, 200)
  assert.deepEqual(disabled.json(), { status: 'disabled', redis: 'disabled', latency_ms: null })
  assert.deepEqual((await off.inject('/health')).json(), { status: 'ok', database: 'connected', redis: 'disabled' })
})

test('Redis frozen: the health checks stop asking it once its circuit is open, and say why', { skip: skipUnless(runs('redis-server'), 'redis-server is not installed (apt-get install redis-server)'), timeout: 60_000 }, async (t) => {
  const port = await freePort()
  const server = await startRedisServer(t, port)
  const app = await buildSm(t, database.url, { REDIS_URL: `redis://127.0.0.1:${port}` })
  assert.equal((await app.inject('/health/redis')).statusCode, 200)
  server.kill('SIGSTOP')
  // The first check finds out: its PING times out, which opens the circuit; the next checks answer at once.
  assert.equal((await app.inject('/health/redis')).statusCode, 503)
  for (const deadline = Date.now() + 5000; !app.redisCircuit.isOpen && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.ok(app.redisCircuit.isOpen, 'the timed-out PING opened the circuit')
  for (const url of ['/health/redis', '/health/detailed', '/health']) {
    const started = performance.now()
    const res = await app.inject(url)
    assert.ok(performance.now() - started < 500, `${url} answers at once while the circuit is open (${Math.round(performance.now() - started)} ms)`)
    assert.notEqual(res.statusCode, 500)
  }
  assert.match((await app.inject('/health/redis')).json().detail, /circuit open/)
})

test('metrics and status: figures of this process and this database', async (t) => {
  const app = await buildSm(t, database.url)
  await app.inject({ method: 'POST', url: '/api/v1/data/ingest', payload: { sensor_id: 'metrics_probe', value: 1 } })

  const system = (await app.inject('/api/v1/metrics/system')).json()
  assert.equal(system.process.pid, process.pid)
  assert.ok(system.process.memory.rss_bytes > 0)
  assert.ok(system.system.cpus >= 1)
  assert.equal(system.database_pool.max, 4)

  const performance = (await app.inject('/api/v1/metrics/performance')).json()
  const ingest = performance.requests.routes.find((r: { route: string }) => r.route === 'POST /api/v1/data/ingest')
  assert.equal(ingest.requests, 1)
  assert.equal(performance.ingest.readings_committed, 1)
  assert.equal(performance.ingest.batches, 1)

  const status = await app.inject('/api/v1/status')
  assert.equal(status.statusCode, 200)
  const body = status.json()
  assert.equal(body.status, 'operational')
  assert.equal(body.api, 'smart-maintenance')
  const { rows: [pg] } = await database.pool.query("select current_setting('server_version') as v")
  assert.equal(body.database.server_version, pg.v)
  assert.ok(body.database.database_size_bytes > 0)
  assert.equal(body.database.sensors, 0)
})

test('/docs documents this API: its title and its routes, none of ERIOP\'s', async (t) => {
  const app = await buildSm(t, database.url)
  const spec = (await app.inject('/docs/json')).json() as { info: { title: string }, paths: Record<string, unknown> }
  assert.equal(spec.info.title, 'eriop-target: smart-maintenance')
  for (const path of ['/api/v1/data/ingest', '/api/v1/data/sensor/{sensor_id}/recent', '/api/v1/ml/predict/anomaly', '/api/v1/ml/predict/failure',
    '/api/v1/ml/models/list', '/api/v1/metrics/system', '/api/v1/metrics/performance', '/api/v1/status', '/health', '/health/db', '/health/redis', '/health/detailed']) {
    assert.ok(path in spec.paths, path)
  }
  assert.ok(!Object.keys(spec.paths).some((p) => p.startsWith('/api/v1/alerts')))
})
