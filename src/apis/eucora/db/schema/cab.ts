import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, text, timestamp, uuid } from 'drizzle-orm/pg-core'
import { eucora } from './base.js'
import { deploymentIntents } from './deployments.js'
import { users } from './users.js'
import { DECISIONS, inList } from './values.js'

/** One approval per deployment that needs CAB, created PENDING with the deployment. */
export const cabApprovals = eucora.table('cab_approvals', {
  id: uuid('id').primaryKey().defaultRandom(),
  deploymentId: uuid('deployment_id').notNull().unique().references(() => deploymentIntents.correlationId, { onDelete: 'cascade' }),
  decision: text('decision').notNull().default('PENDING'),
  approverId: integer('approver_id').references(() => users.id, { onDelete: 'set null' }),
  comments: text('comments').notNull().default(''),
  conditions: jsonb('conditions').notNull().default(sql`'[]'::jsonb`),
  submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
  reviewedAt: timestamp('reviewed_at', { withTimezone: true })
}, (t) => [
  check('cab_approvals_decision_valid', sql.raw(`decision in (${inList(DECISIONS)})`)),
  // The pending list, newest first, reads only this index.
  index('cab_approvals_pending_idx').on(t.submittedAt.desc()).where(sql`decision = 'PENDING'`),
  index('cab_approvals_approver_idx').on(t.approverId)
])
