// `seed verify`: is the fixture in the database exactly as seeded, and can its users log in?
import { eq, sql } from 'drizzle-orm'
import { verifyPassword } from '../src/auth/password.js'
import type { Database } from '../src/db/client.js'
import { ACTIVE_INCIDENT_STATUSES, type UserRole } from '../src/schemas/values.js'
import { buildFixture } from './factories.js'
import {
  FIXTURE_PASSWORD, FIXTURE_TABLES, fixtureUsers, tableCounts,
  type FixtureTable
} from './fixture.js'
import { agencyCode, chunked, fixturePasswordHash, fixtureStatus, ROWS_PER_STATEMENT, TABLES, type ProgressListener } from './store.js'

export interface VerifyOptions {
  agency?: string
  /** Expected scale; default: the scale recorded by the last seed (1 if none). */
  scale?: number
  /** Base URL of a running API (http://localhost:8000): also log in through it, for a sample of users. */
  url?: string
  onProgress?: ProgressListener
}

export interface VerifyCheck { name: string, expected: number, actual: number, ok: boolean }

export interface VerifyReport {
  ok: boolean
  agency: string
  scale: number
  checks: VerifyCheck[]
  /** What is wrong, one sentence each (with examples); empty when ok. */
  problems: string[]
  /** Worth knowing but not wrong: rows load tests added, the scale used. */
  notes: string[]
  durationMs: number
}

// Columns the API changes in normal use without making the fixture wrong.
const VOLATILE = new Set(['updatedAt', 'lastLoginAt', 'failedLoginAttempts', 'lockedUntil'])
const MAX_EXAMPLES = 3

const LABEL: Record<FixtureTable, string> = {
  buildings: 'name', users: 'email', resources: 'callSign', incidents: 'incidentNumber', alerts: 'sourceId'
}

/** A comparable text form: dates as ISO strings, object keys sorted (jsonb reorders them). */
function canonical (value: unknown): string {
  if (value === undefined || value === null) return 'null'
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const short = (text: string) => (text.length > 60 ? `${text.slice(0, 57)}...` : text)

/** Equal as stored: the common cases without building strings (verify compares every cell). */
function same (a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null)
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime()
  if (typeof a === 'object' && typeof b === 'object') return canonical(a) === canonical(b)
  return false
}

