import { AsyncLocalStorage } from 'node:async_hooks'
import type pg from 'pg'

/** A pg-slow fault of one request: the first query it sends waits `ms` inside Postgres. */
export interface SlowQuery { ms: number, spent: boolean }

const current = new AsyncLocalStorage<SlowQuery>()
const wrapped = new WeakSet<pg.PoolClient>()
type Query = (...args: unknown[]) => unknown

/** Runs `next` (the rest of the request) with its queries slowed. */
export function withSlowQueries (slow: SlowQuery, next: () => void): void {
  current.run(slow, next)
}

/**
 * Makes a pool's clients honour pg-slow: a query sent from a request that carries one first runs
 * `SELECT pg_sleep(…)` on the same connection, so the wait happens inside Postgres (the backend is
 * busy, statement_timeout applies, pg_stat_activity shows it) and the connection stays held.
 * Installed once, the first time a pg-slow rule appears; queries outside such a request pay one
 * AsyncLocalStorage lookup.
 */
export function installSlowQueries (pool: pg.Pool): void {
  pool.on('acquire', (client: pg.PoolClient) => {
    if (wrapped.has(client)) return
    wrapped.add(client)
    const query = client.query.bind(client) as Query
    client.query = ((...args: unknown[]) => {
      const slow = current.getStore()
      const first = args[0] as { submit?: unknown } | undefined
      if (!slow || slow.spent || (typeof first === 'object' && first !== null && typeof first.submit === 'function')) return query(...args)
      slow.spent = true
      const sleep = query('SELECT pg_sleep($1)', [slow.ms / 1000]) as Promise<unknown>
      const callback = args[args.length - 1]
      if (typeof callback === 'function') {
        sleep.then(() => query(...args), (err) => (callback as (e: unknown) => void)(err))
        return undefined
      }
      return sleep.then(() => query(...args))
    }) as typeof client.query
  })
}
