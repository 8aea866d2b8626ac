// Every request fault of DESIGN §10, observed from outside with a real client: fetch for what an
// HTTP client sees, a raw node:net socket for what the connection does.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { fires } from '../../../src/core/faults/random.js'
import { build, createTeam, useTestDatabase, validAlert, validIncident } from '../../helper.js'
import type { App } from '../../../src/app.js'
import { listen, rawRequest } from './support.js'

const dbx = useTestDatabase('faults_request')
const SEED = 'request-faults-seed'
const RULES = [
  { id: 'ghost-batch', match: { method: 'POST', route: '/api/v1/alerts/ingest/batch' }, stage: 'after', action: { type: 'error', status: 503 } },
  { id: 'lost-incident', match: { method: 'POST', route: '/api/v1/incidents' }, stage: 'after', action: { type: 'reset' } },
  { id: 'slow-body', match: { route: '/health/ready' }, action: { type: 'dribble', chunks: 5, ms: 400 } },
  { id: 'slow-query', match: { route: '/api/v1/resources/available' }, action: { type: 'pg-slow', ms: 400 } },
  { id: 'responders-fail', match: { route: '/api/v1/buildings', role: 'responder' }, action: { type: 'error', status: 500 } },
  { id: 'some-lists', match: { method: 'GET', route: '/api/v1/alerts' }, probability: 0.3, action: { type: 'error', status: 429, retryAfter: 2 } },
  { id: 'late', match: { route: '/api/v1/auth/me' }, after: '1h', action: { type: 'error', status: 503 } }
]

