// Reproducibility across processes: two real servers (src/server.ts) with one FAULTS_SEED inject
// faults into exactly the same requests, draw the same delays, and replay a schedule identically;
// a rule posted to one's admin API fires in the other (shared through Redis).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../../../src/core/net.js'
import { spawnServer, type SpawnedServer } from '../../apis/eriop/ingest/support.js'
import { useTestDatabase } from '../../helper.js'

const dbx = useTestDatabase('faults_processes')
const TOKEN = 'two-process-admin-token-0123456789'

interface Server { api: SpawnedServer, admin: string }

describe('two server processes', () => {
  const servers: Server[] = []
  const admin = (s: Server, method: string, path: string, body?: unknown) => fetch(`${s.admin}${path}`, {
    method, headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  const statuses = async (s: Server, path: string, keys: (string | undefined)[]) => {
    const out: number[] = []
    for (const key of keys) {
      const res = await fetch(`${s.api.base}${path}`, { headers: key ? { 'x-fault-key': key } : {} })
      await res.arrayBuffer()
      out.push(res.status)
    }
    return out
  }

  before(async () => {
    const prefix = `eriop-test:${process.pid}:faults-processes:`
    for (let i = 0; i < 2; i++) {
      const port = await freePort()
      const api = await spawnServer(dbx.url, { FAULTS_SEED: 'two-processes', ADMIN_PORT: String(port), ADMIN_TOKEN: TOKEN, REDIS_KEY_PREFIX: prefix })
      servers.push({ api, admin: `http://127.0.0.1:${port}` })
    }
    // The admin API listens just after the public port answers.
    for (const s of servers) {
      for (let i = 0; i < 100; i++) {
        const ok = await fetch(`${s.admin}/docs/json`).then((r) => r.ok, () => false)
        if (ok) break
        await sleep(100)
      }
    }
    await admin(servers[0], 'DELETE', '/faults')
  })
  after(async () => {
    if (servers[0]) await admin(servers[0], 'DELETE', '/faults').catch(() => {})
    for (const s of servers) {
      s.api.child.kill('SIGTERM')
      await s.api.exited
    }
  })

  it('a rule posted to one process fires in the other', async () => {
    const [a, b] = servers
    const res = await admin(a, 'POST', '/faults', [
      { id: 'p30', match: { method: 'GET', route: '/health' }, probability: 0.3, action: { type: 'error', status: 503 } },
      { id: 'lat', match: { route: '/health/live' }, action: { type: 'delay', distribution: { type: 'lognormal', median: 20, sigma: 0.6, max: 200 } } }
    ])
    assert.equal(res.status, 201)
    let seen: string[] = []
    for (let i = 0; i < 100 && seen.length < 2; i++) {
      seen = ((await (await admin(b, 'GET', '/faults')).json()) as { rules: { id: string }[] }).rules.map((r) => r.id)
      if (seen.length < 2) await sleep(50)
    }
    assert.deepEqual(seen.sort(), ['lat', 'p30'])
  })

  it('the same seed and X-Fault-Key values fault exactly the same requests in both', async () => {
    const [a, b] = servers
    const keys = Array.from({ length: 60 }, (_, i) => `vu${i % 7}:iter${i}`)
    const fromA = await statuses(a, '/health', keys)
    const fromB = await statuses(b, '/health', [...keys].reverse())
    assert.deepEqual(fromA, fromB.reverse(), 'same keys, same faults, whatever the order')
    assert.ok(fromA.includes(503) && fromA.includes(200))
    assert.ok(fromA.filter((s) => s === 503).length < 40)
  })

  it('and draw the same delays', async () => {
    const [a, b] = servers
    const keys = Array.from({ length: 10 }, (_, i) => `d${i}`)
    await statuses(a, '/health/live', keys)
    await statuses(b, '/health/live', keys)
    const drawn = async (s: Server) => ((await (await admin(s, 'GET', '/faults/log?limit=10')).json()) as { entries: { key: string, detail: { ms: number } }[] })
      .entries.map((e) => `${e.key}=${e.detail.ms}`)
    const fromA = await drawn(a)
    assert.deepEqual(fromA, await drawn(b))
    assert.ok(new Set(fromA.map((e) => e.split('=')[1])).size > 3, 'the delays vary from key to key')
  })

  it('a schedule replays identically: in the other process, and when posted again', async () => {
    const [a, b] = servers
    await admin(a, 'DELETE', '/faults')
    const schedule = { name: 'replay', rules: [{ id: 'half', match: { route: '/health/ready' }, probability: 0.5, action: { type: 'error', status: 500 } }] }
    assert.equal((await admin(a, 'POST', '/faults', schedule)).status, 201)
    await sleep(300)
    // No key: each process counts the rule's matching requests itself, from the moment it was posted.
    const noKeys = Array.from({ length: 30 }, () => undefined)
    const first = await statuses(a, '/health/ready', noKeys)
    const other = await statuses(b, '/health/ready', noKeys)
    assert.equal((await admin(b, 'POST', '/faults', schedule)).status, 201)
    await sleep(300)
    const again = await statuses(a, '/health/ready', noKeys)
    assert.deepEqual(other, first)
    assert.deepEqual(again, first)
    assert.ok(first.includes(500) && first.includes(200))
  })

  it('windows open and close at the same offsets from when the schedule was posted', async () => {
    const [a, b] = servers
    await admin(a, 'DELETE', '/faults')
    const posted = Date.now()
    assert.equal((await admin(a, 'POST', '/faults', { name: 'window', rules: [{ id: 'win', match: { route: '/health/ready' }, after: '1500ms', for: '2s', action: { type: 'error', status: 503 } }] })).status, 201)
    const at = async (ms: number) => {
      await sleep(Math.max(0, posted + ms - Date.now()))
      return [...await statuses(a, '/health/ready', ['w']), ...await statuses(b, '/health/ready', ['w'])]
    }
    assert.deepEqual(await at(200), [200, 200])
    assert.deepEqual(await at(2200), [503, 503])
    assert.deepEqual(await at(4300), [200, 200])
  })
})
