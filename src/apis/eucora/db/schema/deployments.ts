import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, text, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { eucora } from './base.js'
import { users } from './users.js'
import { DEPLOYMENT_STATUSES, inList, RINGS } from './values.js'

export const deploymentIntents = eucora.table('deployment_intents', {
  correlationId: uuid('correlation_id').primaryKey().defaultRandom(),
  appName: varchar('app_name', { length: 255 }).notNull(),
  version: varchar('version', { length: 50 }).notNull(),
  targetRing: text('target_ring').notNull(),
  // DEPLOYING is what publishing stored; COMPLETED or FAILED are derived from the jobs on read.
  status: text('status').notNull().default('PENDING'),
  evidencePackId: uuid('evidence_pack_id').notNull(),
  riskScore: integer('risk_score').notNull(),
  requiresCabApproval: boolean('requires_cab_approval').notNull(),
  submitterId: integer('submitter_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('deployment_intents_ring_valid', sql.raw(`target_ring in (${inList(RINGS)})`)),
  check('deployment_intents_status_valid', sql.raw(`status in (${inList(DEPLOYMENT_STATUSES)})`)),
  check('deployment_intents_risk_score_range', sql`${t.riskScore} between 0 and 100`),
  index('deployment_intents_created_at_idx').on(t.createdAt.desc()),
  index('deployment_intents_status_ring_idx').on(t.status, t.targetRing),
  index('deployment_intents_submitter_idx').on(t.submitterId)
])
