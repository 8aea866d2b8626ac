// `seed export`: the fixture's credentials (and pre-issued access tokens) for Locust, k6 and autocannon.
import { rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { and, eq, sql } from 'drizzle-orm'
import { createSigner } from 'fast-jwt'
import { accessClaims, type TokenSubject } from '../src/auth/tokens.js'
import type { Config } from '../src/config.js'
import type { Database } from '../src/db/client.js'
import { sharedSigningKey } from '../src/db/settings.js'
import { users } from '../src/db/schema/index.js'
import type { UserRole } from '../src/schemas/values.js'
import { FIXTURE_PASSWORD, fixtureUsers } from './fixture.js'
import { agencyCode, FixtureError, fixtureStatus } from './store.js'

export const EXPORT_FORMATS = ['csv', 'json'] as const
export type ExportFormat = typeof EXPORT_FORMATS[number]

/** One row of the export. Token fields only with `tokens: true`. */
export interface Credential {
  email: string
  password: string
  role: UserRole
  user_id?: string
  agency_id?: string
  access_token?: string
  /** ISO-8601 time the access token stops being accepted. */
  expires_at?: string
}

export interface ExportOptions {
  agency?: string
  /** Default: the scale recorded by the last seed. */
  scale?: number
  format?: ExportFormat
  /** Add an access token per user, exactly as POST /api/v1/auth/login would issue it. */
  tokens?: boolean
  /**
   * JWT_SECRET and ACCESS_TOKEN_TTL of the API that will receive the tokens (loadConfig()).
   * Without JWT_SECRET, tokens are signed with the key the API keeps in the same database.
   */
  config?: Pick<Config, 'JWT_SECRET' | 'ACCESS_TOKEN_TTL'>
  /** Issue time of the tokens; default now. */
  now?: Date
}

/**
 * Signs access tokens the way the API's auth plugin does (src/plugins/auth.ts: @fastify/jwt over
 * fast-jwt, HS256, JWT_SECRET or the database's key, lifetime ACCESS_TOKEN_TTL seconds), with the
 * claims of src/auth/tokens.ts that the login route uses too. A test checks the API accepts them.
 */
export function createAccessTokenSigner (config: { JWT_SECRET: string, ACCESS_TOKEN_TTL: number }, now: Date = new Date()) {
  const sign = createSigner({
    key: config.JWT_SECRET,
    algorithm: 'HS256',
    expiresIn: config.ACCESS_TOKEN_TTL * 1000, // fast-jwt counts milliseconds; @fastify/jwt converts its seconds the same way
    clockTimestamp: now.getTime()
  })
  const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + config.ACCESS_TOKEN_TTL * 1000).toISOString()
  return (user: TokenSubject) => ({ access_token: sign(accessClaims(user)), expires_at: expiresAt })
}

/**
 * The fixture users as stored (ids, roles and agency from the database, so tokens name real
 * rows), in fixture order: dispatchers, responders, alert-system users. Throws FixtureError
 * when the agency or any of its fixture users is missing.
 */
export async function loadCredentials (db: Database, options: Omit<ExportOptions, 'format'> = {}): Promise<Credential[]> {
  const code = agencyCode(options.agency)
  const status = await fixtureStatus(db, code)
  if (!status.exists || !status.agencyId) throw new FixtureError(`agency ${code} does not exist: run \`npm run seed\` first`)
  const expected = fixtureUsers(code, options.scale ?? status.scale ?? 1)
  const ids = `{${expected.map((u) => u.id).join(',')}}`
  const rows = await db.select({ id: users.id, email: users.email, role: users.role, agencyId: users.agencyId })
    .from(users).where(and(eq(users.agencyId, status.agencyId), sql`${users.id} = any(${ids}::uuid[])`))
  const byId = new Map(rows.map((row) => [row.id, row]))
  const missing = expected.filter((u) => !byId.has(u.id))
  if (missing.length) {
    throw new FixtureError(`${missing.length} of ${expected.length} fixture users of ${code} are missing (e.g. ${missing[0].email}): run \`npm run seed\` first`)
  }
  let sign: ReturnType<typeof createAccessTokenSigner> | undefined
  if (options.tokens) {
    const config = requireConfig(options.config)
    const key = config.JWT_SECRET ?? await sharedSigningKey(db.$client)
    sign = createAccessTokenSigner({ JWT_SECRET: key, ACCESS_TOKEN_TTL: config.ACCESS_TOKEN_TTL }, options.now)
  }
  return expected.map(({ id }) => {
    const user = byId.get(id)!
    const credential: Credential = { email: user.email, password: FIXTURE_PASSWORD, role: user.role }
    return sign ? { ...credential, user_id: user.id, agency_id: user.agencyId, ...sign(user) } : credential
  })
}

function requireConfig (config: ExportOptions['config']) {
  if (!config) throw new TypeError('tokens need config (ACCESS_TOKEN_TTL, and JWT_SECRET if the API has one)')
  return config
}

const CSV_COLUMNS = ['email', 'password', 'role'] as const
const TOKEN_COLUMNS = ['user_id', 'agency_id', 'access_token', 'expires_at'] as const

function csvField (value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** CSV with a header row (RFC 4180, \n line ends): `email,password,role[,user_id,agency_id,access_token,expires_at]`. */
export function toCsv (credentials: Credential[]): string {
  const columns = credentials.some((c) => c.access_token) ? [...CSV_COLUMNS, ...TOKEN_COLUMNS] : [...CSV_COLUMNS]
  const lines = [columns.join(',')]
  for (const c of credentials) lines.push(columns.map((col) => csvField(c[col] ?? '')).join(','))
  return lines.join('\n') + '\n'
}

/** A bare JSON array of credential objects (k6: `JSON.parse(open('users.json'))`). */
export function toJson (credentials: Credential[]): string {
  return JSON.stringify(credentials, null, 2) + '\n'
}

export function formatCredentials (credentials: Credential[], format: ExportFormat): string {
  return format === 'csv' ? toCsv(credentials) : toJson(credentials)
}

export async function exportCredentials (db: Database, options: ExportOptions = {}): Promise<{ text: string, count: number }> {
  const credentials = await loadCredentials(db, options)
  return { text: formatCredentials(credentials, options.format ?? 'csv'), count: credentials.length }
}

/** Writes next to `path` then renames: a reader never sees half a file, a failure leaves none. */
export async function writeFileAtomic (path: string, text: string, mode = 0o644): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    await writeFile(temp, text, { mode })
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}
