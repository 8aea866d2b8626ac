// Shared mode (Redis) and single-instance mode (no Redis: turned off, unreachable, or back later).
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { test, type TestContext } from 'node:test'
import { Redis } from 'ioredis'
import { setTimeout as sleep } from 'node:timers/promises'
import type { App } from '../../src/app.js'
import { freePort } from '../../src/core/db/embedded.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../helper.js'
import { runs, skipUnless } from '../tools.js'

const database = useTestDatabase('redis_mode')
// These tests start, freeze and kill a redis-server of their own.
const skipRedisServer = skipUnless(runs('redis-server'), 'redis-server is not installed (apt-get install redis-server)')

const ready = async (app: App) => {
  const res = await app.inject({ url: '/health/ready' })
  const body = res.json()
  return { code: res.statusCode, body, redis: body.components.find((c: { name: string }) => c.name === 'redis') }
}

/** Anonymous logins from one address: counted per IP by the rate limiter. */
const loginStatuses = async (app: App, n: number, ip = '10.9.9.9') => {
  const codes: number[] = []
  for (let i = 0; i < n; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email: `nobody${i}@x.local`, password: 'wrong-password' } })
    codes.push(res.statusCode)
  }
  return codes
}

/** Publishes through `from` until a subscriber of `to` has the event (subscriptions take a moment to reach Redis). */
async function deliveredAcross (from: App, to: App, timeoutMs = 8000): Promise<boolean> {
  const marker = `m-${Math.random()}`
  const seen = { marker: false }
  const unsubscribe = to.events.subscribe('incident:updated', (payloads) => {
    if ((payloads as Array<{ marker?: string }>).some((p) => p.marker === marker)) seen.marker = true
  })
  const deadline = Date.now() + timeoutMs
  while (!seen.marker && Date.now() < deadline) {
    from.events.publish('incident:updated', [{ marker }])
    await sleep(100)
  }
  unsubscribe()
  return seen.marker
}

async function startRedis (t: TestContext, port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT') // a test that failed while it was frozen: SIGTERM alone would wait forever
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })
  return child
}

async function until (condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await sleep(50)
  return condition()
}

test('shared mode: Redis reachable at start, mode shared, events cross replicas', async (t) => {
  const prefix = `eriop-test:mode:${process.pid}:shared:`
  const one = await build(t, database.url, { REDIS_KEY_PREFIX: prefix })
  const two = await build(t, database.url, { REDIS_KEY_PREFIX: prefix })
  const { code, body, redis } = await ready(one)
  assert.equal(code, 200)
  assert.equal(body.status, 'healthy')
  assert.equal(body.mode, 'shared')
  assert.equal(redis.status, 'healthy')
  assert.equal(redis.message, 'ok')
  assert.ok(await deliveredAcross(one, two), 'an event published by one replica reaches the other through Redis')
})

for (const value of ['none', '']) {
  test(`REDIS_URL=${JSON.stringify(value)}: Redis turned off, single-instance mode, healthy`, async (t) => {
    const app = await build(t, database.url, { REDIS_URL: value, RATE_LIMIT_MAX: 2 })
    assert.equal(app.redis.status, 'end', 'no connection is ever attempted')
    const { code, body, redis } = await ready(app)
    assert.equal(code, 200)
    assert.equal(body.status, 'healthy', 'a deliberate choice is not a degradation')
    assert.equal(body.mode, 'single-instance')
    assert.equal(redis.status, 'healthy')
    assert.match(redis.message, /disabled/)

    // Limits are enforced by the in-process store.
    assert.deepEqual(await loginStatuses(app, 3), [401, 401, 429])
    // Events reach this process's subscribers.
    assert.ok(await deliveredAcross(app, app))
  })
}

test('Redis unreachable at start: single-instance mode, degraded, limits still enforced in process', async (t) => {
  const port = await freePort()
  const one = await build(t, database.url, { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_MAX: 2 })
  const two = await build(t, database.url, { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_MAX: 2 })
  const { code, body, redis } = await ready(one)
  assert.equal(code, 200, 'Redis down is not a reason to take the API out of rotation')
  assert.equal(body.status, 'degraded')
  assert.equal(body.mode, 'single-instance')
  assert.equal(redis.status, 'degraded')
  assert.match(redis.message, /single-instance/)

  // The memory store enforces the limit (the Redis store would fail open here)...
  assert.deepEqual(await loginStatuses(one, 3), [401, 401, 429])
  // ...per process: another replica has its own counters.
  assert.deepEqual(await loginStatuses(two, 1), [401])
  assert.ok(await deliveredAcross(one, one, 2000), 'local subscribers still get events')
})

