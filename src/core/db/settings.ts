import { randomBytes } from 'node:crypto'
import type pg from 'pg'

/**
 * Settings of the service itself, shared by every process on one database (replicas, cluster
 * workers, the seed CLI) and owned by no single API: a schema of the core's own, created here
 * rather than by an API's migrations, so any API the core serves finds it.
 */
const SETTINGS_DDL = [
  'create schema if not exists eriop_target',
  'create table if not exists eriop_target.settings (key text primary key, value text not null)'
]
// Arbitrary but fixed: processes creating the schema at the same moment take turns (CREATE …
// IF NOT EXISTS is not safe against itself: two can both miss and one fails on a unique index).
const SETTINGS_LOCK_ID = 7_240_418

const SIGNING_KEY_SETTING = 'jwt_signing_key'

type Queryable = Pick<pg.Pool, 'connect'>

/**
 * The HS256 key of access and refresh tokens when JWT_SECRET is unset: generated at random by
 * the first process that asks, kept in eriop_target.settings, and the same for every process after
 * it. Race-free: an INSERT … ON CONFLICT DO NOTHING then a SELECT, so when two processes start
 * together the second one's key is dropped and both read the first one's.
 */
export async function sharedSigningKey (pool: Queryable): Promise<string> {
  const client = await pool.connect()
  try {
    const existing = await client.query<{ value: string }>('select value from eriop_target.settings where key = $1', [SIGNING_KEY_SETTING])
      .catch((err: { code?: string }) => {
        if (err.code === '42P01' || err.code === '3F000') return { rows: [] } // no table, no schema yet
        throw err
      })
    if (existing.rows[0]) return existing.rows[0].value
    await client.query('begin')
    try {
      await client.query('select pg_advisory_xact_lock($1)', [SETTINGS_LOCK_ID])
      for (const statement of SETTINGS_DDL) await client.query(statement)
      await client.query('insert into eriop_target.settings (key, value) values ($1, $2) on conflict (key) do nothing',
        [SIGNING_KEY_SETTING, randomBytes(48).toString('base64url')])
      const { rows } = await client.query<{ value: string }>('select value from eriop_target.settings where key = $1', [SIGNING_KEY_SETTING])
      await client.query('commit')
      return rows[0].value
    } catch (err) {
      await client.query('rollback').catch(() => {})
      throw err
    }
  } finally {
    client.release()
  }
}
