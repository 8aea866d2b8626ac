import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import type { CountCache } from '../../../../core/db/count-cache.js'
import { findPage } from '../../../../core/db/pagination.js'
import { alerts } from '../../db/schema/index.js'
import { done, missing, refused, type Outcome } from '../../../../core/outcome.js'
import type { AlertListQuery } from '../../schemas/alerts.js'

export type AlertRow = typeof alerts.$inferSelect
export type NewAlertRow = typeof alerts.$inferInsert

export function toAlert (row: AlertRow) {
  const located = row.latitude !== null && row.longitude !== null
  return {
    id: row.id,
    source: row.source,
    source_id: row.sourceId,
    severity: row.severity,
    status: row.status,
    alert_type: row.alertType,
    title: row.title,
    description: row.description,
    location: located ? { latitude: row.latitude!, longitude: row.longitude!, address: row.address, zone: row.zone } : null,
    raw_payload: row.rawPayload,
    confidence: row.confidence,
    peak_level_db: row.peakLevelDb,
    background_level_db: row.backgroundLevelDb,
    building_id: row.buildingId,
    linked_incident_id: row.linkedIncidentId,
    acknowledged_at: row.acknowledgedAt,
    acknowledged_by: row.acknowledgedBy,
    acknowledgment_notes: row.acknowledgmentNotes,
    dismissed_at: row.dismissedAt,
    dismissal_reason: row.dismissalReason,
    received_at: row.receivedAt,
    created_at: row.createdAt
  }
}

const ACKNOWLEDGEABLE = ['pending', 'acknowledged', 'processing'] as const
const DISMISSABLE = ['pending', 'acknowledged', 'processing', 'dismissed'] as const

export function createAlertsRepository (db: Database, counts: CountCache) {
  async function changeStatus (agencyId: string, id: string, allowedFrom: readonly AlertRow['status'][], set: Partial<NewAlertRow>, verb: string): Promise<Outcome<AlertRow>> {
    const [row] = await db.update(alerts).set({ ...set, updatedAt: new Date() })
      .where(and(eq(alerts.agencyId, agencyId), eq(alerts.id, id), inArray(alerts.status, [...allowedFrom])))
      .returning()
    if (row) return done(row)
    const [existing] = await db.select({ status: alerts.status }).from(alerts)
      .where(and(eq(alerts.agencyId, agencyId), eq(alerts.id, id)))
    return existing ? refused(`Cannot ${verb} an alert that is ${existing.status}`) : missing('Alert')
  }

  return {
    async listPending (agencyId: string, limit: number) {
      return db.select().from(alerts)
        .where(and(eq(alerts.agencyId, agencyId), eq(alerts.status, 'pending')))
        .orderBy(asc(alerts.severity), desc(alerts.createdAt))
        .limit(limit)
    },

    async list (agencyId: string, q: AlertListQuery) {
      const filters: SQL[] = [eq(alerts.agencyId, agencyId)]
      if (q.status) filters.push(eq(alerts.status, q.status))
      if (q.severity) filters.push(eq(alerts.severity, q.severity))
      if (q.alert_type) filters.push(eq(alerts.alertType, q.alert_type))
      const where = and(...filters)
      return findPage(db, counts, alerts, where, [desc(alerts.createdAt), desc(alerts.id)], q)
    },

    async findById (agencyId: string, id: string) {
      const [row] = await db.select().from(alerts).where(and(eq(alerts.agencyId, agencyId), eq(alerts.id, id)))
      return row
    },

    // Acknowledging twice is not an error: under load two dispatchers often pick the same first pending alert.
    acknowledge (agencyId: string, id: string, userId: string, notes: string | null) {
      return changeStatus(agencyId, id, ACKNOWLEDGEABLE, {
        status: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: userId, acknowledgmentNotes: notes
      }, 'acknowledge')
    },

    dismiss (agencyId: string, id: string, userId: string, reason: string | null) {
      return changeStatus(agencyId, id, DISMISSABLE, {
        status: 'dismissed', dismissedAt: new Date(), dismissedBy: userId, dismissalReason: reason
      }, 'dismiss')
    }
  }
}
