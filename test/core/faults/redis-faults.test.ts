// Resource faults on the server's own Redis. CLIENT PAUSE freezes a whole Redis server, so this
// file starts its own (the shared one serves every other test file).
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import type { App } from '../../../src/app.js'
import { freePort } from '../../../src/core/db/embedded.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../helper.js'
import { postRules, started } from './support.js'

const dbx = useTestDatabase('faults_redis')

let redisServer: ChildProcess | undefined
after(async () => {
  if (redisServer && redisServer.exitCode === null && redisServer.signalCode === null) {
    redisServer.kill('SIGTERM')
    await once(redisServer, 'exit')
  }
})

async function ownRedis (): Promise<string> {
  const port = await freePort()
  redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    probe.on('error', () => {})
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      return url
    } catch {
      probe.disconnect()
      await sleep(50)
    }
  }
  throw new Error('redis-server did not start')
}

/** Ingests and lists while `running()`; every answer must be a success (Redis is an accelerator). */
async function keepServing (app: App, team: Awaited<ReturnType<typeof createTeam>>, running: () => boolean, tag: string) {
  const statuses: number[] = []
  const acked: string[] = []
  for (let i = 0; running(); i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: { ...bearer(team.alert_system.token), 'idempotency-key': `${tag}-${i}` }, payload: validAlert() })
    statuses.push(res.statusCode)
    if (res.statusCode === 201) acked.push(res.json().id)
    statuses.push((await app.inject({ url: '/api/v1/alerts/pending', headers: bearer(team.dispatcher.token) })).statusCode)
  }
  return { statuses, acked }
}

async function storedCount (ids: string[]): Promise<number> {
  return (await dbx.pool.query<{ n: number }>('select count(*)::int as n from alerts where id = any($1::uuid[])', [ids])).rows[0].n
}

describe('Redis faults', () => {
  let redisUrl: string
  before(async () => { redisUrl = await ownRedis() })

  it('redis-pause: Redis stops answering (CLIENT PAUSE) for the window; the API keeps serving and recovers', async (t) => {
    const app = await build(t, dbx.url, { REDIS_URL: redisUrl, FAULT_RULES: '[]', LIST_CACHE_TTL_MS: 0 })
    const team = await createTeam(app, dbx.db, 'FLTPAUSE')
    const probe = new Redis(redisUrl)
    t.after(() => probe.disconnect())

    await postRules(app, { id: 'pause', for: '2s', action: { type: 'redis-pause' } })
    await started(app, 'pause')
    // Seen from outside: a PING waits until the pause ends.
    const t0 = performance.now()
    const ping = probe.ping().then(() => performance.now() - t0)
    const windowEnds = Date.now() + 2000
    const served = await keepServing(app, team, () => Date.now() < windowEnds, 'pause')
    assert.ok(await ping >= 800, `PING answered after ${Math.round(await ping)} ms`)
    assert.ok(served.statuses.length > 0 && served.statuses.every((s) => s === 200 || s === 201), `statuses ${[...new Set(served.statuses)]}`)
    assert.equal(await storedCount(served.acked), served.acked.length)

    await sleep(300)
    const t1 = performance.now()
    await probe.ping()
    assert.ok(performance.now() - t1 < 200, 'Redis answers again')
    assert.equal(await app.redis.ping(), 'PONG')
  })

  it('redis-down: the app\'s Redis connection dropped for the window, back by itself after it', async (t) => {
    const app = await build(t, dbx.url, { REDIS_URL: redisUrl, FAULT_RULES: '[]', LIST_CACHE_TTL_MS: 0 })
    const team = await createTeam(app, dbx.db, 'FLTDOWN')
    assert.equal(app.redis.status, 'ready')
    await postRules(app, { id: 'down', for: '1500ms', action: { type: 'redis-down' } })
    await started(app, 'down')
    assert.notEqual(app.redis.status, 'ready')
    const health = (await app.inject({ url: '/health/ready' })).json()
    assert.equal(health.status, 'degraded')
    const windowEnds = Date.now() + 1200
    const served = await keepServing(app, team, () => Date.now() < windowEnds, 'down')
    assert.notEqual(app.redis.status, 'ready', 'no reconnection during the window')
    assert.ok(served.statuses.every((s) => s === 200 || s === 201), `statuses ${[...new Set(served.statuses)]}`)
    assert.equal(await storedCount(served.acked), served.acked.length)

    for (let i = 0; i < 60 && app.redis.status !== 'ready'; i++) await sleep(50)
    assert.equal(app.redis.status, 'ready', 'reconnected when the window ended')
    assert.equal((await app.inject({ url: '/health/ready' })).json().status, 'healthy')
  })
})
