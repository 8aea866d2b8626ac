import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bearer, build, createTeam, useTestDatabase } from '../helper.js'

const database = useTestDatabase('rate_limit')

test('limits per user: 429 with Retry-After and X-RateLimit-*, in the contract\'s error shape', async (t) => {
  // Tokens are issued by an unlimited app so the logins do not use up the loopback IP's budget.
  const team = await createTeam(await build(t, database.url, { RATE_LIMIT_ENABLED: false }), database.db, 'RL1')
  const app = await build(t, database.url, { RATE_LIMIT_MAX: 3, RATE_LIMIT_WINDOW: '1 minute' })
  const asResponder = bearer(team.responder.token)
  const statuses: number[] = []
  let last
  for (let i = 0; i < 4; i++) {
    last = await app.inject({ url: '/api/v1/incidents/active', headers: asResponder })
    statuses.push(last.statusCode)
  }
  assert.deepEqual(statuses, [200, 200, 200, 429])
  assert.equal(last!.headers['x-ratelimit-limit'], '3')
  assert.equal(last!.headers['x-ratelimit-remaining'], '0')
  assert.ok(Number(last!.headers['retry-after']) > 0)
  assert.ok(Number(last!.headers['x-ratelimit-reset']) > 0)
  assert.equal(last!.json().code, 'RATE_LIMITED')
  assert.match(last!.json().detail, /^Rate limit exceeded, retry in /)

  // Another user of the same agency (same client IP) has a bucket of its own.
  assert.equal((await app.inject({ url: '/api/v1/incidents/active', headers: bearer(team.dispatcher.token) })).statusCode, 200)
  // Health and metrics are never limited.
  for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: '/health' })).statusCode, 200)
})

test('anonymous requests are limited per IP', async (t) => {
  const app = await build(t, database.url, { RATE_LIMIT_MAX: 2 })
  const from = (ip: string) => app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email: 'nobody@x.local', password: 'x' } })
  assert.equal((await from('10.0.0.1')).statusCode, 401)
  assert.equal((await from('10.0.0.1')).statusCode, 401)
  assert.equal((await from('10.0.0.1')).statusCode, 429)
  assert.equal((await from('10.0.0.2')).statusCode, 401, 'a different IP is a different bucket')
})

test('counters are shared through Redis by replicas of the same service', async (t) => {
  const prefix = `eriop-test:shared:${process.pid}:`
  const one = await build(t, database.url, { RATE_LIMIT_MAX: 3, REDIS_KEY_PREFIX: prefix })
  const two = await build(t, database.url, { RATE_LIMIT_MAX: 3, REDIS_KEY_PREFIX: prefix })
  const team = await createTeam(await build(t, database.url, { RATE_LIMIT_ENABLED: false }), database.db, 'RL3')
  const headers = bearer(team.responder.token)
  const codes = []
  for (const app of [one, two, one, two]) codes.push((await app.inject({ url: '/api/v1/auth/me', headers })).statusCode)
  assert.deepEqual(codes, [200, 200, 200, 429])
  await one.redis.del(...await one.redis.keys(`${prefix}*`))
})

test('RATE_LIMIT_ENABLED=false: no limit and no rate-limit headers', async (t) => {
  const app = await build(t, database.url, { RATE_LIMIT_ENABLED: false, RATE_LIMIT_MAX: 1 })
  const team = await createTeam(app, database.db, 'RL4')
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ url: '/api/v1/incidents/active', headers: bearer(team.responder.token) })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['x-ratelimit-limit'], undefined)
  }
})

test('the default limit is generous enough for the seed suite (350 accounts, one source IP)', async (t) => {
  const app = await build(t, database.url)
  // 10,000 Locust users spawned at 100/s from one IP: logins alone are 10,000 per ~100 s.
  assert.ok(app.config.RATE_LIMIT_MAX >= 10_000)
  assert.equal(app.config.RATE_LIMIT_WINDOW, '1 minute')
})

test('the defaults never spoil a benchmark: one token at this process\'s top rate is nowhere near its limit, which is on', async (t) => {
  const app = await build(t, database.url)
  assert.equal(app.config.RATE_LIMIT_ENABLED, true, 'on: benchmarks pay the limiter\'s cost')
  const team = await createTeam(app, database.db, 'RLDEF')
  const headers = bearer(team.alert_system.token)
  // The cheapest limited request, as fast as this process answers it, 32 at a time, for 3 s.
  const statuses = new Map<number, number>()
  let limit = ''
  const started = performance.now()
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (performance.now() - started < 3000) {
      const res = await app.inject({ url: '/api/v1/auth/me', headers })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      limit = String(res.headers['x-ratelimit-limit'])
    }
  }))
  const seconds = (performance.now() - started) / 1000
  const perSecond = [...statuses.values()].reduce((a, b) => a + b, 0) / seconds
  assert.deepEqual([...statuses.keys()], [200], 'no 429')
  assert.equal(limit, String(app.config.RATE_LIMIT_MAX), 'counted by the limiter')
  // Two minutes at this rate span at most two one-minute windows of perSecond × 60 requests each;
  // a machine ten times faster than this one still gets no 429.
  assert.equal(app.config.RATE_LIMIT_WINDOW, '1 minute')
  assert.ok(app.config.RATE_LIMIT_MAX >= perSecond * 60 * 10, `${Math.round(perSecond)} req/s here: a limit of ${app.config.RATE_LIMIT_MAX} a minute would bite on a machine ${(app.config.RATE_LIMIT_MAX / perSecond / 60).toFixed(1)}× faster`)
})

test('the realistic preset of the README (RATE_LIMIT_MAX=1000 a minute) bites a single token driving ingest', async (t) => {
  const team = await createTeam(await build(t, database.url, { RATE_LIMIT_ENABLED: false }), database.db, 'RLPRE')
  const app = await build(t, database.url, { RATE_LIMIT_MAX: 1000, RATE_LIMIT_WINDOW: '1 minute' })
  const headers = bearer(team.alert_system.token)
  const codes: number[] = []
  for (let i = 0; i < 1001; i++) codes.push((await app.inject({ url: '/api/v1/auth/me', headers })).statusCode)
  assert.equal(codes.filter((c) => c === 200).length, 1000)
  assert.equal(codes.at(-1), 429)
})
