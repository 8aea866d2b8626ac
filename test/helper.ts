import { after, before, type TestContext } from 'node:test'
import pg from 'pg'
import { buildApp, type App } from '../src/app.js'
import { hashPassword } from '../src/core/auth/password.js'
import { createDb, createPool, type Database } from '../src/core/db/client.js'
import { prepareDatabase } from '../src/core/db/migrate.js'
import { ERIOP_MIGRATIONS } from '../src/apis/eriop/migrations.js'
import type { ApiMigrations } from '../src/core/api.js'
import { agencies, users } from '../src/apis/eriop/db/schema/index.js'
import { loadConfig, type Config } from '../src/config.js'
import type { UserRole } from '../src/apis/eriop/schemas/values.js'

/** The Postgres server the tests use (this machine's; CI's too). Each test file gets its own database on it. */
export const PG_SERVER_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const PASSWORD = 'TestPass123456!'

export function databaseUrl (name: string): string {
  const url = new URL(PG_SERVER_URL)
  url.pathname = `/${name}`
  return url.toString()
}

async function adminQuery (sql: string) {
  const client = new pg.Client({ connectionString: PG_SERVER_URL })
  await client.connect()
  try { await client.query(sql) } finally { await client.end() }
}

export async function dropDatabase (name: string) {
  await adminQuery(`drop database if exists "${name}" with (force)`)
}

/**
 * Gives the calling test file a database of its own, freshly migrated (ERIOP's migrations unless
 * another API's are named), dropped afterwards.
 * Call at module level; returns an object whose fields are filled in `before`.
 */
export function useTestDatabase (label: string, migrations: ApiMigrations = ERIOP_MIGRATIONS) {
  const name = `eriop_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}`
  const ctx = { name, url: databaseUrl(name), db: undefined as unknown as Database, pool: undefined as unknown as pg.Pool }
  before(async () => {
    await dropDatabase(name)
    await prepareDatabase(ctx.url, migrations)
    ctx.pool = createPool(ctx.url, { max: 3, connectTimeoutMs: 5000 })
    ctx.db = createDb(ctx.pool)
  })
  after(async () => {
    await ctx.pool?.end()
    await dropDatabase(name)
  })
  return ctx
}

/**
 * JWT_SECRET for an app built against a database it cannot reach: without it the app would need the
 * database at start to read its signing key (src/core/db/settings.ts).
 */
export const UNREACHABLE_DB_SECRET = 'a-secret-for-a-database-never-reached'

export function testConfig (databaseUrl: string, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: `eriop-test:${process.pid}:${Math.random().toString(36).slice(2, 8)}:`,
    PG_POOL_MAX: 4,
    LOG_LEVEL: 'silent',
    ...overrides
  })
}

/** Builds the app exactly as production does (minus the listener), closed when the test ends. */
export async function build (t: TestContext | null, databaseUrl: string, overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<App> {
  const app = await buildApp(testConfig(databaseUrl, overrides), { logger: false })
  if (t) t.after(() => app.close())
  await app.ready()
  return app
}

export async function createAgency (db: Database, code: string, name = `Agency ${code}`) {
  const [row] = await db.insert(agencies).values({ code, name }).returning()
  return row
}

let fixtureHash: Promise<string> | undefined
export async function createUser (db: Database, agencyId: string, role: UserRole, email: string, opts: { active?: boolean, badge?: string } = {}) {
  fixtureHash ??= hashPassword(PASSWORD, 'fixture')
  const [row] = await db.insert(users).values({
    agencyId,
    email: email.toLowerCase(),
    hashedPassword: await fixtureHash,
    fullName: email.split('@')[0],
    role,
    badgeNumber: opts.badge ?? null,
    isActive: opts.active ?? true,
    isVerified: true
  }).returning()
  return row
}

export async function login (app: App, email: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  if (res.statusCode !== 200) throw new Error(`login of ${email} failed: ${res.statusCode} ${res.body}`)
  return res.json().access_token
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** An agency with one user per role, logged in. */
export async function createTeam (app: App, db: Database, code: string) {
  const agency = await createAgency(db, code)
  const domain = `${code.toLowerCase()}.test.eriop.local`
  const roles = ['admin', 'dispatcher', 'responder', 'alert_system'] as const
  const members = {} as Record<typeof roles[number], { id: string, email: string, token: string }>
  for (const role of roles) {
    const email = `${role.replace('_', '')}@${domain}`
    const user = await createUser(db, agency.id, role, email)
    members[role] = { id: user.id, email, token: await login(app, email) }
  }
  return { agency, ...members }
}

export const validIncident = () => ({
  category: 'fire',
  priority: 2,
  title: `Incident ${new Date().toISOString()}`,
  description: 'Test incident created during load test',
  location: { latitude: 45.5017, longitude: -73.5673, address: '1234 Test Street', building_info: null }
})

export const validAlert = (extra: Record<string, unknown> = {}) => ({
  source: 'axis_microphone',
  source_id: 'device_1234',
  severity: 'high',
  alert_type: 'gunshot',
  title: `Alert ${new Date().toISOString()}`,
  description: 'Load test alert',
  location: { latitude: 45.51, longitude: -73.56, address: '12 Alert Street', zone: 'Zone 3' },
  raw_payload: { test: true, timestamp: new Date().toISOString() },
  confidence: 0.91,
  peak_level_db: 101.5,
  background_level_db: 47.25,
  ...extra
})
