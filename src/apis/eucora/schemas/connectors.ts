import { Type, type Static } from 'typebox'
import { DEPLOYMENT_STATUSES, JOB_STATUSES, PLANES, REMEDIATION_ACTIONS } from '../db/schema/values.js'
import { Char, Choice, DateTime, OneOf, ScalarDict, Uuid } from './common.js'

/**
 * A plane's settings: a dict of scalars in JSON; in a form, the `requests` library sends a dict's
 * keys only (`config=ring&config=target_count`), which arrive as a list of texts.
 */
export const ConnectorConfig = OneOf([
  ScalarDict(50),
  Type.Array(Char(100), { maxItems: 50 })
], 'Expected a dictionary of at most 50 scalar values or a list of at most 50 texts.')

export const PublishBody = Type.Object({
  deployment_id: Uuid,
  target_plane: Choice(PLANES),
  config: Type.Optional(ConnectorConfig)
})
export type PublishBody = Static<typeof PublishBody>

export const RemediateBody = Type.Object({
  deployment_id: Uuid,
  action: Type.Optional(Choice(REMEDIATION_ACTIONS, 'REINSTALL (default): publish every plane again; RETRY_FAILED: only the planes that failed')),
  reason: Type.Optional(Char(2000, { allowBlank: true }))
})
export type RemediateBody = Static<typeof RemediateBody>

export const Job = Type.Object({
  id: Uuid,
  target_plane: Choice(PLANES),
  status: Choice(JOB_STATUSES),
  attempt: Type.Integer(),
  config: Type.Unknown(),
  published_at: DateTime,
  publishing_at: DateTime,
  deploying_at: DateTime,
  finishes_at: DateTime
})

export const PublishReply = Type.Object({
  deployment_id: Uuid,
  deployment_status: Choice(DEPLOYMENT_STATUSES),
  job: Job,
  created: Type.Boolean({ description: 'false: the plane already had a job in progress, which is returned unchanged' })
})

export const StatusReply = Type.Object({
  deployment_id: Uuid,
  status: Choice(DEPLOYMENT_STATUSES),
  jobs: Type.Array(Job)
})

export const RemediateReply = Type.Object({
  remediation_id: Uuid,
  deployment_id: Uuid,
  action: Choice(REMEDIATION_ACTIONS),
  reason: Type.String(),
  jobs_restarted: Type.Integer(),
  deployment_status: Choice(DEPLOYMENT_STATUSES),
  jobs: Type.Array(Job)
})
