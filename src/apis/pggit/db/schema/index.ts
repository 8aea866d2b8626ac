// PGGIT's tables, all in Postgres schema `pggit` (the original's own schema name), apart from
// every other API's.
import { sql } from 'drizzle-orm'
import {
  bigint, boolean, check, doublePrecision, index, integer, jsonb, pgSchema, smallint, text, timestamp, varchar
} from 'drizzle-orm/pg-core'

export const pggit = pgSchema('pggit')

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

export interface RetryPolicy { max_retries: number, backoff_base: number, max_backoff: number }

export const webhooks = pggit.table('webhooks', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: varchar('name', { length: 255 }).notNull(),
  url: varchar('url', { length: 2048 }).notNull(),
  events: text('events').array().notNull().default(sql`'{*}'`),
  active: boolean('active').notNull().default(true),
  description: varchar('description', { length: 1000 }),
  retryPolicy: jsonb('retry_policy').$type<RetryPolicy>().notNull().default({ max_retries: 3, backoff_base: 2, max_backoff: 3600 }),
  timeoutSeconds: integer('timeout_seconds').notNull().default(30),
  sslVerify: boolean('ssl_verify').notNull().default(true),
  // The health the simulator last announced (webhook_status_changed fires when it changes).
  healthStatus: varchar('health_status', { length: 20 }).notNull().default('UNKNOWN'),
  createdBy: varchar('created_by', { length: 255 }),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  index('webhooks_created_idx').on(t.createdAt.desc(), t.id.desc())
])

/** Alerts waiting for, or done with, delivery to a webhook (the original's `alert_delivery_queue`). */
export const alertDeliveryQueue = pggit.table('alert_delivery_queue', {
  alertId: integer('alert_id').primaryKey().generatedByDefaultAsIdentity(),
  webhookId: integer('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  alertType: varchar('alert_type', { length: 100 }).notNull(),
  severity: varchar('severity', { length: 10 }).notNull(),
  message: varchar('message', { length: 1000 }).notNull(),
  deliveryStatus: varchar('delivery_status', { length: 10 }).notNull().default('pending'),
  attempts: smallint('attempts').notNull().default(0),
  // The latest delivery attempt (webhook_deliveries.id); null until the first.
  queueId: bigint('queue_id', { mode: 'number' }),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
  createdAt: createdAt(),
  deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  acknowledged: boolean('acknowledged').notNull().default(false),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  acknowledgedBy: varchar('acknowledged_by', { length: 255 }),
  notes: varchar('notes', { length: 500 })
}, (t) => [
  check('adq_severity', sql`${t.severity} in ('CRITICAL', 'WARNING', 'INFO')`),
  check('adq_delivery_status', sql`${t.deliveryStatus} in ('pending', 'delivered', 'failed')`),
  index('adq_created_idx').on(t.createdAt.desc(), t.alertId.desc()),
  index('adq_webhook_idx').on(t.webhookId),
  // The simulator's next batch: pending alerts whose retry is due.
  index('adq_due_idx').on(t.nextAttemptAt).where(sql`${t.deliveryStatus} = 'pending'`)
])

/** Every delivery attempt: what the dashboard's figures and webhook health are computed from. */
export const webhookDeliveries = pggit.table('webhook_deliveries', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  webhookId: integer('webhook_id').notNull().references(() => webhooks.id, { onDelete: 'cascade' }),
  alertId: integer('alert_id').references(() => alertDeliveryQueue.alertId, { onDelete: 'cascade' }),
  eventType: varchar('event_type', { length: 100 }).notNull(),
  attempt: smallint('attempt').notNull(),
  success: boolean('success').notNull(),
  // Null: no HTTP answer (timeout, connection refused).
  httpStatus: smallint('http_status'),
  responseTimeMs: doublePrecision('response_time_ms').notNull(),
  error: varchar('error', { length: 200 }),
  createdAt: createdAt()
}, (t) => [
  index('deliveries_webhook_created_idx').on(t.webhookId, t.createdAt.desc()),
  index('deliveries_created_idx').on(t.createdAt.desc()),
  index('deliveries_alert_idx').on(t.alertId)
])

/** One row: the simulator's tick counter, claimed by one replica per tick. */
export const simulatorState = pggit.table('simulator_state', {
  id: smallint('id').primaryKey(),
  tick: bigint('tick', { mode: 'number' }).notNull().default(0),
  tickedAt: timestamp('ticked_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [check('simulator_state_single_row', sql`${t.id} = 1`)])
