// Two server processes on one Redis (a redis-server of this test's own): an event of one reaches
// the sockets of the other. Redis killed: each process keeps serving its own sockets, health says
// degraded, nothing crashes. Redis back: delivery across processes resumes by itself.
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, type TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnServer, type SpawnedServer } from '../../bench/server.js'
import { freePort } from '../../src/core/net.js'
import { createAgency, createUser, useTestDatabase, validIncident } from '../helper.js'
import { connect, type Client } from './support.js'

const database = useTestDatabase('live_replicas')

function startRedis (port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
}

async function stopRedis (child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGKILL')
  await once(child, 'exit')
}

async function redisHealth (server: SpawnedServer): Promise<{ status: string, redis: string }> {
  const body = await (await fetch(`${server.origin}/health/ready`)).json() as { status: string, components: Array<{ name: string, status: string }> }
  return { status: body.status, redis: body.components.find((c) => c.name === 'redis')!.status }
}

async function until (what: string, condition: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(100)
  }
}

test('two processes, one Redis: events cross; Redis down: local only, degraded, no crash; Redis back: crossing resumes', { timeout: 120_000 }, async (t: TestContext) => {
  const redisPort = await freePort()
  let redis = startRedis(redisPort)
  t.after(() => stopRedis(redis))
  const dir = mkdtempSync(join(tmpdir(), 'eriop-live-replicas-'))
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_KEY_PREFIX: `eriop-test:replicas:${process.pid}:`,
    LOG_LEVEL: 'warn',
    PG_POOL_MAX: '3',
    RATE_LIMIT_ENABLED: 'false'
  }
  await sleep(200)
  const [one, two] = await Promise.all(['one', 'two'].map(async (name) => {
    const server = await spawnServer({ cwd: process.cwd(), env: { ...env, PORT: String(await freePort()) }, logFile: join(dir, `${name}.log`), fileLimit: 4096 })
    t.after(() => server.stop())
    return server
  }))

  const agency = await createAgency(database.db, 'REPLICAS')
  await createUser(database.db, agency.id, 'dispatcher', 'dispatcher@replicas.test.eriop.local')
  const login = await fetch(`${one.origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'dispatcher@replicas.test.eriop.local', password: 'TestPass123456!' }) })
  const token = (await login.json() as { access_token: string }).access_token
  const create = async (server: SpawnedServer) => {
    const res = await fetch(`${server.origin}/api/v1/incidents`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(validIncident()) })
    assert.equal(res.status, 201)
    return (await res.json() as { id: string }).id
  }
  const onOne = await connect(t, one.origin, token)
  const onTwo = await connect(t, two.origin, token)
  const disconnects: string[] = []
  for (const client of [onOne, onTwo]) client.socket.on('disconnect', (reason) => disconnects.push(reason))
  const arrives = (client: Client, id: string, timeoutMs = 5000) => client.waitFor((r) => r.event === 'incident:created' && r.payload.id === id, timeoutMs)

  // Shared: created on one, delivered by the other.
  const first = await create(one)
  await arrives(onTwo, first)
  await arrives(onOne, first)
  const second = await create(two)
  await arrives(onOne, second)
  t.diagnostic('an incident created on process one arrived at a socket on process two, and the other way round')

  // Redis gone.
  await stopRedis(redis)
  await until('both report Redis degraded', async () => (await redisHealth(one)).redis === 'degraded' && (await redisHealth(two)).redis === 'degraded', 10_000)
  assert.equal((await redisHealth(one)).status, 'degraded')
  const whileDown = await create(one)
  await arrives(onOne, whileDown)
  const whileDownOnTwo = await create(two)
  await arrives(onTwo, whileDownOnTwo)
  await sleep(500)
  assert.ok(!onTwo.ids().includes(whileDown), 'without Redis an event stays in its process')
  assert.ok(!onOne.ids().includes(whileDownOnTwo))
  for (const server of [one, two]) assert.equal((await fetch(`${server.origin}/health/live`)).status, 200, 'still running')
  t.diagnostic('Redis down: each process served its own sockets, health degraded')

  // Redis back on the same port: nothing restarted, crossing resumes.
  redis = startRedis(redisPort)
  await until('both report Redis healthy again', async () => (await redisHealth(one)).redis === 'healthy' && (await redisHealth(two)).redis === 'healthy', 15_000)
  let crossed = ''
  await until('an incident created on one reaches two again', async () => {
    const id = await create(one)
    try {
      await arrives(onTwo, id, 500)
      crossed = id
      return true
    } catch { return false }
  }, 15_000)
  await arrives(onOne, crossed)
  const back = await create(two)
  await arrives(onOne, back)
  assert.deepEqual(disconnects, [], 'no socket was dropped by the outage')
  t.diagnostic('Redis back: delivery across processes resumed by itself')
})
