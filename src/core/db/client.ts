import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import pg from 'pg'

export type Database = NodePgDatabase & { $client: pg.Pool }
/** A database handle or an open transaction: repositories accept either. */
export type Executor = Database | Parameters<Parameters<Database['transaction']>[0]>[0]

export interface PoolOptions {
  max: number
  connectTimeoutMs: number
  statementTimeoutMs?: number
  lockTimeoutMs?: number
  applicationName?: string
}

/** What the server's connections call themselves in pg_stat_activity (the pg-terminate fault's targets). */
export const APPLICATION_NAME = 'eriop-target'

export function createPool (connectionString: string, opts: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs,
    lock_timeout: opts.lockTimeoutMs || undefined,
    application_name: opts.applicationName ?? APPLICATION_NAME
  })
  // An idle client losing its connection (Postgres restarted, admin terminated it) emits here;
  // without a listener that would crash the process. The pool replaces the client by itself.
  pool.on('error', () => {})
  return pool
}

export function createDb (pool: pg.Pool): Database {
  return drizzle({ client: pool })
}

/** Opens a small pool on `url` (two connections: a seed's transaction and a check beside it), runs `fn`, closes the pool. */
export async function withDatabase<T> (url: string, fn: (db: Database) => Promise<T>, applicationName = 'eriop-seed'): Promise<T> {
  const pool = createPool(url, { max: 2, connectTimeoutMs: 5000, applicationName })
  try {
    return await fn(createDb(pool))
  } finally {
    await pool.end()
  }
}
