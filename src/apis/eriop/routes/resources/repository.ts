import { and, asc, eq, type SQL } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import type { CountCache } from '../../../../core/db/count-cache.js'
import { findPage } from '../../../../core/db/pagination.js'
import { resources } from '../../db/schema/index.js'
import type { AvailableQuery, ResourceListQuery, ResourceUpdate } from '../../schemas/resources.js'

export type ResourceRow = typeof resources.$inferSelect

export function toResource (row: ResourceRow) {
  return {
    id: row.id,
    resource_type: row.resourceType,
    name: row.name,
    call_sign: row.callSign,
    status: row.status,
    latitude: row.latitude,
    longitude: row.longitude,
    capabilities: row.capabilities,
    agency_id: row.agencyId,
    current_incident_id: row.currentIncidentId,
    last_status_update: row.lastStatusUpdate
  }
}

export function createResourcesRepository (db: Database, counts: CountCache) {
  return {
    async listAvailable (agencyId: string, q: AvailableQuery) {
      const filters: SQL[] = [eq(resources.agencyId, agencyId), eq(resources.status, 'available')]
      if (q.resource_type) filters.push(eq(resources.resourceType, q.resource_type))
      return db.select().from(resources).where(and(...filters))
        .orderBy(asc(resources.callSign), asc(resources.id)).limit(q.limit)
    },

    async list (agencyId: string, q: ResourceListQuery) {
      const filters: SQL[] = [eq(resources.agencyId, agencyId)]
      if (q.status) filters.push(eq(resources.status, q.status))
      if (q.resource_type) filters.push(eq(resources.resourceType, q.resource_type))
      const where = and(...filters)
      return findPage(db, counts, resources, where, [asc(resources.callSign), asc(resources.id)], q)
    },

    async findById (agencyId: string, id: string) {
      const [row] = await db.select().from(resources).where(and(eq(resources.agencyId, agencyId), eq(resources.id, id)))
      return row
    },

    async update (agencyId: string, id: string, patch: ResourceUpdate) {
      const now = new Date()
      const changes: Partial<typeof resources.$inferInsert> = { updatedAt: now }
      if (patch.status) {
        changes.status = patch.status === 'dispatched' ? 'assigned' : patch.status
        changes.lastStatusUpdate = now
        // A resource that becomes free again is no longer on an incident.
        if (changes.status === 'available' || changes.status === 'off_duty' || changes.status === 'out_of_service') {
          changes.currentIncidentId = null
        }
      }
      if (patch.latitude !== undefined) changes.latitude = patch.latitude
      if (patch.longitude !== undefined) changes.longitude = patch.longitude
      const [row] = await db.update(resources).set(changes)
        .where(and(eq(resources.agencyId, agencyId), eq(resources.id, id))).returning()
      return row
    }
  }
}
