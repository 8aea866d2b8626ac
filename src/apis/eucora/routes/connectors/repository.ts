import { sql } from 'drizzle-orm'
import type { Executor, Database } from '../../../../core/db/client.js'
import { done, missing, refused, type Outcome } from '../../../../core/outcome.js'
import type { DeploymentStatus, JobStatus, Plane, RemediationAction } from '../../db/schema/values.js'
import { pgTime } from '../../db/time.js'
import type { JobSchedule } from '../../schedule.js'
import { deploymentStatusExpr, jobStatusExpr } from '../deployments/status-sql.js'

export type JobRow = {
  id: string
  target_plane: Plane
  status: JobStatus
  attempt: number
  config: unknown
  published_at: Date
  publishing_at: Date
  deploying_at: Date
  finishes_at: Date
  outcome: string
  finished: boolean
}

/** Where a deployment must be to reach the planes: past CAB, not rolled back. */
const PUBLISHABLE: ReadonlySet<DeploymentStatus> = new Set(['APPROVED', 'DEPLOYING', 'COMPLETED', 'FAILED'])
const WHY_NOT: Partial<Record<DeploymentStatus, string>> = {
  PENDING: 'This deployment has not been assessed yet',
  AWAITING_CAB: 'This deployment is awaiting CAB approval',
  REJECTED: 'This deployment was rejected by the CAB',
  ROLLED_BACK: 'This deployment was rolled back'
}

const JOB_COLUMNS = sql.raw(`j.id, j.target_plane, ${jobStatusExpr('j')} as status, j.attempt, j.config, j.published_at,` +
  ' j.publishing_at, j.deploying_at, j.finishes_at, j.outcome, now() >= j.finishes_at as finished')

const toJob = (row: JobRow): JobRow => ({
  ...row,
  published_at: pgTime(row.published_at),
  publishing_at: pgTime(row.publishing_at),
  deploying_at: pgTime(row.deploying_at),
  finishes_at: pgTime(row.finishes_at)
})

/** Offsets from now() of a schedule's three transitions, as SQL. */
const at = (ms: number) => sql`now() + ${ms} * interval '1 millisecond'`

export type Scheduler = (deploymentId: string, plane: Plane, attempt: number) => JobSchedule

