import { Type, type Static } from 'typebox'
import { DEPLOYMENT_STATUSES, RINGS } from '../db/schema/values.js'
import { Char, Choice, DateTime, Uuid } from './common.js'

export const CreateDeploymentBody = Type.Object({
  app_name: Char(255),
  version: Char(50),
  target_ring: Choice(RINGS),
  evidence_pack_id: Type.Optional(Type.String({ format: 'uuid', maxLength: 36, description: 'Evidence pack correlation id; a new one when absent (the original used the request\'s correlation id)' }))
})
export type CreateDeploymentBody = Static<typeof CreateDeploymentBody>

export const CreatedDeployment = Type.Object({
  correlation_id: Uuid,
  status: Choice(DEPLOYMENT_STATUSES),
  risk_score: Type.Integer({ minimum: 0, maximum: 100 }),
  requires_cab_approval: Type.Boolean(),
  app_name: Type.String(),
  version: Type.String(),
  target_ring: Choice(RINGS),
  evidence_pack_id: Uuid,
  cab_approval_id: Type.Union([Uuid, Type.Null()], { description: 'The pending CAB approval created with it, if it needs one' }),
  created_at: DateTime
})

export const DeploymentSummary = Type.Object({
  correlation_id: Uuid,
  app_name: Type.String(),
  version: Type.String(),
  target_ring: Choice(RINGS),
  status: Choice(DEPLOYMENT_STATUSES),
  risk_score: Type.Integer(),
  created_at: DateTime
})

export const DeploymentDetail = Type.Object({
  ...DeploymentSummary.properties,
  requires_cab_approval: Type.Boolean(),
  evidence_pack_id: Uuid,
  submitter: Type.String(),
  updated_at: DateTime
})

export const DeploymentListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'At most this many, newest first (the original always gave 100)' }),
  status: Type.Optional(Choice(DEPLOYMENT_STATUSES)),
  ring: Type.Optional(Choice(RINGS))
})
export type DeploymentListQuery = Static<typeof DeploymentListQuery>

export const DeploymentList = Type.Object({ deployments: Type.Array(DeploymentSummary), count: Type.Integer() })
