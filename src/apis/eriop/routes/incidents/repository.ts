import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm'
import type { Database, Executor } from '../../../../core/db/client.js'
import type { CountCache } from '../../../../core/db/count-cache.js'
import { findPage } from '../../../../core/db/pagination.js'
import { buildings, incidents, resources } from '../../db/schema/index.js'
import { done, missing, refused, type Outcome } from '../../../../core/outcome.js'
import type { IncidentCreate, IncidentListQuery, IncidentUpdate } from '../../schemas/incidents.js'
import { ACTIVE_INCIDENT_STATUSES, type IncidentStatus } from '../../schemas/values.js'

export type IncidentRow = typeof incidents.$inferSelect

export function toIncident (row: IncidentRow) {
  return {
    id: row.id,
    incident_number: row.incidentNumber,
    category: row.category,
    incident_type: row.category,
    priority: row.priority,
    status: row.status,
    title: row.title,
    description: row.description,
    location: { latitude: row.latitude, longitude: row.longitude, address: row.address, building_info: row.buildingInfo },
    building_id: row.buildingId,
    assigned_units: row.assignedUnits,
    notes: row.notes,
    reported_at: row.reportedAt,
    created_at: row.createdAt,
    updated_at: row.updatedAt
  }
}

/** Allowed status changes; anything else is a 409. Re-setting the current status is always allowed. */
const TRANSITIONS: Record<IncidentStatus, readonly IncidentStatus[]> = {
  new: ['assigned', 'en_route', 'on_scene', 'resolved', 'closed'],
  assigned: ['new', 'en_route', 'on_scene', 'resolved', 'closed'],
  en_route: ['assigned', 'on_scene', 'resolved', 'closed'],
  on_scene: ['en_route', 'resolved', 'closed'],
  resolved: ['new', 'closed'],
  closed: []
}

const STATUS_TIMESTAMPS: Partial<Record<IncidentStatus, 'dispatchedAt' | 'arrivedAt' | 'resolvedAt' | 'closedAt'>> = {
  assigned: 'dispatchedAt',
  en_route: 'dispatchedAt',
  on_scene: 'arrivedAt',
  resolved: 'resolvedAt',
  closed: 'closedAt'
}

// INC-YYYYMMDD-NNNNN from a sequence: unique under any concurrency, never truncated past 99999.
const nextIncidentNumber = sql<string>`(select 'INC-' || to_char(now() at time zone 'UTC', 'YYYYMMDD') || '-' || lpad(n::text, greatest(5, length(n::text)), '0') from nextval('incident_number_seq') as n)`

export function createIncidentsRepository (db: Database, counts: CountCache) {
  async function findForUpdate (tx: Executor, agencyId: string, id: string) {
    const [row] = await tx.select().from(incidents)
      .where(and(eq(incidents.agencyId, agencyId), eq(incidents.id, id))).for('update')
    return row
  }

  return {
    async listActive (agencyId: string, limit: number) {
      return db.select().from(incidents)
        .where(and(eq(incidents.agencyId, agencyId), inArray(incidents.status, [...ACTIVE_INCIDENT_STATUSES])))
        .orderBy(asc(incidents.priority), desc(incidents.createdAt))
        .limit(limit)
    },

    async list (agencyId: string, q: IncidentListQuery) {
      const filters: SQL[] = [eq(incidents.agencyId, agencyId)]
      if (q.status) filters.push(eq(incidents.status, q.status))
      if (q.priority) filters.push(eq(incidents.priority, q.priority))
      if (q.category) filters.push(eq(incidents.category, q.category))
      if (q.building_id) filters.push(eq(incidents.buildingId, q.building_id))
      const where = and(...filters)
      return findPage(db, counts, incidents, where, [desc(incidents.createdAt), desc(incidents.id)], q)
    },

    async findById (agencyId: string, id: string) {
      const [row] = await db.select().from(incidents).where(and(eq(incidents.agencyId, agencyId), eq(incidents.id, id)))
      return row
    },

    async create (agencyId: string, userId: string, body: IncidentCreate): Promise<Outcome<IncidentRow>> {
      if (body.building_id) {
        const [building] = await db.select({ id: buildings.id }).from(buildings)
          .where(and(eq(buildings.agencyId, agencyId), eq(buildings.id, body.building_id)))
        if (!building) return missing('Building')
      }
      const [row] = await db.insert(incidents).values({
        agencyId,
        incidentNumber: nextIncidentNumber,
        category: body.category,
        priority: body.priority ?? 3,
        title: body.title,
        description: body.description ?? null,
        latitude: body.location.latitude,
        longitude: body.location.longitude,
        address: body.location.address ?? null,
        buildingInfo: body.location.building_info ?? null,
        buildingId: body.building_id ?? null,
        createdBy: userId
      }).returning()
      return done(row)
    },

    async update (agencyId: string, id: string, patch: IncidentUpdate): Promise<Outcome<IncidentRow>> {
      return db.transaction(async (tx) => {
        const current = await findForUpdate(tx, agencyId, id)
        if (!current) return missing('Incident')
        const changes: Partial<typeof incidents.$inferInsert> = {}
        if (patch.status && patch.status !== current.status) {
          if (!TRANSITIONS[current.status].includes(patch.status)) {
            return refused(`Cannot change incident status from ${current.status} to ${patch.status}`)
          }
          changes.status = patch.status
          const stamp = STATUS_TIMESTAMPS[patch.status]
          if (stamp && !current[stamp]) changes[stamp] = new Date()
        }
        if (patch.priority !== undefined) changes.priority = patch.priority
        if (patch.title !== undefined) changes.title = patch.title
        if (patch.description !== undefined) changes.description = patch.description
        if (patch.notes !== undefined) changes.notes = patch.notes
        const [row] = await tx.update(incidents).set({ ...changes, updatedAt: new Date() })
          .where(eq(incidents.id, id)).returning()
        return done(row)
      })
    },

    /** Marks the resources assigned to the incident; all or nothing. */
    async assign (agencyId: string, id: string, resourceIds: string[]): Promise<Outcome<IncidentRow>> {
      return db.transaction(async (tx) => {
        const incident = await findForUpdate(tx, agencyId, id)
        if (!incident) return missing('Incident')
        if (incident.status === 'resolved' || incident.status === 'closed') {
          return refused(`Cannot assign resources to a ${incident.status} incident`)
        }
        const found = await tx.select({ id: resources.id, status: resources.status, currentIncidentId: resources.currentIncidentId })
          .from(resources)
          .where(and(eq(resources.agencyId, agencyId), inArray(resources.id, resourceIds)))
          .orderBy(asc(resources.id))
          .for('update')
        if (found.length !== resourceIds.length) return missing('Resource')
        const busy = found.filter((r) => r.status !== 'available' && r.currentIncidentId !== id)
        if (busy.length > 0) return refused(`Resources not available: ${busy.map((r) => r.id).join(', ')}`)
        const now = new Date()
        await tx.update(resources)
          .set({ status: 'assigned', currentIncidentId: id, lastStatusUpdate: now, updatedAt: now })
          .where(inArray(resources.id, resourceIds))
        const units = [...new Set([...incident.assignedUnits, ...resourceIds])]
        const [row] = await tx.update(incidents).set({
          assignedUnits: units,
          status: incident.status === 'new' ? 'assigned' : incident.status,
          dispatchedAt: incident.dispatchedAt ?? now,
          updatedAt: now
        }).where(eq(incidents.id, id)).returning()
        return done(row)
      })
    }
  }
}
