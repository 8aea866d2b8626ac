import { sql, type SQL } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import type { DeploymentStatus, Ring } from '../../db/schema/values.js'
import { pgTime } from '../../db/time.js'
import { deploymentStatusExpr } from './status-sql.js'

export type DeploymentRow = {
  correlation_id: string
  app_name: string
  version: string
  target_ring: Ring
  status: DeploymentStatus
  evidence_pack_id: string
  risk_score: number
  requires_cab_approval: boolean
  submitter: string
  created_at: Date
  updated_at: Date
}

export interface NewDeployment {
  appName: string
  version: string
  ring: Ring
  evidencePackId: string
  riskScore: number
  requiresCabApproval: boolean
  status: DeploymentStatus
  submitterId: number
}

const SELECT = sql.raw(`select d.correlation_id, d.app_name, d.version, d.target_ring, ${deploymentStatusExpr('d')} as status,` +
  ' d.evidence_pack_id, d.risk_score, d.requires_cab_approval, u.username as submitter, d.created_at, d.updated_at' +
  ' from eucora.deployment_intents d join eucora.users u on u.id = d.submitter_id')

const timestamps = <T extends { created_at: Date | string, updated_at?: Date | string }>(row: T): T =>
  ({ ...row, created_at: pgTime(row.created_at), ...(row.updated_at ? { updated_at: pgTime(row.updated_at) } : {}) })

export function createDeploymentsRepository (db: Database) {
  return {
    /** The deployment and, when it needs CAB, its pending approval: one statement, so both or neither. */
    async create (d: NewDeployment) {
      const { rows } = await db.execute<DeploymentRow & { cab_approval_id: string | null }>(sql`
        with d as (
          insert into eucora.deployment_intents (app_name, version, target_ring, status, evidence_pack_id, risk_score, requires_cab_approval, submitter_id)
          values (${d.appName}, ${d.version}, ${d.ring}, ${d.status}, ${d.evidencePackId}, ${d.riskScore}, ${d.requiresCabApproval}, ${d.submitterId})
          returning *
        ), a as (
          insert into eucora.cab_approvals (deployment_id)
          select correlation_id from d where d.requires_cab_approval
          returning id
        )
        select d.correlation_id, d.app_name, d.version, d.target_ring, d.status, d.evidence_pack_id, d.risk_score,
          d.requires_cab_approval, d.created_at, (select id from a) as cab_approval_id
        from d`)
      return timestamps(rows[0])
    },

    async list (limit: number, filters: { status?: DeploymentStatus, ring?: Ring }) {
      const where: SQL[] = []
      if (filters.ring) where.push(sql`d.target_ring = ${filters.ring}`)
      const inner = sql`${SELECT} ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}`
      // The status filter applies to the status as it reads now (a finished DEPLOYING is COMPLETED).
      const { rows } = await db.execute<DeploymentRow>(filters.status
        ? sql`select * from (${inner}) x where x.status = ${filters.status} order by x.created_at desc limit ${limit}`
        : sql`${inner} order by d.created_at desc limit ${limit}`)
      return rows.map(timestamps)
    },

    async findById (id: string) {
      const { rows } = await db.execute<DeploymentRow>(sql`${SELECT} where d.correlation_id = ${id}`)
      return rows[0] ? timestamps(rows[0]) : undefined
    }
  }
}
