import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import pg from 'pg'
import type { Action } from './rules.js'

/** Application name of the side sessions (lock holders, the terminator): never the server's own, so pg-terminate spares them. */
const FAULTS_APPLICATION_NAME = 'eriop-target-faults'

export interface ResourceDeps {
  databaseUrl: string
  pool: pg.Pool
  /** The server's own backends carry this application_name (pg-terminate's targets). */
  applicationName: string
  redis: Redis
  /**
   * Row sets pg-lock can hold, by name: a SELECT of the rows an API's routes write (its own
   * choice; the core only appends FOR UPDATE SKIP LOCKED). Empty: pg-lock has nothing to lock.
   */
  lockTargets: Record<string, string>
  log: FastifyBaseLogger
}

/** A resource fault in progress: `stop` ends it (at the end of its window, or when its rule goes). */
export interface Running { stop (): Promise<void>, detail: Record<string, unknown> }

async function sideSession (databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: FAULTS_APPLICATION_NAME, connectionTimeoutMillis: 5000 })
  client.on('error', () => {})
  await client.connect()
  return client
}

/**
 * pg-lock: another session takes FOR UPDATE locks on the rows the routes need and holds them,
 * idle in its transaction, until the window ends. Writers to those rows (and, for the API's
 * parent rows, inserts whose foreign keys point at them) wait for lock_timeout and get 55P03,
 * which the API answers 503 + Retry-After. SKIP LOCKED: a second process running the same window
 * does not queue behind the first and stretch it.
 */
async function lockRows (deps: ResourceDeps, targets: string[] | undefined): Promise<Running> {
  const names = targets ?? Object.keys(deps.lockTargets)
  const unknown = names.filter((n) => !(n in deps.lockTargets))
  if (unknown.length) throw new Error(`pg-lock: no lock target named ${unknown.join(', ')} (this API has: ${Object.keys(deps.lockTargets).join(', ') || 'none'})`)
  const client = await sideSession(deps.databaseUrl)
  const locked: Record<string, number> = {}
  try {
    await client.query('BEGIN')
    await client.query("SET LOCAL lock_timeout = '5s'; SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0")
    for (const name of names) {
      const result = await client.query(`${deps.lockTargets[name]} FOR UPDATE SKIP LOCKED`)
      locked[name] = result.rowCount ?? 0
    }
  } catch (err) {
    await client.end().catch(() => {})
    throw err
  }
  return {
    detail: { locked },
    async stop () {
      await client.query('ROLLBACK').catch(() => {})
      await client.end().catch(() => {})
    }
  }
}

/** pg-pool: `hold` of the server's own pool connections checked out and kept, so requests queue for the rest. */
async function holdPool (deps: ResourceDeps, hold: number): Promise<Running> {
  const held: pg.PoolClient[] = []
  let stopped = false
  const acquiring = Array.from({ length: hold }, async () => {
    try {
      const client = await deps.pool.connect()
      if (stopped) client.release()
      else held.push(client)
    } catch {
      // The pool was too busy to hand one over within its timeout: hold fewer.
    }
  })
  // Do not wait for every connection: a busy pool hands them over as requests finish.
  await Promise.race([Promise.all(acquiring), new Promise((resolve) => setTimeout(resolve, 100))])
  return {
    detail: { hold },
    async stop () {
      stopped = true
      for (const client of held.splice(0)) client.release()
    }
  }
}

/** pg-terminate: pg_terminate_backend on every backend of this database opened by the server (its application_name). */
async function terminate (deps: ResourceDeps): Promise<Running> {
  const client = await sideSession(deps.databaseUrl)
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()) t`, [deps.applicationName])
    return { detail: { terminated: rows[0].n }, async stop () {} }
  } finally {
    await client.end().catch(() => {})
  }
}

/** redis-pause: CLIENT PAUSE … ALL for the window, sent on a connection of its own. */
async function pauseRedis (deps: ResourceDeps, ms: number): Promise<Running> {
  const client = deps.redis.duplicate({ lazyConnect: true, commandTimeout: 5000 })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.call('CLIENT', 'PAUSE', String(Math.max(1, Math.round(ms))), 'ALL')
  } finally {
    client.disconnect()
  }
  // Redis ends the pause by itself; removing the rule early cannot shorten it (CLIENT UNPAUSE would wait behind the pause).
  return { detail: { ms }, async stop () {} }
}

/** redis-down: the app's Redis connection dropped, reconnection off until the window ends. */
async function dropRedis (deps: ResourceDeps): Promise<Running> {
  const redis = deps.redis
  redis.disconnect(false)
  return {
    detail: {},
    async stop () {
      if (redis.status === 'end') await redis.connect().catch(() => {})
    }
  }
}

export async function startResourceFault (deps: ResourceDeps, action: Action, windowMs: number): Promise<Running> {
  switch (action.type) {
    case 'pg-lock': return lockRows(deps, action.targets)
    case 'pg-pool': return holdPool(deps, action.hold)
    case 'pg-terminate': return terminate(deps)
    case 'redis-pause': return pauseRedis(deps, windowMs)
    case 'redis-down': return dropRedis(deps)
    default: throw new Error(`${action.type} is not a resource fault`)
  }
}
