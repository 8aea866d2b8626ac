import { sql } from 'drizzle-orm'
import {
  check, doublePrecision, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, varchar
} from 'drizzle-orm/pg-core'
import { agencies } from './agencies.js'
import { buildings } from './buildings.js'
import { id, timestamps } from './columns.js'
import { alertSeverity, alertSource, alertStatus } from './enums.js'
import { incidents } from './incidents.js'
import { users } from './users.js'

export const alerts = pgTable('alerts', {
  id: id(),
  agencyId: uuid('agency_id').notNull().references(() => agencies.id, { onDelete: 'cascade' }),
  source: alertSource('source').notNull(),
  sourceId: varchar('source_id', { length: 255 }),
  severity: alertSeverity('severity').notNull().default('medium'),
  status: alertStatus('status').notNull().default('pending'),
  alertType: varchar('alert_type', { length: 100 }).notNull(),
  title: varchar('title', { length: 200 }).notNull(),
  description: text('description'),
  latitude: doublePrecision('latitude'),
  longitude: doublePrecision('longitude'),
  address: varchar('address', { length: 500 }),
  zone: varchar('zone', { length: 100 }),
  rawPayload: jsonb('raw_payload').$type<Record<string, unknown>>(),
  confidence: doublePrecision('confidence'),
  peakLevelDb: doublePrecision('peak_level_db'),
  backgroundLevelDb: doublePrecision('background_level_db'),
  buildingId: uuid('building_id').references(() => buildings.id, { onDelete: 'set null' }),
  linkedIncidentId: uuid('linked_incident_id').references(() => incidents.id, { onDelete: 'set null' }),
  // Who ingested it; no foreign key, so the hot insert path checks nothing it does not need.
  ingestedBy: uuid('ingested_by'),
  idempotencyKey: varchar('idempotency_key', { length: 255 }),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  acknowledgedBy: uuid('acknowledged_by').references(() => users.id, { onDelete: 'set null' }),
  acknowledgmentNotes: text('acknowledgment_notes'),
  dismissedAt: timestamp('dismissed_at', { withTimezone: true }),
  dismissedBy: uuid('dismissed_by').references(() => users.id, { onDelete: 'set null' }),
  dismissalReason: text('dismissal_reason'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  ...timestamps
}, (t) => [
  check('alerts_confidence_range', sql`${t.confidence} between 0 and 1`),
  check('alerts_latitude_range', sql`${t.latitude} between -90 and 90`),
  check('alerts_longitude_range', sql`${t.longitude} between -180 and 180`),
  // GET /alerts/pending: pending only, critical first, then newest.
  index('alerts_pending_idx').on(t.agencyId, t.severity, t.createdAt.desc().nullsFirst()).where(sql`${t.status} = 'pending'`),
  // GET /alerts (newest first), optionally filtered by status.
  index('alerts_agency_created_idx').on(t.agencyId, t.createdAt.desc().nullsFirst()),
  index('alerts_agency_status_created_idx').on(t.agencyId, t.status, t.createdAt.desc().nullsFirst()),
  // Idempotency-Key: the durable guarantee (Redis is only a fast path).
  uniqueIndex('alerts_idempotency_key_idx').on(t.agencyId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
  // Foreign keys need an index on the referencing side, or deleting a user, building or incident
  // (seed clean, agency cascade) scans the whole table once per deleted row. Partial: ingested
  // alerts leave these columns empty, so the hot insert path does not maintain them.
  index('alerts_acknowledged_by_idx').on(t.acknowledgedBy).where(sql`${t.acknowledgedBy} is not null`),
  index('alerts_dismissed_by_idx').on(t.dismissedBy).where(sql`${t.dismissedBy} is not null`),
  index('alerts_linked_incident_idx').on(t.linkedIncidentId).where(sql`${t.linkedIncidentId} is not null`),
  index('alerts_building_idx').on(t.buildingId).where(sql`${t.buildingId} is not null`)
])
