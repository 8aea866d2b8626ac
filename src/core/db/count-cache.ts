import { performance } from 'node:perf_hooks'
import { LRUCache } from 'lru-cache'

/** A slow total is reused for this many times as long as it took to count. */
export const COUNT_REUSE_FACTOR = 20
const MAX_ENTRIES = 10_000

/** A drizzle `select({ total: count() })` query, not yet run. */
interface CountQuery extends PromiseLike<{ total: number }[]> {
  toSQL (): { sql: string, params: unknown[] }
}

/**
 * The totals of paginated lists. Counting is linear in the rows that match: an agency with 2 million
 * alerts takes ~250 ms of Postgres CPU (a parallel sequential scan) for every `GET /alerts?page=1`,
 * where the page itself takes 0.3 ms. So a total of at least `minRows` is reused for
 * COUNT_REUSE_FACTOR times as long as it took to count (5 s for a 250 ms count): Postgres spends at
 * most about 1/20 of a core per list and filter on counting, and a big table's total lags by at most
 * that long. Smaller totals (every table of ordinary size) are never reused, so they are exact.
 * Concurrent requests for the same total share one count. `minRows` 0 turns reuse off.
 */
export class CountCache {
  private readonly totals = new LRUCache<string, number>({ max: MAX_ENTRIES })
  private readonly running = new Map<string, Promise<number>>()

  constructor (private readonly minRows: number) {}

  total (query: CountQuery): Promise<number> {
    const { sql, params } = query.toSQL()
    const key = `${sql}\n${JSON.stringify(params)}`
    const known = this.totals.get(key)
    if (known !== undefined) return Promise.resolve(known)
    let counting = this.running.get(key)
    if (!counting) {
      const started = performance.now()
      counting = Promise.resolve(query).then(([{ total }]) => {
        if (this.minRows > 0 && total >= this.minRows) {
          this.totals.set(key, total, { ttl: Math.ceil((performance.now() - started) * COUNT_REUSE_FACTOR) })
        }
        return total
      }).finally(() => this.running.delete(key))
      this.running.set(key, counting)
    }
    return counting
  }
}
