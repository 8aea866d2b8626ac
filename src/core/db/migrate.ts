import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import type { ApiMigrations } from '../api.js'

// Arbitrary but fixed: every process migrating the same database takes the same lock.
const MIGRATION_LOCK_ID = 7_240_417

/** Creates the database named in `url` when it does not exist yet (needs CREATEDB on the server). */
export async function ensureDatabase (url: string): Promise<boolean> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  if (!name) throw new Error('DATABASE_URL names no database')
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name])
    if (rowCount) return false
    try {
      await client.query(`create database "${name.replaceAll('"', '""')}"`)
    } catch (err) {
      // Another process created it between our check and our create: 42P04 duplicate_database,
      // or 23505 when both CREATE DATABASE statements raced on pg_database's unique index.
      const code = (err as { code?: string }).code
      if (code !== '42P04' && code !== '23505') throw err
      return false
    }
    return true
  } finally {
    await client.end()
  }
}

/**
 * Applies an API's pending migrations under an advisory lock, so replicas starting together do not
 * race. Each API has its own folder and journal table, so one database can hold every API.
 */
export async function runMigrations (url: string, migrations: ApiMigrations): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID])
    await migrate(drizzle({ client }), { migrationsFolder: migrations.folder, migrationsTable: migrations.table })
  } finally {
    await client.end()
  }
}

export async function prepareDatabase (url: string, migrations: ApiMigrations): Promise<void> {
  await ensureDatabase(url)
  await runMigrations(url, migrations)
}