function differences (expected: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  const diffs: string[] = []
  for (const key of Object.keys(expected)) {
    if (VOLATILE.has(key) || same(expected[key], actual[key])) continue
    diffs.push(`${key} ${short(canonical(actual[key]))} (expected ${short(canonical(expected[key]))})`)
  }
  return diffs
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`

/**
 * Compares the agency's fixture with what `seedFixture` would write: every fixture row present
 * and unchanged, the counts the load test relies on (users per role, 75 available resources,
 * 50 active incidents, 50 pending alerts at scale 1), every user able to log in (the stored
 * hashes are verified against the fixture password), and with `url` real logins through the API.
 * Rows that load tests added (non-fixture ids) are reported as notes, not problems.
 */
export async function verifyFixture (db: Database, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now()
  const code = agencyCode(options.agency)
  const status = await fixtureStatus(db, code)
  const scale = options.scale ?? status.scale ?? 1
  const report: VerifyReport = { ok: false, agency: code, scale, checks: [], problems: [], notes: [], durationMs: 0 }
  const done = () => ({ ...report, ok: report.problems.length === 0, durationMs: performance.now() - started })

  const fixture = buildFixture({ agency: code, scale, passwordHash: await fixturePasswordHash() })
  if (!status.exists) {
    report.problems.push(`agency ${code} does not exist: run \`npm run seed${code === 'LOADTEST' ? '' : ` -- --agency ${code}`}\``)
    return done()
  }
  if (status.agencyId !== fixture.agency.id) {
    report.problems.push(`agency ${code} (id ${status.agencyId}) was not created by this seeder: \`npm run seed\` replaces it`)
    return done()
  }
  if (options.scale !== undefined && status.scale !== undefined && status.scale !== options.scale) {
    report.notes.push(`the last seed recorded scale ${status.scale}; checking against --scale ${options.scale}`)
  }

  const expectedCounts = tableCounts(scale)
  const check = (name: string, expected: number, actual: number, problem: () => string) => {
    const ok = expected === actual
    report.checks.push({ name, expected, actual, ok })
    if (!ok) report.problems.push(problem())
  }

  const roles: Record<UserRole, number> = { admin: 0, dispatcher: 0, responder: 0, alert_system: 0 }
  let usable = 0
  let available = 0
  let active = 0
  let pending = 0
  const hashes = new Map<string, string[]>() // stored hash → emails using it
  const unusable: string[] = []
  const now = new Date()

  for (const name of FIXTURE_TABLES) {
    const table = TABLES[name]
    let present = 0
    let seen = 0
    let changed = 0
    const examples: string[] = []
    const missing: string[] = []
    for (const expectedRows of chunked<Record<string, unknown>>(fixture.rows[name](), ROWS_PER_STATEMENT)) {
      const ids = `{${expectedRows.map((row) => row.id).join(',')}}`
      const rows = await db.select().from(table).where(sql`${table.id} = any(${ids}::uuid[])`) as Record<string, unknown>[]
      const byId = new Map(rows.map((row) => [row.id as string, row]))
      seen += expectedRows.length
      for (const expected of expectedRows) {
        const actual = byId.get(expected.id as string)
        const label = String(expected[LABEL[name]])
        if (!actual) {
          if (missing.length < MAX_EXAMPLES) missing.push(label)
          continue
        }
        present++
        const diffs = differences(expected, actual)
        if (diffs.length) {
          changed++
          if (examples.length < MAX_EXAMPLES) examples.push(`${label}: ${diffs.slice(0, 3).join(', ')}`)
        }
        if (name === 'users') {
          roles[actual.role as UserRole]++
          const lockedUntil = actual.lockedUntil as Date | null
          if (actual.isActive && !(lockedUntil && lockedUntil > now)) {
            const emails = hashes.get(actual.hashedPassword as string) ?? []
            emails.push(actual.email as string)
            hashes.set(actual.hashedPassword as string, emails)
          } else if (unusable.length < MAX_EXAMPLES) {
            unusable.push(`${actual.email as string} (${actual.isActive ? 'locked' : 'inactive'})`)
          }
        }
        if (name === 'resources' && actual.status === 'available') available++
        if (name === 'incidents' && (ACTIVE_INCIDENT_STATUSES as readonly unknown[]).includes(actual.status)) active++
        if (name === 'alerts' && actual.status === 'pending') pending++
      }
      await options.onProgress?.({ step: 'verify', table: name, done: seen, total: expectedCounts[name] })
    }
    const absent = expectedCounts[name] - present
    check(`${name} present`, expectedCounts[name], present,
      () => `${plural(absent, name === 'users' ? 'fixture user' : `fixture ${name.slice(0, -1)}`)} missing (e.g. ${missing.join(', ')}): run \`npm run seed\``)
    check(`${name} as seeded`, present, present - changed,
      () => `${plural(changed, `${name.slice(0, -1)}`)} changed since seeding (${examples.join('; ')}): \`npm run seed\` restores them`)

    // Rows under the agency that this fixture does not have.
    const [{ fixtureRows, otherRows }] = await db.select({
      fixtureRows: sql<number>`count(*) filter (where substr(${table.id}::text, 15, 1) = '5')`.mapWith(Number),
      otherRows: sql<number>`count(*) filter (where substr(${table.id}::text, 15, 1) <> '5')`.mapWith(Number)
    }).from(table).where(eq(table.agencyId, fixture.agency.id))
    if (fixtureRows > present) {
      report.problems.push(`${plural(fixtureRows - present, `${name.slice(0, -1)}`)} of a larger fixture scale: \`npm run seed -- --scale ${scale}\` removes them`)
    }
    if (otherRows) report.notes.push(`${plural(otherRows, `${name.slice(0, -1)}`)} added through the API (load tests); \`npm run seed -- reset\` removes them`)
  }

  const counts = fixture.counts
  check('dispatchers', counts.dispatchers, roles.dispatcher, () => `expected ${counts.dispatchers} dispatchers, found ${roles.dispatcher}`)
  check('responders', counts.responders, roles.responder, () => `expected ${counts.responders} responders, found ${roles.responder}`)
  check('alert-system users', counts.alertSystems, roles.alert_system, () => `expected ${counts.alertSystems} alert-system users, found ${roles.alert_system}`)

  // One verification per distinct stored hash covers every user (they normally share one).
  const failing: string[] = []
  for (const [hash, emails] of hashes) {
    if (await verifyPassword(hash, FIXTURE_PASSWORD)) usable += emails.length
    else failing.push(...emails)
  }
  // Of the users present (missing ones are reported above): active, not locked, right password.
  const presentUsers = roles.dispatcher + roles.responder + roles.alert_system + roles.admin
  check('users able to log in', presentUsers, usable, () => {
    const reasons = [...unusable, ...failing.slice(0, MAX_EXAMPLES).map((email) => `${email} (wrong password hash)`)]
    return `${plural(presentUsers - usable, 'fixture user')} cannot log in with ${FIXTURE_PASSWORD} (e.g. ${reasons.slice(0, MAX_EXAMPLES).join(', ')})`
  })
  check('available resources', counts.availableResources, available, () => `expected ${counts.availableResources} available resources, found ${available}`)
  check('active incidents', counts.activeIncidents, active, () => `expected ${counts.activeIncidents} active incidents, found ${active}`)
  check('pending alerts', counts.pendingAlerts, pending, () => `expected ${counts.pendingAlerts} pending alerts, found ${pending}`)

  if (options.url) await verifyLogins(options.url, code, scale, fixture.agency.id, report)
  return done()
}