test('Redis comes back: events are shared again, rate-limit counters stay in process until restart', { skip: skipRedisServer }, async (t) => {
  const port = await freePort()
  const prefix = `eriop-test:mode:${process.pid}:back:`
  const overrides = { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_MAX: 2 }
  const one = await build(t, database.url, overrides)
  const two = await build(t, database.url, overrides)
  assert.equal((await ready(one)).body.mode, 'single-instance')
  // Subscribe while Redis is still down: the subscription must reach Redis once it is up.
  const received = { count: 0 }
  const unsubscribe = two.events.subscribe('alert:created', () => { received.count++ })
  t.after(unsubscribe)

  const server = await startRedis(t, port)
  assert.ok(await until(() => one.redis.status === 'ready' && two.redis.status === 'ready', 10_000), 'the clients reconnect by themselves')

  const { code, body, redis } = await ready(one)
  assert.equal(code, 200)
  assert.equal(body.status, 'healthy')
  assert.equal(body.mode, 'single-instance', 'the rate-limit store was chosen at start')
  assert.match(redis.message, /until restart/)

  assert.ok(await deliveredAcross(one, two), 'events cross replicas through Redis now')
  const deadline = Date.now() + 5000
  while (received.count === 0 && Date.now() < deadline) {
    one.events.publish('alert:created', [{ id: 'x' }])
    await sleep(100)
  }
  assert.ok(received.count > 0, 'the subscription made while Redis was down reaches Redis once it is up')

  // Rate-limit counters are still per process: none of them is in Redis.
  assert.deepEqual(await loginStatuses(one, 3), [401, 401, 429])
  assert.deepEqual(await loginStatuses(two, 1), [401])
  const client = new Redis(`redis://127.0.0.1:${port}`)
  t.after(() => client.quit())
  assert.deepEqual(await client.keys(`${prefix}rl:*`), [])
  assert.equal(server.exitCode, null)

  // A replica started now, with Redis up, is in shared mode.
  const three = await build(t, database.url, overrides)
  assert.equal((await ready(three)).body.mode, 'shared')
})

test('shared mode, Redis lost mid-run (hung, then dead): limits count in process, every request is answered, ingest goes on', { skip: skipRedisServer, timeout: 60_000 }, async (t) => {
  const port = await freePort()
  const server = await startRedis(t, port)
  const probe = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: (n) => (n < 50 ? 100 : null) })
  probe.on('error', () => {})
  await probe.ping()
  probe.disconnect()
  const app = await build(t, database.url, { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_MAX: 2 })
  assert.equal((await ready(app)).body.mode, 'shared')
  // The team logs in through an unlimited instance (same signing key): its tokens work on `app`.
  const team = await createTeam(await build(t, database.url, { RATE_LIMIT_ENABLED: false }), database.db, 'REDISLOST')
  const ingest = () => app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })
  assert.deepEqual(await loginStatuses(app, 3, '10.7.7.1'), [401, 401, 429], 'counted in Redis')

  // Hung: the connection stays open but nothing answers. The first command times out and opens the
  // circuit (redis-circuit.test.ts); the limiter counts in this process meanwhile.
  server.kill('SIGSTOP')
  t.after(() => { if (server.exitCode === null && server.signalCode === null) server.kill('SIGCONT') })
  assert.deepEqual(await loginStatuses(app, 3, '10.7.7.2'), [401, 401, 429], 'limits count in process instead of hanging')
  assert.equal(app.redisCircuit.isOpen, true)
  assert.equal((await ingest()).statusCode, 201)

  // Dead: the connection is closed; the client reconnects in the background.
  server.kill('SIGKILL')
  await once(server, 'exit')
  assert.ok(await until(() => app.redis.status !== 'ready', 5000))
  const { code, body } = await ready(app)
  assert.equal(code, 200)
  assert.equal(body.status, 'degraded')
  assert.deepEqual(await loginStatuses(app, 3, '10.7.7.3'), [401, 401, 429])
  const responses = await Promise.all(Array.from({ length: 20 }, ingest))
  // Every one answered at once; the user's in-process budget (RATE_LIMIT_MAX 2, one spent while
  // Redis hung) lets one more through.
  assert.deepEqual(responses.map((res) => res.statusCode).sort(), [201, ...Array(19).fill(429)], responses.map((r) => r.body).join('\n'))
  const me = await app.inject({ url: '/api/v1/auth/me', headers: bearer(team.dispatcher.token) })
  assert.equal(me.statusCode, 200)

  // Back: the same client reconnects and the Redis store counts again.
  await startRedis(t, port)
  assert.ok(await until(() => app.redis.status === 'ready', 10_000), 'the client reconnects by itself')
  assert.ok(await until(() => !app.redisCircuit.isOpen, 10_000), 'a probe closes the circuit')
  assert.equal((await ready(app)).body.mode, 'shared')
  assert.deepEqual(await loginStatuses(app, 3, '10.7.7.4'), [401, 401, 429])
  const client = new Redis(`redis://127.0.0.1:${port}`)
  t.after(() => client.quit())
  assert.ok((await client.keys('*rl:*10.7.7.4')).length > 0, 'counted in Redis again')
})