describe('request faults', () => {
  let app: App
  let port: number
  let base: string
  let team: Awaited<ReturnType<typeof createTeam>>
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })

  before(async () => {
    app = await build(null, dbx.url, { FAULT_HEADERS: true, FAULTS_SEED: SEED, FAULT_RULES: JSON.stringify(RULES), LIST_CACHE_TTL_MS: 0 })
    team = await createTeam(app, dbx.db, 'FLTREQ')
    port = await listen(app)
    base = `http://127.0.0.1:${port}`
  })
  after(async () => { await app?.close() })

  it('X-Fault-Delay delays the answer; a log-normal delay is drawn from the seed and key', async () => {
    const t0 = performance.now()
    const res = await fetch(`${base}/health`, { headers: { 'x-fault-delay': '250ms' } })
    assert.equal(res.status, 200)
    assert.ok(performance.now() - t0 >= 245, 'answered after the delay')
    const timed = async () => {
      const t = performance.now()
      await (await fetch(`${base}/health`, { headers: { 'x-fault-delay': 'lognormal(60ms,0.8)', 'x-fault-key': 'vu1:7' } })).text()
      return performance.now() - t
    }
    const [a, b] = [await timed(), await timed()]
    const drawn = app.faults!.latest(2).map((e) => e.detail?.ms)
    assert.equal(drawn[0], drawn[1], 'the same key draws the same delay')
    assert.ok(Math.min(a, b) >= Number(drawn[0]) - 5)
  })

  it('X-Fault-Error answers that status in the contract shape, with Retry-After on 503', async () => {
    const res = await fetch(`${base}/health`, { headers: { 'x-fault-error': '503' } })
    assert.equal(res.status, 503)
    assert.equal(res.headers.get('retry-after'), '1')
    assert.deepEqual(await res.json(), { detail: 'Service unavailable, retry shortly', code: 'SERVICE_UNAVAILABLE' })
    const r502 = await fetch(`${base}/health`, { headers: { 'x-fault-error': '502' } })
    assert.equal(r502.status, 502)
    assert.equal(((await r502.json()) as { code: string }).code, 'BAD_GATEWAY')
  })

  it('reset: the client sees ECONNRESET and no byte', async () => {
    const out = await rawRequest(port, { path: '/health', headers: { 'x-fault-connection': 'reset' } })
    assert.equal(out.error, 'ECONNRESET')
    assert.equal(out.bytes.length, 0)
    await assert.rejects(fetch(`${base}/health`, { headers: { 'x-fault-connection': 'reset' } }), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'ECONNRESET' || /other side closed|ECONNRESET/.test(String(err.cause)))
  })

  it('empty: the connection closes cleanly without a byte', async () => {
    const out = await rawRequest(port, { path: '/health', headers: { 'x-fault-connection': 'empty' } })
    assert.equal(out.closed, true)
    assert.equal(out.error, undefined)
    assert.equal(out.bytes.length, 0)
  })

  it('malformed: a status line then bytes an HTTP parser refuses', async () => {
    const out = await rawRequest(port, { path: '/health', headers: { 'x-fault-connection': 'malformed' } })
    assert.ok(out.closed)
    assert.match(out.bytes.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/)
    await assert.rejects(async () => {
      const res = await fetch(`${base}/health`, { headers: { 'x-fault-connection': 'malformed' } })
      await res.text()
    }, (err: Error) => err instanceof TypeError)
  })

  it('garbage: random bytes (not HTTP) then close; the same key sends the same bytes', async () => {
    const headers = { 'x-fault-connection': 'garbage', 'x-fault-key': 'g-1' }
    const a = await rawRequest(port, { path: '/health', headers })
    const b = await rawRequest(port, { path: '/health', headers })
    assert.ok(a.closed)
    assert.equal(a.bytes.length, 512)
    assert.ok(!a.bytes.subarray(0, 5).equals(Buffer.from('HTTP/')))
    assert.deepEqual(a.bytes, b.bytes)
    await assert.rejects(async () => { await (await fetch(`${base}/health`, { headers })).text() })
  })

  it('hang: no answer and no close; the client\'s timeout decides', async () => {
    const out = await rawRequest(port, { path: '/health', headers: { 'x-fault-connection': 'hang' }, timeoutMs: 700 })
    assert.equal(out.timedOut, true)
    assert.equal(out.bytes.length, 0)
    await assert.rejects(fetch(`${base}/health`, { headers: { 'x-fault-connection': 'hang' }, signal: AbortSignal.timeout(300) }), { name: 'TimeoutError' })
  })

  it('dribble: the body comes in pieces spread over the window', async () => {
    const out = await rawRequest(port, { path: '/health/ready', timeoutMs: 3000 })
    const text = out.bytes.toString()
    assert.match(text, /^HTTP\/1\.1 200 OK/)
    const body = text.slice(text.indexOf('\r\n\r\n') + 4)
    assert.equal(JSON.parse(body).status, 'healthy')
    assert.ok(out.arrivals.length >= 3, `pieces arrived apart (${out.arrivals.map(Math.round).join(', ')} ms)`)
    assert.ok(out.arrivals[out.arrivals.length - 1] - out.arrivals[0] >= 300, 'spread over the window')
  })

  it('pg-slow: the request\'s own query waits inside Postgres', async () => {
    const watcher = new pg.Client({ connectionString: dbx.url })
    await watcher.connect()
    try {
      const t0 = performance.now()
      const pending = fetch(`${base}/api/v1/resources/available`, { headers: auth(team.dispatcher.token) })
      let seen = false
      for (let i = 0; i < 30 && !seen; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        const { rows } = await watcher.query("select 1 from pg_stat_activity where datname = current_database() and query like 'SELECT pg_sleep%' and state = 'active'")
        seen = rows.length > 0
      }
      const res = await pending
      assert.equal(res.status, 200)
      assert.ok(performance.now() - t0 >= 390, 'slowed by the sleep')
      assert.ok(seen, 'pg_stat_activity showed the sleep on the server\'s backend')
    } finally {
      await watcher.end()
    }
  })

  it('stage after: a 503 after the batch committed (a ghost write: the alerts are stored)', async () => {
    const body = [validAlert({ source_id: 'ghost-1' }), validAlert({ source_id: 'ghost-2' })]
    const res = await fetch(`${base}/api/v1/alerts/ingest/batch`, {
      method: 'POST', headers: { ...auth(team.alert_system.token), 'content-type': 'application/json' }, body: JSON.stringify(body)
    })
    assert.equal(res.status, 503)
    assert.equal(res.headers.get('retry-after'), '1')
    const { rows } = await dbx.pool.query("select count(*)::int as n from alerts where source_id in ('ghost-1', 'ghost-2')")
    assert.equal(rows[0].n, 2)
  })

  it('stage after: a reset once the incident is created (the answer is lost, the row is not)', async () => {
    const incident = { ...validIncident(), title: 'Lost answer incident' }
    const out = await rawRequest(port, {
      method: 'POST', path: '/api/v1/incidents', headers: auth(team.dispatcher.token), body: JSON.stringify(incident)
    })
    assert.equal(out.error, 'ECONNRESET')
    assert.equal(out.bytes.length, 0)
    const { rows } = await dbx.pool.query("select count(*)::int as n from incidents where title = 'Lost answer incident'")
    assert.equal(rows[0].n, 1)
  })

  it('match on role: responders get the fault, dispatchers do not', async () => {
    assert.equal((await fetch(`${base}/api/v1/buildings`, { headers: auth(team.responder.token) })).status, 500)
    assert.equal((await fetch(`${base}/api/v1/buildings`, { headers: auth(team.dispatcher.token) })).status, 200)
  })

  it('probability: exactly the keys the seed picks fail, every time', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`)
    const statuses = []
    for (const key of keys) {
      const res = await fetch(`${base}/api/v1/alerts`, { headers: { ...auth(team.dispatcher.token), 'x-fault-key': key } })
      if (res.status === 429) assert.equal(res.headers.get('retry-after'), '2')
      statuses.push(res.status)
    }
    const expected = keys.map((k) => fires(SEED, 'some-lists', k, 0.3) ? 429 : 200)
    assert.deepEqual(statuses, expected)
    assert.ok(expected.includes(429) && expected.includes(200))
  })

  it('a rule whose window has not opened does nothing', async () => {
    assert.equal((await fetch(`${base}/api/v1/auth/me`, { headers: auth(team.dispatcher.token) })).status, 200)
  })

  it('a malformed fault header is a 400 in the contract shape, and no fault', async () => {
    for (const [name, value] of [['x-fault-delay', 'soon'], ['x-fault-delay', 'uniform(200ms,100ms)'], ['x-fault-delay', '10m'],
      ['x-fault-error', '404'], ['x-fault-error', 'five'], ['x-fault-connection', 'explode'], ['x-fault-probability', '0.5']]) {
      const res = await fetch(`${base}/health`, { headers: { [name]: value } })
      assert.equal(res.status, 400, `${name}: ${value}`)
      const body = (await res.json()) as { code: string, detail: string }
      assert.equal(body.code, 'BAD_REQUEST')
      assert.match(body.detail, /X-Fault-/)
    }
    const res = await fetch(`${base}/health`, { headers: { 'x-fault-error': '503', 'x-fault-probability': '1.5' } })
    assert.equal(res.status, 400)
    assert.equal((await fetch(`${base}/health`, { headers: { 'x-fault-error': '503', 'x-fault-probability': '0' } })).status, 200)
  })

  it('each injection is counted on /metrics and kept in the log', async () => {
    const text = await (await fetch(`${base}/metrics`)).text()
    assert.match(text, /faults_injected_total\{rule="header",action="reset",route="\/health"\} [1-9]/)
    assert.match(text, /faults_injected_total\{rule="ghost-batch",action="error",route="\/api\/v1\/alerts\/ingest\/batch"\} 1/)
    assert.match(text, /faults_injected_total\{rule="slow-query",action="pg-slow",route="\/api\/v1\/resources\/available"\} 1/)
    const log = app.faults!.latest(1000)
    assert.ok(log.some((e) => e.rule === 'lost-incident' && e.action === 'reset' && e.stage === 'after'))
    assert.ok(log.some((e) => e.rule === 'slow-body' && e.action === 'dribble'))
  })
})

describe('fault logging', () => {
  it('every injection is logged at debug, with its rule, action, route and key', async (t) => {
    const { Writable } = await import('node:stream')
    const { buildApp } = await import('../../../src/app.js')
    const { testConfig } = await import('../../helper.js')
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _enc, cb) { lines.push(chunk.toString()); cb() } })
    const app = await buildApp(testConfig(dbx.url, { FAULT_HEADERS: true, LOG_LEVEL: 'debug' }), { logger: { level: 'debug', stream } })
    t.after(() => app.close())
    await app.ready()
    assert.equal((await app.inject({ url: '/health', headers: { 'x-fault-error': '502', 'x-fault-key': 'logged-1' } })).statusCode, 502)
    const entry = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'fault injected: error (rule header)')
    assert.ok(entry, 'a debug line for the injection')
    assert.equal(entry.level, 20)
    assert.deepEqual({ rule: entry.fault.rule, action: entry.fault.action, route: entry.fault.route, key: entry.fault.key, status: entry.fault.detail.status },
      { rule: 'header', action: 'error', route: '/health', key: 'logged-1', status: 502 })
  })
})
