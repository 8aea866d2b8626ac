/**
 * A connector job's status now (SQL over the job aliased `job`): its schedule, fixed at
 * publishing, read against the clock, so every process and every reader sees the same transitions
 * without a timer writing them.
 */
export function jobStatusExpr (job: string): string {
  return `case when now() < ${job}.publishing_at then 'QUEUED' when now() < ${job}.deploying_at then 'PUBLISHING'` +
    ` when now() < ${job}.finishes_at then 'DEPLOYING' else ${job}.outcome end`
}

/**
 * A deployment's status now (SQL over the deployment aliased `deployment`). Publishing stores
 * DEPLOYING; once every plane's job has finished it reads COMPLETED, or FAILED if any plane failed
 * (and DEPLOYING again after a remediation restarts a plane).
 */
export function deploymentStatusExpr (deployment: string): string {
  return `case when ${deployment}.status <> 'DEPLOYING' then ${deployment}.status else coalesce((` +
    'select case when count(*) = 0 then null when bool_or(now() < j.finishes_at) then \'DEPLOYING\'' +
    ' when bool_or(j.outcome = \'FAILED\') then \'FAILED\' else \'COMPLETED\' end' +
    ` from eucora.connector_jobs j where j.deployment_id = ${deployment}.correlation_id), 'DEPLOYING') end`
}
