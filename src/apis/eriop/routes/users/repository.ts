import { and, asc, eq, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import type { CountCache } from '../../../../core/db/count-cache.js'
import { findPage } from '../../../../core/db/pagination.js'
import { users } from '../../db/schema/index.js'
import type { UserListQuery } from '../../schemas/users.js'

export type UserRow = typeof users.$inferSelect

export function createUsersRepository (db: Database, counts: CountCache) {
  return {
    async list (agencyId: string, q: UserListQuery) {
      const filters: SQL[] = [eq(users.agencyId, agencyId)]
      if (q.role) filters.push(eq(users.role, q.role))
      const where = and(...filters)
      return findPage(db, counts, users, where, [asc(users.email)], q)
    },

    async findByEmail (email: string) {
      const [row] = await db.select().from(users).where(eq(users.email, email))
      return row
    },

    async findById (id: string, agencyId?: string) {
      const where = agencyId ? and(eq(users.id, id), eq(users.agencyId, agencyId)) : eq(users.id, id)
      const [row] = await db.select().from(users).where(where)
      return row
    },

    /** Counts a failed login; the `maxFailures`-th one in a row locks the account for `lockSeconds`. */
    async recordFailedLogin (id: string, maxFailures: number, lockSeconds: number) {
      await db.update(users).set({
        failedLoginAttempts: sql`case when ${users.failedLoginAttempts} + 1 >= ${maxFailures} then 0 else ${users.failedLoginAttempts} + 1 end`,
        lockedUntil: sql`case when ${users.failedLoginAttempts} + 1 >= ${maxFailures} then now() + make_interval(secs => ${lockSeconds}) else ${users.lockedUntil} end`
      }).where(eq(users.id, id))
    },

    async recordLogin (id: string) {
      await db.update(users).set({ failedLoginAttempts: 0, lockedUntil: null, lastLoginAt: new Date() }).where(eq(users.id, id))
    }
  }
}
