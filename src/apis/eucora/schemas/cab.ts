import { Type, type Static } from 'typebox'
import { DECISIONS, DEPLOYMENT_STATUSES } from '../db/schema/values.js'
import { Char, Choice, DateTime, Nullable, OneOf, ScalarDict, Uuid } from './common.js'

/** Conditions of an approval: a list of texts (the legacy view) or a dict of scalars (the P5.3 view). */
export const Conditions = OneOf([
  Type.Array(Char(500), { maxItems: 50 }),
  ScalarDict(50)
], 'Expected a list of at most 50 texts or a dictionary of at most 50 scalar values.')

export const ApproveBody = Type.Object({
  comments: Type.Optional(Char(10_000, { allowBlank: true })),
  conditions: Type.Optional(Conditions)
})
export type ApproveBody = Static<typeof ApproveBody>

export const RejectBody = Type.Object({
  comments: Type.Optional(Char(10_000, { allowBlank: true }))
})
export type RejectBody = Static<typeof RejectBody>

export const Approval = Type.Object({
  id: Uuid,
  deployment_intent: Uuid,
  correlation_id: Uuid,
  decision: Choice(DECISIONS),
  approver: Nullable(Type.String()),
  comments: Type.String(),
  conditions: Type.Unknown(),
  submitted_at: DateTime,
  reviewed_at: Nullable(DateTime),
  app_name: Type.String(),
  version: Type.String(),
  risk_score: Type.Integer(),
  deployment_status: Choice(DEPLOYMENT_STATUSES)
})

export const PendingList = Type.Object({
  approvals: Type.Array(Approval),
  count: Type.Integer({ description: 'Pending approvals in all (the list holds at most `limit`)' })
})

export const DecisionReply = Type.Object({ ...Approval.properties, message: Type.String() })
