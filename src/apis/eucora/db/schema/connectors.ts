import { sql } from 'drizzle-orm'
import { check, index, integer, jsonb, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core'
import { eucora } from './base.js'
import { deploymentIntents } from './deployments.js'
import { users } from './users.js'
import { inList, JOB_OUTCOMES, PLANES, REMEDIATION_ACTIONS } from './values.js'

/**
 * A deployment published to one execution plane. Its schedule is fixed when it is (re)published:
 * the job is QUEUED until `publishing_at`, PUBLISHING until `deploying_at`, DEPLOYING until
 * `finishes_at`, then `outcome`. The status is read from these columns and the clock.
 */
export const connectorJobs = eucora.table('connector_jobs', {
  id: uuid('id').primaryKey().defaultRandom(),
  deploymentId: uuid('deployment_id').notNull().references(() => deploymentIntents.correlationId, { onDelete: 'cascade' }),
  targetPlane: text('target_plane').notNull(),
  config: jsonb('config').notNull().default(sql`'{}'::jsonb`),
  attempt: integer('attempt').notNull().default(1),
  publishedBy: integer('published_by').references(() => users.id, { onDelete: 'set null' }),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  publishingAt: timestamp('publishing_at', { withTimezone: true }).notNull(),
  deployingAt: timestamp('deploying_at', { withTimezone: true }).notNull(),
  finishesAt: timestamp('finishes_at', { withTimezone: true }).notNull(),
  outcome: text('outcome').notNull()
}, (t) => [
  unique('connector_jobs_deployment_plane_key').on(t.deploymentId, t.targetPlane),
  check('connector_jobs_plane_valid', sql.raw(`target_plane in (${inList(PLANES)})`)),
  check('connector_jobs_outcome_valid', sql.raw(`outcome in (${inList(JOB_OUTCOMES)})`)),
  check('connector_jobs_schedule_ordered', sql`${t.publishedAt} <= ${t.publishingAt} and ${t.publishingAt} <= ${t.deployingAt} and ${t.deployingAt} <= ${t.finishesAt}`),
  index('connector_jobs_published_by_idx').on(t.publishedBy)
])

export const remediations = eucora.table('remediations', {
  id: uuid('id').primaryKey().defaultRandom(),
  deploymentId: uuid('deployment_id').notNull().references(() => deploymentIntents.correlationId, { onDelete: 'cascade' }),
  action: text('action').notNull(),
  reason: text('reason').notNull().default(''),
  requestedBy: integer('requested_by').references(() => users.id, { onDelete: 'set null' }),
  jobsRestarted: integer('jobs_restarted').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
}, (t) => [
  check('remediations_action_valid', sql.raw(`action in (${inList(REMEDIATION_ACTIONS)})`)),
  index('remediations_deployment_idx').on(t.deploymentId),
  index('remediations_requested_by_idx').on(t.requestedBy)
])
