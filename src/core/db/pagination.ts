import { count, type SQL } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Executor } from './client.js'
import type { CountCache } from './count-cache.js'

/** `?page=&page_size=` of a paginated list (1-based pages). */
export interface PageRequest { page: number, page_size: number }

/**
 * One page of `table`'s rows matching `where` in `order`, and their total (through the CountCache,
 * which reuses the totals of huge tables). The two queries run concurrently.
 */
export async function findPage<T extends PgTable> (
  db: Executor, counts: CountCache, table: T, where: SQL | undefined, order: (SQL | PgColumn)[], q: PageRequest
): Promise<{ rows: T['$inferSelect'][], total: number }> {
  const [rows, total] = await Promise.all([
    db.select().from(table as PgTable).where(where).orderBy(...order).limit(q.page_size).offset((q.page - 1) * q.page_size),
    counts.total(db.select({ total: count() }).from(table as PgTable).where(where))
  ])
  return { rows: rows as T['$inferSelect'][], total }
}
