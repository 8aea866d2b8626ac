import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { users } from '../../db/schema/index.js'

export type UserRow = typeof users.$inferSelect

export function toUser (row: UserRow) {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    first_name: row.firstName,
    last_name: row.lastName,
    is_staff: row.isStaff,
    is_superuser: row.isSuperuser
  }
}

export function createUsersRepository (db: Database) {
  return {
    async findByUsername (username: string) {
      const [row] = await db.select().from(users).where(eq(users.username, username))
      return row
    },

    // Django's e-mails are not unique; the original took the first match.
    async findByEmail (email: string) {
      const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).orderBy(users.id).limit(1)
      return row
    },

    async findById (id: number) {
      const [row] = await db.select().from(users).where(eq(users.id, id))
      return row
    },

    /**
     * Creates a login-provisioned user unless the name exists; two first logins of one name at
     * once create it once (the unique username decides, the loser's insert does nothing).
     */
    async provision (username: string, passwordHash: string) {
      await db.insert(users).values({ username, password: passwordHash, role: 'submitter', provisioned: true })
        .onConflictDoNothing({ target: users.username })
    },

    async recordLogin (id: number) {
      await db.update(users).set({ lastLogin: sql`now()` }).where(eq(users.id, id))
    }
  }
}
