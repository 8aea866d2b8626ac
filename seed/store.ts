// Database side of the seeder: write, clean and inspect an agency's fixture, each in one transaction.
import argon2 from 'argon2'
import { DrizzleQueryError, eq, getTableColumns, getTableName, sql } from 'drizzle-orm'
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core'
import pg from 'pg'
import { HASH_PROFILES } from '../src/auth/password.js'
import { createDb, createPool, type Database, type Executor } from '../src/db/client.js'
import { prepareDatabase } from '../src/db/migrate.js'
import { agencies, alerts, buildings, incidents, resources, users } from '../src/db/schema/index.js'
import { buildFixture } from './factories.js'
import {
  DEFAULT_AGENCY_CODE, FIXTURE_PASSWORD, FIXTURE_TABLES, parseAgencyCode,
  tableCounts, type Fixture, type FixtureTable
} from './fixture.js'

type RowTable = PgTable & { id: AnyPgColumn }
type AgencyTable = RowTable & { agencyId: AnyPgColumn }
export const TABLES: Record<FixtureTable, AgencyTable> = { buildings, users, resources, incidents, alerts }

/** A failure the user can act on (missing fixture, …): the CLI prints its message alone. */
export class FixtureError extends Error {
  override name = 'FixtureError'
}

/** Progress of a long step, per table; a listener that throws aborts (and rolls back) the step. */
export interface ProgressEvent { step: 'seed' | 'verify', table: FixtureTable, done: number, total: number }
export type ProgressListener = (event: ProgressEvent) => void | Promise<void>

export type TableCounts = Record<FixtureTable, number>
const zeroCounts = (): TableCounts => ({ buildings: 0, users: 0, resources: 0, incidents: 0, alerts: 0 })

// Fixed salt: every run, on every machine, stores the same hash string, so the rows are
// identical (determinism) and re-seeding rewrites nothing. The password is public anyway.
const FIXTURE_SALT = Buffer.from('eriop-fixture-v1')
let fixtureHash: Promise<string> | undefined
/** Argon2id hash of FIXTURE_PASSWORD with the cheap fixture profile; computed once per process. */
export function fixturePasswordHash (): Promise<string> {
  fixtureHash ??= argon2.hash(FIXTURE_PASSWORD, { ...HASH_PROFILES.fixture, salt: FIXTURE_SALT })
  return fixtureHash
}

// Each statement writes one chunk of rows passed as a single JSON parameter and expanded by
// json_populate_recordset: measured 3-4x faster than a VALUES list with one bind parameter per
// cell (Postgres parses one string instead of up to 65,535 parameters; drizzle builds no giant
// query), and no parameter limit to stay under.
export const ROWS_PER_STATEMENT = 1000

export function * chunked<T> (rows: Iterable<T>, size: number): Iterable<T[]> {
  let chunk: T[] = []
  for (const row of rows) {
    chunk.push(row)
    if (chunk.length === size) {
      yield chunk
      chunk = []
    }
  }
  if (chunk.length) yield chunk
}

/**
 * Inserts rows (objects keyed like the drizzle table) or, when the id exists, writes every
 * given column back. All rows of one call have the same keys (the fixture builders ensure it).
 */
async function upsertRows (tx: Executor, table: RowTable, rows: Record<string, unknown>[]) {
  if (!rows.length) return
  const columns = getTableColumns(table)
  const keys = Object.keys(rows[0])
  const names = keys.map((key) => columns[key].name)
  const list = sql.join(names.map((name) => sql.identifier(name)), sql`, `)
  const set = sql.join(names.filter((name) => name !== 'id').map((name) => sql`${sql.identifier(name)} = excluded.${sql.identifier(name)}`), sql`, `)
  // JSON.stringify writes dates as ISO-8601 and numbers in their shortest exact form.
  const json = JSON.stringify(rows.map((row) => Object.fromEntries(keys.map((key, i) => [names[i], row[key]]))))
  const name = sql.identifier(getTableName(table))
  await tx.execute(sql`insert into ${name} (${list})
    select ${list} from json_populate_recordset(null::${name}, ${json}::json)
    on conflict (id) do update set ${set}`)
}

// Fixture rows have version-5 ids (fixture.ts); rows the API creates have random version-4 ids.
const isFixtureRow = (table: RowTable) => sql`substr(${table.id}::text, 15, 1) = '5'`