export function createConnectorsRepository (db: Database, schedule: Scheduler) {
  /** Locks the deployment row, so publishes and remediations of one deployment take turns. */
  async function lockDeployment (tx: Executor, id: string): Promise<Outcome<DeploymentStatus>> {
    const { rows } = await tx.execute<{ status: DeploymentStatus }>(
      sql`select status from eucora.deployment_intents where correlation_id = ${id} for update`)
    if (!rows[0]) return missing('Deployment')
    const status = rows[0].status
    return PUBLISHABLE.has(status) ? done(status) : refused(WHY_NOT[status] ?? `This deployment is ${status}`)
  }

  async function jobsOf (tx: Executor, id: string, lock = false) {
    const { rows } = await tx.execute<JobRow>(sql`select ${JOB_COLUMNS} from eucora.connector_jobs j
      where j.deployment_id = ${id} order by j.target_plane ${lock ? sql`for update` : sql``}`)
    return rows.map(toJob)
  }

  /** A job's next attempt, on a fresh schedule from now (with new settings and publisher when republished). */
  async function restart (tx: Executor, deploymentId: string, job: JobRow, republished?: { config: unknown, userId: number }) {
    const plan = schedule(deploymentId, job.target_plane, job.attempt + 1)
    await tx.execute(sql`update eucora.connector_jobs set attempt = attempt + 1, published_at = now(),
      publishing_at = ${at(plan.publishingAfterMs)}, deploying_at = ${at(plan.deployingAfterMs)},
      finishes_at = ${at(plan.finishesAfterMs)}, outcome = ${plan.outcome}
      ${republished ? sql`, config = ${JSON.stringify(republished.config)}::jsonb, published_by = ${republished.userId}` : sql``}
      where id = ${job.id}`)
  }

  async function markDeploying (tx: Executor, id: string) {
    await tx.execute(sql`update eucora.deployment_intents set status = 'DEPLOYING', updated_at = now() where correlation_id = ${id}`)
  }

  async function deploymentStatus (tx: Executor, id: string) {
    const { rows } = await tx.execute<{ status: DeploymentStatus }>(
      sql`select ${sql.raw(deploymentStatusExpr('d'))} as status from eucora.deployment_intents d where d.correlation_id = ${id}`)
    return rows[0]?.status
  }

  return {
    /**
     * Publishes to a plane: a first job, or a new attempt of a finished one; a job still in
     * progress is returned unchanged (publishing twice is not two deployments).
     */
    async publish (deploymentId: string, plane: Plane, config: object, userId: number) {
      return db.transaction(async (tx): Promise<Outcome<{ job: JobRow, created: boolean, status: DeploymentStatus }>> => {
        const locked = await lockDeployment(tx, deploymentId)
        if (locked.kind !== 'done') return locked
        const existing = (await jobsOf(tx, deploymentId, true)).find((job) => job.target_plane === plane)
        if (existing && !existing.finished) return done({ job: existing, created: false, status: (await deploymentStatus(tx, deploymentId))! })
        if (existing) {
          await restart(tx, deploymentId, existing, { config, userId })
        } else {
          const plan = schedule(deploymentId, plane, 1)
          await tx.execute(sql`insert into eucora.connector_jobs (deployment_id, target_plane, config, attempt, published_by,
            published_at, publishing_at, deploying_at, finishes_at, outcome)
            values (${deploymentId}, ${plane}, ${JSON.stringify(config)}::jsonb, 1, ${userId}, now(),
              ${at(plan.publishingAfterMs)}, ${at(plan.deployingAfterMs)}, ${at(plan.finishesAfterMs)}, ${plan.outcome})`)
        }
        await markDeploying(tx, deploymentId)
        const job = (await jobsOf(tx, deploymentId)).find((j) => j.target_plane === plane)!
        return done({ job, created: true, status: 'DEPLOYING' as const })
      })
    },

    // One transaction, so the deployment's status and its jobs' are read at the same now().
    async status (deploymentId: string) {
      return db.transaction(async (tx) => {
        const status = await deploymentStatus(tx, deploymentId)
        if (!status) return undefined
        return { status, jobs: await jobsOf(tx, deploymentId) }
      }, { accessMode: 'read only' })
    },

    /** REINSTALL starts every plane again, RETRY_FAILED only the planes whose job failed. */
    async remediate (deploymentId: string, action: RemediationAction, reason: string, userId: number) {
      return db.transaction(async (tx): Promise<Outcome<{ id: string, restarted: number, status: DeploymentStatus, jobs: JobRow[] }>> => {
        const locked = await lockDeployment(tx, deploymentId)
        if (locked.kind !== 'done') return locked
        const jobs = await jobsOf(tx, deploymentId, true)
        if (!jobs.length) return refused('This deployment has not been published to any plane')
        const chosen = action === 'REINSTALL' ? jobs : jobs.filter((job) => job.finished && job.outcome === 'FAILED')
        if (!chosen.length) return refused('No plane of this deployment has failed')
        for (const job of chosen) await restart(tx, deploymentId, job)
        await markDeploying(tx, deploymentId)
        const { rows } = await tx.execute<{ id: string }>(sql`insert into eucora.remediations (deployment_id, action, reason, requested_by, jobs_restarted)
          values (${deploymentId}, ${action}, ${reason}, ${userId}, ${chosen.length}) returning id`)
        return done({ id: rows[0].id, restarted: chosen.length, status: 'DEPLOYING' as const, jobs: await jobsOf(tx, deploymentId) })
      })
    }
  }
}
