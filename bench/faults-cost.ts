/**
 * What the fault hooks cost when no rule matches: server CPU per request of POST
 * /api/v1/alerts/ingest/noop (auth, schema, serialization, no write), measured in-process with
 * app.inject (no network, so the hooks' share is not drowned in it), alternating three builds:
 * faults off (no hook), faults on with no rule (one check per hook), one rule that matches another
 * route. `npx tsx bench/faults-cost.ts [--requests 20000] [--rounds 3]`
 */
import { parseArgs } from 'node:util'
import pg from 'pg'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { hashPassword } from '../src/core/auth/password.js'
import { prepareDatabase } from '../src/core/db/migrate.js'
import { ERIOP_MIGRATIONS } from '../src/apis/eriop/migrations.js'

const { values: args } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } })
const REQUESTS = Number(args.requests)
const ROUNDS = Number(args.rounds)
const SERVER = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const DB = `eriop_faults_cost_${process.pid}`
const url = SERVER.replace(/\/[^/]*$/, `/${DB}`)
const RULE = JSON.stringify([{ id: 'elsewhere', match: { route: '/api/v1/nowhere' }, action: { type: 'delay', ms: 1 } }])

const CONFIGS: Record<string, Record<string, unknown>> = {
  off: {},
  'on, no rule': { FAULT_RULES: '[]' },
  'one non-matching rule': { FAULT_RULES: RULE }
}

async function admin (sql: string) {
  const c = new pg.Client({ connectionString: SERVER })
  await c.connect()
  try { await c.query(sql) } finally { await c.end() }
}

async function open (overrides: Record<string, unknown>) {
  const app = await buildApp(loadConfig({ DATABASE_URL: url, REDIS_URL: 'none', LOG_LEVEL: 'silent', BENCH_NOOP_ROUTE: 'true', RATE_LIMIT_ENABLED: 'false', ...overrides }), { logger: false })
  await app.ready()
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'cost@bench.local', password: 'TestPass123456!' } })
  const token = login.json().access_token as string
  const request = {
    method: 'POST' as const,
    url: '/api/v1/alerts/ingest/noop',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ source: 'manual', source_id: 'x', severity: 'high', alert_type: 'gunshot', title: 'Cost alert', description: 'd' })
  }
  return { app, request }
}

await admin(`drop database if exists "${DB}" with (force)`)
await prepareDatabase(url, ERIOP_MIGRATIONS)
const db = new pg.Client({ connectionString: url })
await db.connect()
const agency = (await db.query<{ id: string }>("insert into agencies (code, name) values ('COST', 'Cost') returning id")).rows[0].id
await db.query("insert into users (agency_id, email, hashed_password, full_name, role, is_active, is_verified) values ($1, 'cost@bench.local', $2, 'Cost', 'alert_system', true, true)", [agency, await hashPassword('TestPass123456!')])
await db.end()
// The three builds run side by side in slices of SLICE requests, in turn, so a change in the
// machine's load (it is shared) falls on all three alike.
const SLICE = 500
const apps = await Promise.all(Object.entries(CONFIGS).map(async ([name, overrides]) => ({ name, ...(await open(overrides)) })))
const results: Record<string, number[]> = Object.fromEntries(apps.map((a) => [a.name, []]))
try {
  for (const a of apps) for (let i = 0; i < 2000; i++) await a.app.inject(a.request)
  for (let round = 1; round <= ROUNDS; round++) {
    const spent = Object.fromEntries(apps.map((a) => [a.name, 0]))
    for (let slice = 0; slice < REQUESTS / SLICE; slice++) {
      for (const a of apps) {
        const cpu = process.cpuUsage()
        for (let i = 0; i < SLICE; i++) {
          const res = await a.app.inject(a.request)
          if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`${a.name}: ${res.statusCode} ${res.body}`)
        }
        const used = process.cpuUsage(cpu)
        spent[a.name] += used.user + used.system
      }
    }
    for (const a of apps) {
      results[a.name].push(spent[a.name] / REQUESTS)
      process.stdout.write(`round ${round} ${a.name.padEnd(22)} ${(spent[a.name] / REQUESTS).toFixed(1)} µs CPU per request\n`)
    }
  }
} finally {
  for (const a of apps) await a.app.close()
  await admin(`drop database if exists "${DB}" with (force)`)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = median(results.off)
for (const [name, xs] of Object.entries(results)) {
  process.stdout.write(`${name.padEnd(22)} median ${median(xs).toFixed(1)} µs (${((median(xs) / base - 1) * 100).toFixed(1)} % vs off)\n`)
}