/** Serialises seeders of the same agency (two `npm run seed` at once, or the API's first start). */
async function lockAgency (tx: Executor, code: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(7240418, hashtext(${code}))`)
}

export interface SeedOptions {
  /** Agency code; default LOADTEST. */
  agency?: string
  /** Multiplies every count; default 1. */
  scale?: number
  /** Only seed when the agency does not exist yet (for a service's first start). */
  ifMissing?: boolean
  onProgress?: ProgressListener
}

export interface SeedResult {
  agency: string
  agencyId: string
  scale: number
  /** True when `ifMissing` found the agency already there and wrote nothing. */
  skipped: boolean
  /** An agency with this code but another id (not made by this seeder) was deleted first. */
  replacedForeignAgency: boolean
  /** Fixture rows written (inserted or restored), per table. */
  written: TableCounts
  /** Fixture rows of a larger scale that this scale does not have, deleted. */
  removedStale: TableCounts
  /** Rows under the agency that are not fixture rows (created through the API by load tests), left alone. */
  extraRows: TableCounts
  durationMs: number
}

async function seedInTransaction (tx: Executor, fixture: Fixture, options: SeedOptions): Promise<Omit<SeedResult, 'durationMs'>> {
  const { code } = fixture.identity
  const result = {
    agency: code,
    agencyId: fixture.agency.id,
    scale: fixture.scale,
    skipped: false,
    replacedForeignAgency: false,
    written: zeroCounts(),
    removedStale: zeroCounts(),
    extraRows: zeroCounts()
  }
  const [existing] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, code))
  if (existing && options.ifMissing) return { ...result, agencyId: existing.id, skipped: true }
  if (existing && existing.id !== fixture.agency.id) {
    await tx.delete(agencies).where(eq(agencies.id, existing.id))
    result.replacedForeignAgency = true
  }
  await upsertRows(tx, agencies, [fixture.agency])

  // Insert, or restore to the seeded state what a load test changed (acknowledged alerts,
  // assigned resources, locked accounts…): every column is written back.
  for (const name of FIXTURE_TABLES) {
    const table = TABLES[name]
    const total = tableCounts(fixture.scale)[name]
    for (const rows of chunked<Record<string, unknown>>(fixture.rows[name](), ROWS_PER_STATEMENT)) {
      await upsertRows(tx, table, rows)
      result.written[name] += rows.length
      await options.onProgress?.({ step: 'seed', table: name, done: result.written[name], total })
    }
  }

  for (const name of [...FIXTURE_TABLES].reverse()) {
    const table = TABLES[name]
    const [{ fixtureRows, otherRows }] = await tx.select({
      fixtureRows: sql<number>`count(*) filter (where ${isFixtureRow(table)})`.mapWith(Number),
      otherRows: sql<number>`count(*) filter (where not ${isFixtureRow(table)})`.mapWith(Number)
    }).from(table).where(eq(table.agencyId, fixture.agency.id))
    result.extraRows[name] = otherRows
    if (fixtureRows > result.written[name]) {
      const keep = `{${[...fixture.ids(name)].join(',')}}`
      const deleted = await tx.execute(sql`
        delete from ${table} where ${table.agencyId} = ${fixture.agency.id} and ${isFixtureRow(table)}
          and not exists (select 1 from unnest(${keep}::uuid[]) as keep(id) where keep.id = ${table.id})`)
      result.removedStale[name] = deleted.rowCount ?? 0
    }
  }
  return result
}

/**
 * Creates the fixture of `options.agency` (default LOADTEST) at `options.scale`, or restores it:
 * fixture rows are upserted by their stable ids, fixture rows of a larger scale are deleted, rows
 * that load tests added are left alone (cleanFixture or resetFixture removes them). One
 * transaction: on failure nothing changes. The database must be migrated (prepareDatabase).
 */
export async function seedFixture (db: Database, options: SeedOptions = {}): Promise<SeedResult> {
  const started = performance.now()
  const fixture = buildFixture({ agency: options.agency, scale: options.scale, passwordHash: await fixturePasswordHash() })
  const result = await db.transaction(async (tx) => {
    await lockAgency(tx, fixture.identity.code)
    return seedInTransaction(tx, fixture, options)
  }).catch(explainConflict)
  return { ...result, durationMs: performance.now() - started }
}

/** The driver's error behind drizzle's wrapper (whose message carries the whole query and its parameters). */
export function rootCause (error: unknown): unknown {
  return error instanceof DrizzleQueryError && error.cause ? error.cause : error
}

/** A fixture e-mail or incident number already used outside the agency: say which, and what to do. */
function explainConflict (error: unknown): never {
  const cause = rootCause(error) as { code?: string, detail?: string }
  if (cause.code === '23505') {
    throw new FixtureError(`${cause.detail ?? 'a unique key is taken'} in another agency: ` +
      'remove that row, or seed another --agency (it gets its own e-mail domain and incident prefix)')
  }
  throw cause
}

export interface CleanOptions { agency?: string }

export interface CleanResult {
  agency: string
  /** False when there was no such agency (nothing to do). */
  found: boolean
  /** Rows deleted per table, fixture rows and load-test rows alike. */
  removed: TableCounts
  durationMs: number
}

async function cleanInTransaction (tx: Executor, code: string): Promise<Omit<CleanResult, 'durationMs'>> {
  const removed = zeroCounts()
  const [agency] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, code))
  if (!agency) return { agency: code, found: false, removed }
  // Children first, so each count is known; the agency's ON DELETE CASCADE then takes
  // anything else that hangs under it.
  for (const name of [...FIXTURE_TABLES].reverse()) {
    const table = TABLES[name]
    const deleted = await tx.execute(sql`delete from ${table} where ${table.agencyId} = ${agency.id}`)
    removed[name] = deleted.rowCount ?? 0
  }
  await tx.delete(agencies).where(eq(agencies.id, agency.id))
  return { agency: code, found: true, removed }
}

/** Deletes the agency (default LOADTEST) and everything under it, including what load tests created there. Nothing else. */
export async function cleanFixture (db: Database, options: CleanOptions = {}): Promise<CleanResult> {
  const started = performance.now()
  const code = agencyCode(options.agency)
  const result = await db.transaction(async (tx) => {
    await lockAgency(tx, code)
    return cleanInTransaction(tx, code)
  })
  return { ...result, durationMs: performance.now() - started }
}

export interface ResetResult { clean: Omit<CleanResult, 'durationMs'>, seed: Omit<SeedResult, 'durationMs'>, durationMs: number }

/** cleanFixture then seedFixture, in one transaction: on failure the old fixture is still there. */
export async function resetFixture (db: Database, options: Omit<SeedOptions, 'ifMissing'> = {}): Promise<ResetResult> {
  const started = performance.now()
  const fixture = buildFixture({ agency: options.agency, scale: options.scale, passwordHash: await fixturePasswordHash() })
  const result = await db.transaction(async (tx) => {
    await lockAgency(tx, fixture.identity.code)
    const clean = await cleanInTransaction(tx, fixture.identity.code)
    const seed = await seedInTransaction(tx, fixture, options)
    return { clean, seed }
  }).catch(explainConflict)
  return { ...result, durationMs: performance.now() - started }
}

export interface FixtureStatus {
  exists: boolean
  agencyId?: string
  /** The scale recorded by the last seed, when the agency was made by this seeder. */
  scale?: number
}

/** Whether an agency's fixture is there, and at which scale it was seeded. */
export async function fixtureStatus (db: Executor, agency?: string): Promise<FixtureStatus> {
  const [row] = await db.select({ id: agencies.id, settings: agencies.settings }).from(agencies).where(eq(agencies.code, agencyCode(agency)))
  if (!row) return { exists: false }
  const scale = (row.settings as { fixture?: { scale?: unknown } }).fixture?.scale
  return { exists: true, agencyId: row.id, scale: typeof scale === 'number' ? scale : undefined }
}

export function agencyCode (agency?: string): string {
  return agency === undefined || agency === DEFAULT_AGENCY_CODE ? DEFAULT_AGENCY_CODE : parseAgencyCode(agency)
}

/** Opens a small pool on `url` (the seeder needs one connection, verify a second), runs `fn`, closes the pool. */
export async function withDatabase<T> (url: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const pool = createPool(url, { max: 2, connectTimeoutMs: 5000, applicationName: 'eriop-seed' })
  try {
    return await fn(createDb(pool))
  } finally {
    await pool.end()
  }
}

/**
 * For a service's first start: creates and migrates the database if needed, then seeds.
 * `seedDatabase(url, { ifMissing: true })` seeds only when the agency is absent.
 */
export async function seedDatabase (url: string, options: SeedOptions = {}): Promise<SeedResult> {
  await prepareDatabase(url)
  return withDatabase(url, (db) => seedFixture(db, options))
}

/**
 * Connects once to see whether the server answers; a missing database is not an error (the
 * seed command creates it). Throws the driver's error otherwise.
 */
export async function checkConnection (url: string, timeoutMs = 5000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    if ((err as { code?: string }).code === '3D000') return // database does not exist yet
    throw err
  } finally {
    await client.end().catch(() => {})
  }
}
