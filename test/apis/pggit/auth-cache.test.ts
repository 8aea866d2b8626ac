// Who may call the API, and the Redis response cache: counters, invalidation, and Redis away.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pggitFixture } from '../../../src/apis/pggit/fixture/store.js'
import { auth, buildPggit, pggitDatabase, signedToken, SUITE_TOKEN } from './support.js'

const database = pggitDatabase('pggit_auth_cache')
const SECRET = 'a-test-secret-of-at-least-16-chars'
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const future = Math.floor(Date.now() / 1000) + 3600

test('auth by default: unverified HS256 tokens are accepted, their sub is the user; anything else is a 401', async (t) => {
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { PGGIT_CACHE_ENABLED: false })
  const call = (headers: Record<string, string>, url = '/api/v1/webhooks/1') => app.inject({ url, headers })

  assert.equal((await call(auth)).statusCode, 200, 'the suite\'s placeholder token')
  assert.equal((await call({}, `/api/v1/webhooks/1?token=${SUITE_TOKEN}`)).statusCode, 200, 'a token in the query, as the original read it')
  const none = await call({})
  assert.equal(none.statusCode, 401)
  assert.deepEqual([none.json().detail, none.headers['www-authenticate']], ['Missing authentication credentials', 'Bearer'])
  for (const token of [
    'garbage',
    'a.b.c',
    `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', exp: future })}.`,
    `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: future })}.sig`,
    `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'x', exp: 1 })}.sig`,
    `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 42 })}.sig`
  ]) {
    const res = await call({ authorization: `Bearer ${token}` })
    assert.equal(res.statusCode, 401, token)
    assert.equal(res.json().detail, 'Invalid authentication credentials')
  }
  assert.equal((await call({ authorization: 'Basic abc' })).statusCode, 401)
  assert.equal((await call({ authorization: `Bearer ${signedToken('whatever-secret-123', { sub: 'someone', exp: future })}` })).statusCode, 200)
})

test('PGGIT_VERIFY_TOKENS=true: only tokens signed with JWT_SECRET', async (t) => {
  const app = await buildPggit(t, database.url, { PGGIT_VERIFY_TOKENS: true, JWT_SECRET: SECRET })
  const call = (token: string) => app.inject({ url: '/api/v1/webhooks/1', headers: { authorization: `Bearer ${token}` } })
  assert.equal((await call(SUITE_TOKEN)).statusCode, 401)
  assert.equal((await call(signedToken('another-secret-0123456', { sub: 'x', exp: future }))).statusCode, 401)
  assert.equal((await call(signedToken(SECRET, { sub: 'x', exp: future }))).statusCode, 200)
})

test('cache: a second read is a hit, counted in Redis; invalidation (the suite\'s empty JSON POST) is a 204 and the next read misses', async (t) => {
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url)
  const stats = async () => (await app.inject({ url: '/api/v1/cache/stats', headers: auth })).json()
  const zero = await stats()
  assert.deepEqual(zero, { hit_rate: 0, total_requests: 0, hits: 0, misses: 0, size: 0 })

  await app.inject({ url: '/api/v1/alerts?limit=50&offset=0', headers: auth })
  await app.inject({ url: '/api/v1/alerts?limit=50&offset=0', headers: auth })
  const first = (await app.inject({ url: '/api/v1/dashboard', headers: auth })).json()
  const second = (await app.inject({ url: '/api/v1/dashboard', headers: auth })).json()
  assert.deepEqual([first.cache_hit, second.cache_hit], [false, true])
  assert.deepEqual(await stats(), { hit_rate: 50, total_requests: 4, hits: 2, misses: 2, size: 2 })

  // Shared: another process with the same Redis prefix reads the same entries and counters.
  const replica = await buildPggit(t, database.url, { REDIS_KEY_PREFIX: app.config.REDIS_KEY_PREFIX })
  assert.equal((await replica.inject({ url: '/api/v1/dashboard', headers: auth })).json().cache_hit, true)
  assert.equal((await stats()).hits, 3)

  const invalidate = await app.inject({
    method: 'POST', url: '/api/v1/cache/invalidate/alerts?alert_id=1&event_type=alert_updated', headers: { ...auth, 'content-type': 'application/json' }
  })
  assert.equal(invalidate.statusCode, 204, invalidate.body)
  assert.equal(invalidate.body, '')
  assert.equal((await stats()).size, 0, 'the alert lists and the dashboards are gone')
  assert.equal((await app.inject({ url: '/api/v1/dashboard', headers: auth })).json().cache_hit, false)

  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/cache/invalidate/alerts', headers: auth })).statusCode, 422, 'alert_id is required, as in the original')

  // A write invalidates what it changes: an acknowledgement drops the alert lists.
  await app.inject({ url: '/api/v1/alerts?limit=50&offset=0', headers: auth })
  const newest = () => app.inject({ url: '/api/v1/alerts?limit=50&offset=0', headers: auth }).then((res) => res.json().alerts.find((a: { id: number }) => a.id === 400))
  assert.equal((await newest()).acknowledged, false)
  await app.inject({ method: 'POST', url: '/api/v1/alerts/400/ack', headers: auth, payload: {} })
  assert.equal((await newest()).acknowledged, true)
})

test('Redis unreachable: the cache is bypassed and nothing fails', async (t) => {
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { REDIS_URL: 'redis://127.0.0.1:1' })
  for (const url of ['/api/v1/webhooks', '/api/v1/alerts?limit=50&offset=0', '/api/v1/dashboard', '/api/v1/dashboard/anomalies', '/api/v1/cache/stats']) {
    assert.equal((await app.inject({ url, headers: auth })).statusCode, 200, url)
  }
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/cache/invalidate/alerts?alert_id=1', headers: { ...auth, 'content-type': 'application/json' } })).statusCode, 204)
  const deep = await app.inject({ url: '/health/deep' })
  assert.equal(deep.statusCode, 200)
  assert.deepEqual([deep.json().status, deep.json().cache.status], ['degraded', 'unavailable'])
  assert.equal((await app.inject({ url: '/api/v1/cache/stats', headers: auth })).json().misses, 4, 'this process\'s own counts')
})
