import { sql } from 'drizzle-orm'
import {
  check, doublePrecision, index, pgSequence, pgTable, smallint, text, timestamp, uuid, varchar
} from 'drizzle-orm/pg-core'
import { agencies } from './agencies.js'
import { buildings } from './buildings.js'
import { id, timestamps } from './columns.js'
import { incidentCategory, incidentStatus } from './enums.js'
import { users } from './users.js'

/** Incident numbers come from this sequence, never from a count: concurrent creates cannot collide. */
export const incidentNumberSeq = pgSequence('incident_number_seq', { startWith: 1, cache: 1 })

export const incidents = pgTable('incidents', {
  id: id(),
  agencyId: uuid('agency_id').notNull().references(() => agencies.id, { onDelete: 'cascade' }),
  incidentNumber: varchar('incident_number', { length: 50 }).notNull().unique(),
  category: incidentCategory('category').notNull(),
  priority: smallint('priority').notNull().default(3),
  status: incidentStatus('status').notNull().default('new'),
  title: varchar('title', { length: 200 }).notNull(),
  description: text('description'),
  latitude: doublePrecision('latitude').notNull(),
  longitude: doublePrecision('longitude').notNull(),
  address: varchar('address', { length: 500 }),
  buildingInfo: text('building_info'),
  buildingId: uuid('building_id').references(() => buildings.id, { onDelete: 'set null' }),
  assignedUnits: uuid('assigned_units').array().notNull().default(sql`'{}'::uuid[]`),
  notes: text('notes'),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
  dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
  arrivedAt: timestamp('arrived_at', { withTimezone: true }),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  closedAt: timestamp('closed_at', { withTimezone: true }),
  ...timestamps
}, (t) => [
  check('incidents_priority_range', sql`${t.priority} between 1 and 5`),
  check('incidents_latitude_range', sql`${t.latitude} between -90 and 90`),
  check('incidents_longitude_range', sql`${t.longitude} between -180 and 180`),
  // GET /incidents/active: active only, priority then newest first.
  index('incidents_active_idx').on(t.agencyId, t.priority, t.createdAt.desc().nullsFirst())
    .where(sql`${t.status} in ('new', 'assigned', 'en_route', 'on_scene')`),
  // GET /incidents (newest first), with or without a status filter.
  index('incidents_agency_created_idx').on(t.agencyId, t.createdAt.desc().nullsFirst()),
  index('incidents_agency_status_created_idx').on(t.agencyId, t.status, t.createdAt.desc().nullsFirst()),
  // Referencing-side indexes for the foreign keys (see alerts.ts).
  index('incidents_created_by_idx').on(t.createdBy).where(sql`${t.createdBy} is not null`),
  index('incidents_building_idx').on(t.buildingId).where(sql`${t.buildingId} is not null`)
])
