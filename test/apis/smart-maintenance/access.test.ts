// No auth and no limit by default (the suite sends neither); SMART_MAINTENANCE_API_KEY and
// SMART_MAINTENANCE_RATE_LIMIT_MAX turn on the original's X-API-Key check and slowapi-style limit.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildSm, countReadings, useSmartMaintenanceDatabase } from './support.js'

const database = useSmartMaintenanceDatabase('access')
const reading = { sensor_id: 'access_probe', value: 1 }

test('defaults: anonymous access and no limit, even past the core\'s per-IP limit', async (t) => {
  const app = await buildSm(t, database.url, { RATE_LIMIT_MAX: 3 })
  for (let i = 0; i < 6; i++) {
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/data/ingest', payload: reading })).statusCode, 200)
    assert.equal((await app.inject('/api/v1/ml/models/list')).statusCode, 200)
  }
})

test('X-API-Key set: /api/v1 without it 401, with another 403 (nothing stored), with it 200; health stays open', async (t) => {
  const app = await buildSm(t, database.url, { SMART_MAINTENANCE_API_KEY: 'sm-secret-key' })
  const before = await countReadings(database.pool)
  const missing = await app.inject({ method: 'POST', url: '/api/v1/data/ingest', payload: reading })
  assert.equal(missing.statusCode, 401)
  assert.deepEqual(missing.json(), { detail: 'Not authenticated', code: 'NOT_AUTHENTICATED' })
  const wrong = await app.inject({ method: 'POST', url: '/api/v1/data/ingest', headers: { 'x-api-key': 'sm-secret-kez' }, payload: reading })
  assert.equal(wrong.statusCode, 403)
  assert.deepEqual(wrong.json(), { detail: 'Could not validate credentials', code: 'INVALID_API_KEY' })
  assert.equal((await app.inject('/api/v1/status')).statusCode, 401)
  assert.equal(await countReadings(database.pool), before)

  const ok = await app.inject({ method: 'POST', url: '/api/v1/data/ingest', headers: { 'x-api-key': 'sm-secret-key' }, payload: reading })
  assert.equal(ok.statusCode, 200, ok.body)
  assert.equal((await app.inject({ url: '/api/v1/ml/models/list', headers: { 'x-api-key': 'sm-secret-key' } })).statusCode, 200)
  for (const url of ['/health', '/health/db', '/health/redis', '/health/detailed']) assert.equal((await app.inject(url)).statusCode, 200, url)
})

for (const coreLimiter of [true, false]) {
  test(`per-key limit on (core limiter ${coreLimiter ? 'on' : 'off'}): 429 {detail} per X-API-Key, else per client IP; health never limited`, async (t) => {
    const app = await buildSm(t, database.url, { SMART_MAINTENANCE_RATE_LIMIT_MAX: 3, SMART_MAINTENANCE_RATE_LIMIT_WINDOW: '1 minute', RATE_LIMIT_ENABLED: coreLimiter })
    const send = (headers: Record<string, string> = {}) => app.inject({ method: 'POST', url: '/api/v1/data/ingest', headers, payload: reading })
    for (let i = 0; i < 3; i++) assert.equal((await send()).statusCode, 200)
    const limited = await send()
    assert.equal(limited.statusCode, 429, limited.body)
    assert.deepEqual(limited.json(), { detail: 'Rate limit exceeded: 3 per 1 minute', code: 'RATE_LIMITED' })
    assert.ok(Number(limited.headers['retry-after']) > 0)

    // Another key has its own budget; the same key is limited wherever it comes from.
    for (let i = 0; i < 3; i++) assert.equal((await send({ 'x-api-key': 'client-a' })).statusCode, 200)
    assert.equal((await send({ 'x-api-key': 'client-a' })).statusCode, 429)
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/data/ingest', headers: { 'x-api-key': 'client-a' }, remoteAddress: '10.0.0.9', payload: reading })).statusCode, 429)
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/data/ingest', remoteAddress: '10.0.0.9', payload: reading })).statusCode, 200)

    for (let i = 0; i < 5; i++) assert.equal((await app.inject('/health')).statusCode, 200)
  })
}
