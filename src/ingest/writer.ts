import { sql } from 'drizzle-orm'
import type { Database } from '../db/client.js'
import { alerts } from '../db/schema/index.js'
import type { NewAlertRow } from '../routes/alerts/repository.js'

export interface Accepted { id: string, receivedAt: Date, replayed: boolean }

/**
 * Writes ingested alerts. Every promise resolves only after the row is committed.
 * (Straight one-statement-per-request version; the group-commit writer replaces it.)
 */
export function createIngestWriter (db: Database) {
  return {
    async submit (row: NewAlertRow): Promise<Accepted> {
      const inserted = await db.insert(alerts).values(row)
        .onConflictDoNothing({ target: [alerts.agencyId, alerts.idempotencyKey], where: sql`${alerts.idempotencyKey} is not null` })
        .returning({ id: alerts.id, receivedAt: alerts.receivedAt })
      if (inserted.length === 1) return { ...inserted[0], replayed: false }
      const [existing] = await db.select({ id: alerts.id, receivedAt: alerts.receivedAt }).from(alerts)
        .where(sql`${alerts.agencyId} = ${row.agencyId} and ${alerts.idempotencyKey} = ${row.idempotencyKey}`)
      return { ...existing, replayed: true }
    },

    async submitBatch (rows: NewAlertRow[]): Promise<Accepted[]> {
      const inserted = await db.insert(alerts).values(rows).returning({ id: alerts.id, receivedAt: alerts.receivedAt })
      return inserted.map((r) => ({ ...r, replayed: false }))
    },

    async drain (): Promise<void> {}
  }
}

export type IngestWriter = ReturnType<typeof createIngestWriter>
