// A hung Redis (SIGSTOP: the connection stays open, nothing answers) costs one command timeout,
// not one per request: the circuit opens, the API keeps serving at close to its normal rate
// without Redis, probes it in the background, and uses it again once it answers (SIGCONT).
// Real HTTP (autocannon) against a listening app, a redis-server of this test's own.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { Redis } from 'ioredis'
import type { App } from '../../src/app.js'
import { freePort } from '../../src/core/db/embedded.js'
import { bearer, build, createTeam, useTestDatabase } from '../helper.js'
import { runs, skipUnless, startRedisServer } from '../tools.js'

const database = useTestDatabase('redis_circuit')
// These tests start, freeze and kill a redis-server of their own.
const skipRedisServer = skipUnless(runs('redis-server'), 'redis-server is not installed (apt-get install redis-server)')

/** Requests per second over `seconds` of real HTTP from 16 connections; every answer must be a 200. */
async function rate (url: string, token: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 16, duration: seconds, headers: bearer(token), timeout: 10 })
  assert.equal(result.non2xx, 0, 'every request answered 200')
  assert.equal(result.errors, 0)
  return result.requests.total / seconds
}

const redisComponent = async (app: App) => {
  const res = await app.inject({ url: '/health/ready' })
  return { body: res.json(), redis: res.json().components.find((c: { name: string }) => c.name === 'redis') }
}

const metricValue = async (app: App, name: string) => {
  const text = (await app.inject({ url: '/metrics' })).body
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return line === undefined ? undefined : Number(line.split(' ')[1])
}

test('Redis frozen: at least half the normal rate, degraded and reported; thawed: Redis counts again', { skip: skipRedisServer, timeout: 120_000 }, async (t) => {
  const port = await freePort()
  const server = await startRedisServer(t, port)
  const prefix = `eriop-test:circuit:${process.pid}:`
  const app = await build(t, database.url, { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'silent' })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/incidents/active`
  const team = await createTeam(app, database.db, 'CIRCUIT')
  const token = team.dispatcher.token
  const counter = new Redis(`redis://127.0.0.1:${port}`)
  counter.on('error', () => {})
  t.after(() => counter.disconnect())
  const counted = async () => {
    const keys = await counter.keys(`${prefix}rl:*`)
    const values = await Promise.all(keys.map((k) => counter.get(k)))
    return values.reduce((n, v) => n + Number(v ?? 0), 0)
  }

  assert.equal((await redisComponent(app)).body.mode, 'shared')
  const normal = await rate(url, token, 3)
  assert.ok(await counted() > 0, 'requests are counted in Redis')

  server.kill('SIGSTOP')
  const frozen = await rate(url, token, 5)
  t.diagnostic(`requests/s: normal ${normal.toFixed(0)}, Redis frozen ${frozen.toFixed(0)} (${(frozen / normal * 100).toFixed(0)} %)`)
  assert.ok(frozen >= normal * 0.5, `frozen ${frozen.toFixed(0)}/s against normal ${normal.toFixed(0)}/s`)

  const { body, redis } = await redisComponent(app)
  assert.equal(body.status, 'degraded')
  assert.equal(redis.status, 'degraded')
  assert.match(redis.message, /circuit open/)
  assert.equal(await metricValue(app, 'redis_circuit_open'), 1)
  assert.ok((await metricValue(app, 'redis_circuit_opened_total'))! >= 1)
  // The health check itself does not wait for the hung Redis either.
  const started = performance.now()
  await app.inject({ url: '/health/ready' })
  assert.ok(performance.now() - started < 500, 'health answers at once while the circuit is open')

  // Live events are delivered locally, at once (a publish through the hung Redis would never arrive).
  let delivered = false
  const unsubscribe = app.events.subscribe('incident:updated', () => { delivered = true })
  app.events.publish('incident:updated', [{ id: 'during-freeze' }])
  unsubscribe()
  assert.equal(delivered, true)

  server.kill('SIGCONT')
  const deadline = Date.now() + 10_000
  while (await metricValue(app, 'redis_circuit_open') !== 0 && Date.now() < deadline) await sleep(100)
  assert.equal(await metricValue(app, 'redis_circuit_open'), 0, 'the background probe closed the circuit')
  assert.equal((await redisComponent(app)).redis.status, 'healthy')
  const before = await counted()
  for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: '/api/v1/incidents/active', headers: bearer(token) })).statusCode, 200)
  assert.equal(await counted(), before + 5, 'rate-limit counters are in Redis again')
})
