import { sql } from 'drizzle-orm'
import { doublePrecision, index, jsonb, pgSchema, timestamp, uniqueIndex, uuid, varchar } from 'drizzle-orm/pg-core'

/** Every smart-maintenance table lives here, apart from the other APIs' tables in one database. */
export const smartMaintenance = pgSchema('smart_maintenance')

/** The sensors the fixture registers (the suite's sensor ids); readings may name others. */
export const sensors = smartMaintenance.table('sensors', {
  sensorId: varchar('sensor_id', { length: 100 }).primaryKey(),
  sensorType: varchar('sensor_type', { length: 50 }).notNull(),
  location: varchar('location', { length: 200 }),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow()
})

/**
 * One reading per ingest request. The id (the answer's `event_id`) is made by the app, so a batch
 * retried after a lost connection cannot write a row twice. A reading carries the original's single
 * `value` and/or the suite's four features.
 */
export const sensorReadings = smartMaintenance.table('sensor_readings', {
  id: uuid('id').primaryKey(),
  sensorId: varchar('sensor_id', { length: 100 }).notNull(),
  sensorType: varchar('sensor_type', { length: 50 }).notNull(),
  value: doublePrecision('value'),
  unit: varchar('unit', { length: 20 }),
  quality: doublePrecision('quality').notNull(),
  timestamp: timestamp('timestamp', { withTimezone: true, mode: 'date' }).notNull(),
  temperature: doublePrecision('temperature'),
  pressure: doublePrecision('pressure'),
  vibration: doublePrecision('vibration'),
  humidity: doublePrecision('humidity'),
  correlationId: uuid('correlation_id').notNull(),
  metadata: jsonb('metadata'),
  idempotencyKey: varchar('idempotency_key', { length: 255 }),
  receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull()
}, (t) => [
  // Newest readings of a sensor (recent list, prediction baselines): one backward index scan.
  index('sensor_readings_sensor_time_idx').on(t.sensorId, t.timestamp.desc()),
  uniqueIndex('sensor_readings_idempotency_key_idx').on(t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`)
])