/** Logs in through the API as the first, middle and last user of each role, then calls /auth/me. */
async function verifyLogins (baseUrl: string, code: string, scale: number, agencyId: string, report: VerifyReport) {
  const base = baseUrl.replace(/\/+$/, '')
  const all = fixtureUsers(code, scale)
  const sample = (['dispatcher', 'responder', 'alert_system'] as const).flatMap((role) => {
    const users = all.filter((u) => u.role === role)
    return [...new Set([0, Math.floor(users.length / 2), users.length - 1])].map((i) => users[i])
  })
  let ok = 0
  const failures: string[] = []
  for (const user of sample) {
    try {
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: FIXTURE_PASSWORD }),
        signal: AbortSignal.timeout(10_000)
      })
      if (login.status !== 200) {
        failures.push(`${user.email}: login answered ${login.status} ${short(await login.text())}`)
        continue
      }
      const { access_token: token } = await login.json() as { access_token: string }
      const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) })
      const body = me.status === 200 ? await me.json() as { email?: string, role?: string, agency_id?: string } : undefined
      if (!body || body.email !== user.email || body.role !== user.role || body.agency_id !== agencyId) {
        failures.push(`${user.email}: /auth/me answered ${me.status} ${short(JSON.stringify(body ?? null))}`)
        continue
      }
      ok++
    } catch (err) {
      failures.push(`${user.email}: cannot reach ${base} (${(err as Error).cause ? String((err as { cause: unknown }).cause) : (err as Error).message})`)
      if (ok === 0 && failures.length === 1) break // the API is not there: one line says it
    }
  }
  const expected = sample.length
  report.checks.push({ name: `API logins at ${base}`, expected, actual: ok, ok: ok === expected })
  if (ok !== expected) report.problems.push(`logins through the API failed: ${failures.slice(0, MAX_EXAMPLES).join('; ')}`)
}
