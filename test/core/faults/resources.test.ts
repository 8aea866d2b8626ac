// Resource faults on the server's own Postgres: real row locks held by another session, pool
// connections held, backends terminated. Under each the API answers 503 + Retry-After or succeeds,
// never 500, loses no acknowledged alert, and recovers by itself when the window ends.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import type { App } from '../../../src/app.js'
import { build, createTeam, useTestDatabase, validAlert, validIncident } from '../../helper.js'
import { postRules, started } from './support.js'

const dbx = useTestDatabase('faults_resources')

type Team = Awaited<ReturnType<typeof createTeam>>

async function ingest (app: App, team: Team, key?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/alerts/ingest',
    headers: { authorization: `Bearer ${team.alert_system.token}`, ...(key ? { 'idempotency-key': key } : {}) },
    payload: validAlert({ source_id: key ?? 'no-key' })
  })
}

/** Ingests with retries on 503 (same Idempotency-Key), as a well-behaved client; returns the acknowledged ids and every status seen. */
async function ingestUntilAcked (app: App, team: Team, keys: string[], deadlineMs: number) {
  const acked = new Map<string, string>()
  const statuses: number[] = []
  await Promise.all(keys.map(async (key) => {
    while (Date.now() < deadlineMs) {
      const res = await ingest(app, team, key)
      statuses.push(res.statusCode)
      if (res.statusCode === 201 || res.statusCode === 200) {
        acked.set(key, res.json().id)
        return
      }
      assert.equal(res.statusCode, 503, res.body)
      assert.ok(res.headers['retry-after'], '503 carries Retry-After')
      await sleep(100)
    }
  }))
  return { acked, statuses }
}

async function storedOnce (ids: string[]): Promise<boolean> {
  const { rows } = await dbx.pool.query<{ n: number, distinct_n: number }>('select count(*)::int as n, count(distinct idempotency_key)::int as distinct_n from alerts where id = any($1::uuid[])', [ids])
  return rows[0].n === ids.length && rows[0].distinct_n === ids.length
}

