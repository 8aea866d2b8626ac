import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadConfig } from '../../../src/config.js'
import { buildAdminApp, type AdminApp } from '../../../src/core/faults/admin.js'
import { build, createTeam, testConfig, useTestDatabase } from '../../helper.js'
import { exitWithin, ROOT, start, userEnv } from '../../deploy/support.js'
import type { App } from '../../../src/app.js'

const dbx = useTestDatabase('faults_admin')
const TOKEN = 'admin-token-for-tests-0123456789'

describe('admin API', () => {
  let app: App
  let peer: App
  let admin: AdminApp
  const prefix = `eriop-test:${process.pid}:faults-admin:`
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, token: string | null = TOKEN) =>
    admin.inject({
      method,
      url,
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
      headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...(token === null ? {} : { authorization: `Bearer ${token}` }) }
    })

  before(async () => {
    // Two apps on one Redis prefix: two replicas of one service.
    app = await build(null, dbx.url, { ADMIN_PORT: 0, ADMIN_TOKEN: TOKEN, FAULTS_SEED: 'admin-seed', REDIS_KEY_PREFIX: prefix })
    peer = await build(null, dbx.url, { FAULT_RULES: '[]', FAULTS_SEED: 'admin-seed', REDIS_KEY_PREFIX: prefix })
    admin = await buildAdminApp(app.faults!, { token: TOKEN })
    await call('DELETE', '/faults')
  })
  after(async () => {
    await call('DELETE', '/faults').catch(() => {})
    await admin?.close()
    await app?.close()
    await peer?.close()
  })

  it('refuses calls without the token, or with a wrong one (401)', async () => {
    const missing = await call('GET', '/faults', undefined, null)
    assert.equal(missing.statusCode, 401)
    assert.deepEqual(missing.json(), { detail: 'Not authenticated', code: 'NOT_AUTHENTICATED' })
    assert.equal(missing.headers['www-authenticate'], 'Bearer')
    const wrong = await call('POST', '/faults', { action: { type: 'error', status: 503 } }, 'not-the-token')
    assert.equal(wrong.statusCode, 401)
    assert.equal(wrong.json().code, 'INVALID_TOKEN')
    assert.equal(app.faults!.rules().length, 0, 'nothing was added')
  })

  it('shows the seed and the rules', async () => {
    const res = await call('GET', '/faults')
    assert.equal(res.statusCode, 200)
    assert.deepEqual(res.json(), { seed: 'admin-seed', shared: true, rules: [] })
  })

  it('a bad rule is a 422 whose loc names the field, and nothing is added', async () => {
    const cases: [unknown, (string | number)[]][] = [
      [{ action: { type: 'delay', ms: -5 } }, ['body', 'action', 'ms']],
      [{ action: { type: 'teleport' } }, ['body', 'action', 'type']],
      [{ match: { path: '/x' }, action: { type: 'reset' } }, ['body', 'match', 'path']],
      [{ probability: 2, action: { type: 'reset' } }, ['body', 'probability']],
      [{ after: 'soon', action: { type: 'reset' } }, ['body', 'after']],
      [{ action: { type: 'delay', distribution: { type: 'lognormal', median: 40 } } }, ['body', 'action', 'distribution', 'sigma']],
      [{ action: { type: 'delay', distribution: { type: 'uniform', min: 90, max: 10 } } }, ['body', 'action', 'distribution', 'max']],
      [[{ action: { type: 'reset' } }, { action: { type: 'error', status: 404 } }], ['body', 1, 'action', 'status']],
      [{ name: 'storm', rules: [{ action: { type: 'pg-lock' } }] }, ['body', 'rules', 0, 'for']],
      [{ for: '5s', match: { route: '/api/v1/alerts' }, action: { type: 'pg-pool', hold: 2 } }, ['body', 'match']],
      [{ for: '5s', action: { type: 'pg-lock', targets: ['pending-alerts', 'nope'] } }, ['body', 'action', 'targets', 1]],
      [[{ id: 'twice', action: { type: 'reset' } }, { id: 'twice', action: { type: 'empty' } }], ['body', 1, 'id']],
      ['a string', ['body']]
    ]
    for (const [body, loc] of cases) {
      const res = await call('POST', '/faults', body)
      assert.equal(res.statusCode, 422, JSON.stringify(body))
      const answer = res.json()
      assert.equal(answer.code, 'VALIDATION_ERROR')
      assert.deepEqual(answer.detail[0].loc, loc, JSON.stringify(body))
      assert.equal(typeof answer.detail[0].msg, 'string')
    }
    assert.equal((await call('GET', '/faults')).json().rules.length, 0)
  })

  it('a rule posted to one process fires in another (shared through Redis), and is removed from both', async () => {
    const team = await createTeam(peer, dbx.db, 'FLTADM')
    const posted = await call('POST', '/faults', { id: 'fail-me', match: { route: '/api/v1/auth/me' }, action: { type: 'error', status: 503 } })
    assert.equal(posted.statusCode, 201)
    assert.deepEqual(posted.json().ids, ['fail-me'])
    const me = () => peer.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${team.responder.token}` } })
    let status = 0
    for (let i = 0; i < 50 && status !== 503; i++) {
      status = (await me()).statusCode
      if (status !== 503) await sleep(50)
    }
    assert.equal(status, 503, 'the peer took the rule')
    assert.equal(peer.faults!.rules()[0].id, 'fail-me')

    assert.equal((await call('DELETE', '/faults/fail-me')).statusCode, 204)
    assert.equal((await call('DELETE', '/faults/fail-me')).statusCode, 404)
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await me()).statusCode
      if (status !== 200) await sleep(50)
    }
    assert.equal(status, 200, 'the peer dropped it')
  })

  it('takes a schedule, lists it in the order posted, logs injections, and clears everything', async () => {
    // Later windows with ids in no sorted order, enough of them that Redis keeps the hash unordered.
    const later = ['w9', 'w3', 'w7', 'w12', 'w5', 'w10', 'w4', 'w8', 'w11', 'w6'].map((id) => ({ id, match: { route: '/health' }, after: '1h', action: { type: 'error', status: 500 } }))
    const res = await call('POST', '/faults', {
      name: 'two-windows',
      rules: [
        { id: 'w1', match: { route: '/health' }, for: '1h', action: { type: 'delay', ms: 1 } },
        { id: 'w2', match: { route: '/health' }, after: '1h', action: { type: 'error', status: 500 } },
        ...later
      ]
    })
    assert.equal(res.statusCode, 201)
    const rules = (await call('GET', '/faults')).json().rules
    const posted = ['w1', 'w2', ...later.map((r) => r.id)]
    assert.deepEqual(rules.map((r: { id: string, schedule: string }) => [r.id, r.schedule]), posted.map((id) => [id, 'two-windows']))
    assert.equal(rules[0].loaded_at, rules[1].loaded_at, 'one instant for the whole schedule')
    assert.equal((await app.inject({ url: '/health' })).statusCode, 200)
    const log = (await call('GET', '/faults/log?limit=5')).json()
    assert.equal(log.seed, 'admin-seed')
    assert.equal(log.entries.at(-1).rule, 'w1')
    assert.equal(log.entries.at(-1).action, 'delay')
    assert.equal((await call('DELETE', '/faults')).statusCode, 204)
    assert.equal((await call('GET', '/faults')).json().rules.length, 0)
  })

  it('has its own OpenAPI page; the public API has none of these routes', async () => {
    const doc = (await admin.inject({ url: '/docs/json' })).json()
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/faults', '/faults/log', '/faults/{id}'])
    assert.equal((await admin.inject({ url: '/docs' })).statusCode < 400, true)
    assert.equal((await app.inject({ url: '/faults', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 404)
    const publicDoc = (await app.inject({ url: '/docs/json' })).json()
    assert.ok(!Object.keys(publicDoc.paths).some((p) => p.startsWith('/faults')))
  })
})

describe('fault settings', () => {
  it('start is refused with ADMIN_PORT and no ADMIN_TOKEN, or on the public port', () => {
    assert.throws(() => loadConfig({ ADMIN_PORT: '9100' }), /ADMIN_TOKEN/)
    assert.throws(() => loadConfig({ ADMIN_PORT: '8000', ADMIN_TOKEN: TOKEN }), /differ from PORT/)
    assert.throws(() => loadConfig({ ADMIN_PORT: '9100', ADMIN_TOKEN: 'short' }))
    assert.equal(loadConfig({ ADMIN_PORT: '9100', ADMIN_TOKEN: TOKEN }).ADMIN_PORT, 9100)
  })

  it('the real server refuses to start with ADMIN_PORT and no ADMIN_TOKEN: one line, exit 1', async () => {
    const started = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT, env: userEnv({ DATABASE_URL: dbx.url, PORT: '0', ADMIN_PORT: '9155', LOG_LEVEL: 'warn' })
    })
    assert.equal(await exitWithin(started, 30_000), 1)
    assert.match(started.output(), /cannot start: ADMIN_PORT is set but ADMIN_TOKEN is not/)
  })

  it('nothing asked: no engine and no hooks', async (t) => {
    const app = await build(t, dbx.url)
    assert.equal(app.faults, null)
    assert.equal((await app.inject({ url: '/health', headers: { 'x-fault-error': '503' } })).statusCode, 200)
  })

  it('a bad FAULT_RULES stops the start with the field named', async () => {
    const { buildApp } = await import('../../../src/app.js')
    await assert.rejects(buildApp(testConfig(dbx.url, { FAULT_RULES: '[{"action":{"type":"delay","ms":"x"}}]' }), { logger: false }), /FAULT_RULES: body\.0\.action\.ms/)
    await assert.rejects(buildApp(testConfig(dbx.url, { FAULT_RULES: '/nonexistent/rules.json' }), { logger: false }), /ENOENT/)
  })
})
