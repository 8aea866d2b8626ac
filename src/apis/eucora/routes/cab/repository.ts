import { sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { done, missing, refused, type Outcome } from '../../../../core/outcome.js'
import type { Decision, DeploymentStatus } from '../../db/schema/values.js'
import { pgTime } from '../../db/time.js'
import { deploymentStatusExpr } from '../deployments/status-sql.js'

export type ApprovalRow = {
  id: string
  correlation_id: string
  decision: Decision
  approver: string | null
  comments: string
  conditions: unknown
  submitted_at: Date
  reviewed_at: Date | null
  app_name: string
  version: string
  risk_score: number
  deployment_status: DeploymentStatus
}

const SELECT = sql.raw('select a.id, a.deployment_id as correlation_id, a.decision, u.username as approver, a.comments, a.conditions,' +
  ` a.submitted_at, a.reviewed_at, d.app_name, d.version, d.risk_score, ${deploymentStatusExpr('d')} as deployment_status` +
  ' from eucora.cab_approvals a join eucora.deployment_intents d on d.correlation_id = a.deployment_id' +
  ' left join eucora.users u on u.id = a.approver_id')

const toRow = (row: ApprovalRow): ApprovalRow => ({ ...row, submitted_at: pgTime(row.submitted_at), reviewed_at: pgTime(row.reviewed_at) })

export type Verdict = 'approve' | 'reject'

/** Approving again (with or without conditions) or rejecting again is the same decision. */
const FAMILY: Record<Decision, Verdict | undefined> = { PENDING: undefined, APPROVED: 'approve', CONDITIONAL: 'approve', REJECTED: 'reject' }

export interface DecisionInput {
  verdict: Verdict
  approverId: number
  comments: string
  conditions: unknown
}

export function createCabRepository (db: Database) {
  async function findById (id: string) {
    const { rows } = await db.execute<ApprovalRow>(sql`${SELECT} where a.id = ${id}`)
    return rows[0] ? toRow(rows[0]) : undefined
  }

  return {
    findById,

    async pending (limit: number) {
      const [{ rows }, { rows: [{ count }] }] = await Promise.all([
        db.execute<ApprovalRow>(sql`${SELECT} where a.decision = 'PENDING' order by a.submitted_at desc, a.id limit ${limit}`),
        db.execute<{ count: number }>(sql`select count(*)::int as count from eucora.cab_approvals where decision = 'PENDING'`)
      ])
      return { approvals: rows.map(toRow), count }
    },

    /**
     * Decides a pending approval and moves its deployment (APPROVED or REJECTED) in one statement.
     * Only a PENDING row is updated, so of two deciders at once the second finds it decided: the
     * same decision is then answered as done (many approvers pick the same listed item), the
     * opposite one is refused.
     */
    async decide (id: string, input: DecisionInput): Promise<Outcome<ApprovalRow>> {
      const conditioned = input.verdict === 'approve' && hasConditions(input.conditions)
      const decision: Decision = input.verdict === 'reject' ? 'REJECTED' : conditioned ? 'CONDITIONAL' : 'APPROVED'
      const status: DeploymentStatus = input.verdict === 'reject' ? 'REJECTED' : 'APPROVED'
      const { rows } = await db.execute<{ id: string }>(sql`
        with decided as (
          update eucora.cab_approvals
          set decision = ${decision}, approver_id = ${input.approverId}, comments = ${input.comments},
            conditions = ${JSON.stringify(input.conditions ?? [])}::jsonb, reviewed_at = now()
          where id = ${id} and decision = 'PENDING'
          returning id, deployment_id
        ), moved as (
          update eucora.deployment_intents d set status = ${status}, updated_at = now()
          from decided where d.correlation_id = decided.deployment_id and d.status = 'AWAITING_CAB'
          returning d.correlation_id
        )
        select decided.id, (select count(*) from moved) as moved from decided`)
      const row = await findById(id)
      if (!row) return missing('CAB approval')
      if (rows.length || FAMILY[row.decision] === input.verdict) return done(row)
      return refused(`This approval was already ${row.decision === 'REJECTED' ? 'rejected' : 'approved'}`)
    }
  }
}

function hasConditions (conditions: unknown): boolean {
  if (Array.isArray(conditions)) return conditions.length > 0
  return conditions !== null && typeof conditions === 'object' && Object.keys(conditions).length > 0
}
