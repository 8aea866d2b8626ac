import { sql } from 'drizzle-orm'
import { check, doublePrecision, index, pgTable, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { agencies } from './agencies.js'
import { id, timestamps } from './columns.js'
import { resourceStatus, resourceType } from './enums.js'
import { incidents } from './incidents.js'

export const resources = pgTable('resources', {
  id: id(),
  agencyId: uuid('agency_id').notNull().references(() => agencies.id, { onDelete: 'cascade' }),
  resourceType: resourceType('resource_type').notNull(),
  name: varchar('name', { length: 200 }).notNull(),
  callSign: varchar('call_sign', { length: 50 }),
  status: resourceStatus('status').notNull().default('available'),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  capabilities: text('capabilities').array().notNull().default(sql`'{}'::text[]`),
  currentIncidentId: uuid('current_incident_id').references(() => incidents.id, { onDelete: 'set null' }),
  lastStatusUpdate: timestamp('last_status_update', { withTimezone: true }).notNull().defaultNow(),
  ...timestamps
}, (t) => [
  check('resources_latitude_range', sql`${t.latitude} between -90 and 90`),
  check('resources_longitude_range', sql`${t.longitude} between -180 and 180`),
  // GET /resources/available and GET /resources?status=…
  index('resources_agency_status_idx').on(t.agencyId, t.status, t.callSign, t.id),
  index('resources_agency_type_idx').on(t.agencyId, t.resourceType, t.callSign, t.id),
  index('resources_current_incident_idx').on(t.currentIncidentId).where(sql`${t.currentIncidentId} is not null`)
])