describe('resource faults', () => {
  it('pg-lock: pending alerts, active incidents and the agency locked by another session → 503 + Retry-After, then recovery', async (t) => {
    const app = await build(t, dbx.url, { FAULT_RULES: '[]', DB_LOCK_TIMEOUT_MS: 300, LIST_CACHE_TTL_MS: 0 })
    const team = await createTeam(app, dbx.db, 'FLTLOCK')
    const alert = (await ingest(app, team, 'lock-setup')).json()
    const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { authorization: `Bearer ${team.dispatcher.token}` }, payload: validIncident() })).json()

    await postRules(app, { id: 'lock', for: '2500ms', action: { type: 'pg-lock' } })
    const entry = await started(app, 'lock')
    const locked = (entry.detail as { locked: Record<string, number> }).locked
    assert.ok(locked['pending-alerts'] >= 1 && locked['active-incidents'] >= 1 && locked.agencies >= 1, JSON.stringify(locked))

    // The locks are real: Postgres shows a session of the faults holding row locks on alerts.
    const { rows } = await dbx.pool.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'eriop-target-faults' and state = 'idle in transaction'")
    assert.equal(rows[0].n, 1)

    const ack = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge`, headers: { authorization: `Bearer ${team.dispatcher.token}` }, payload: { notes: 'x' } })
    assert.equal(ack.statusCode, 503, ack.body)
    assert.equal(ack.headers['retry-after'], '1')
    assert.equal(ack.json().code, 'DATABASE_BUSY')
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, headers: { authorization: `Bearer ${team.dispatcher.token}` }, payload: { priority: 1 } })
    assert.equal(patch.statusCode, 503)
    // Reads do not wait for row locks.
    assert.equal((await app.inject({ url: '/api/v1/alerts/pending', headers: { authorization: `Bearer ${team.dispatcher.token}` } })).statusCode, 200)

    // Ingest meets the agency's lock (its foreign key): 503 until the window ends, then every retry is stored once.
    const keys = Array.from({ length: 8 }, (_, i) => `lock-${i}`)
    const { acked, statuses } = await ingestUntilAcked(app, team, keys, Date.now() + 15_000)
    assert.ok(statuses.includes(503), 'ingest was refused during the window')
    assert.equal(acked.size, keys.length, 'every alert acknowledged once the window ended')
    assert.ok(await storedOnce([...acked.values()]))

    const again = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge`, headers: { authorization: `Bearer ${team.dispatcher.token}` }, payload: { notes: 'x' } })
    assert.equal(again.statusCode, 200)
  })

  it('pg-pool: every pool connection held → 503 + Retry-After, then recovery', async (t) => {
    const app = await build(t, dbx.url, { FAULT_RULES: '[]', PG_POOL_MAX: 3, DB_CONNECT_TIMEOUT_MS: 300, LIST_CACHE_TTL_MS: 0 })
    const team = await createTeam(app, dbx.db, 'FLTPOOL')
    await postRules(app, { id: 'pool', for: '2s', action: { type: 'pg-pool', hold: 3 } })
    await started(app, 'pool')
    await sleep(150)
    const list = await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${team.dispatcher.token}` } })
    assert.equal(list.statusCode, 503, list.body)
    assert.ok(list.headers['retry-after'])
    assert.equal(app.db.$client.totalCount - app.db.$client.idleCount, 3, 'three connections checked out')
    const { acked, statuses } = await ingestUntilAcked(app, team, ['pool-1', 'pool-2', 'pool-3'], Date.now() + 15_000)
    assert.ok(statuses.includes(503))
    assert.equal(acked.size, 3)
    assert.ok(await storedOnce([...acked.values()]))
    assert.equal((await app.inject({ url: '/api/v1/alerts', headers: { authorization: `Bearer ${team.dispatcher.token}` } })).statusCode, 200)
  })

  it('pg-terminate: the server\'s backends killed mid-load → 503 or success, nothing acknowledged lost, then recovery', async (t) => {
    const app = await build(t, dbx.url, { FAULT_RULES: '[]', LIST_CACHE_TTL_MS: 0 })
    const team = await createTeam(app, dbx.db, 'FLTKILL')
    const before = async () => (await dbx.pool.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and application_name = 'eriop-target'")).rows.map((r) => r.pid)
    // Something on another database with the same application_name must survive.
    const bystander = new pg.Client({ connectionString: dbx.url.replace(/\/[^/]+$/, '/postgres'), application_name: 'eriop-target' })
    await bystander.connect()
    t.after(() => bystander.end().catch(() => {}))

    const statuses: number[] = []
    const acked: string[] = []
    const run = { stop: false }
    const load = Promise.all(Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !run.stop; i++) {
        const res = await ingest(app, team, `kill-${w}-${i}`)
        statuses.push(res.statusCode)
        if (res.statusCode === 201) acked.push(res.json().id)
        else assert.ok(res.headers['retry-after'], res.body)
        const list = await app.inject({ url: '/api/v1/alerts/pending', headers: { authorization: `Bearer ${team.dispatcher.token}` } })
        statuses.push(list.statusCode)
      }
    }))
    await sleep(300)
    const pids = await before()
    await postRules(app, { id: 'kill', action: { type: 'pg-terminate' } })
    const entry = await started(app, 'kill')
    assert.ok((entry.detail as { terminated: number }).terminated >= 1)
    await sleep(500)
    run.stop = true
    await load
    assert.ok(statuses.every((s) => s === 200 || s === 201 || s === 503), `statuses: ${[...new Set(statuses)]}`)
    const after = await before()
    assert.ok(pids.length > 0 && pids.every((pid) => !after.includes(pid)), 'every backend that was there is gone')
    assert.equal((await bystander.query('select 1 as ok')).rows[0].ok, 1, 'another database\'s session survived')
    assert.ok(await storedOnce(acked))
    assert.equal((await ingest(app, team, 'kill-after')).statusCode, 201)
  })
})
