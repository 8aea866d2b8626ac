import { eq } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { agencies } from '../../db/schema/index.js'

export type AgencyRow = typeof agencies.$inferSelect

export function createAgenciesRepository (db: Database) {
  return {
    async findById (id: string) {
      const [row] = await db.select().from(agencies).where(eq(agencies.id, id))
      return row
    }
  }
}
