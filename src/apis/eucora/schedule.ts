import { createHash } from 'node:crypto'
import type { JobOutcome, Plane } from './db/schema/values.js'

export interface JobSchedule {
  /** Milliseconds after publishing at which the job leaves QUEUED, PUBLISHING and DEPLOYING. */
  publishingAfterMs: number
  deployingAfterMs: number
  finishesAfterMs: number
  outcome: JobOutcome
}

/**
 * A publish job's course, drawn from a hash of (deployment, plane, attempt): the same job always
 * takes the same steps, in every process and run. Each of the three steps lasts between half and
 * one and a half times `stepMs`; `failurePercent` of jobs end FAILED.
 */
export function jobSchedule (deploymentId: string, plane: Plane, attempt: number, stepMs: number, failurePercent: number): JobSchedule {
  const digest = createHash('sha256').update(`${deploymentId.toLowerCase()}:${plane}:${attempt}`).digest()
  const step = (i: number) => Math.round(stepMs * (0.5 + digest.readUInt16BE(i * 2) / 0xffff))
  const queued = step(0)
  const publishing = step(1)
  const deploying = step(2)
  return {
    publishingAfterMs: queued,
    deployingAfterMs: queued + publishing,
    finishesAfterMs: queued + publishing + deploying,
    outcome: digest.readUInt16BE(6) % 100 < failurePercent ? 'FAILED' : 'COMPLETED'
  }
}
