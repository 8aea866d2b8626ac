import { runPhase, type LoaderResult, type LoaderSecond } from './load.js'
import { closedPacer, pacedPacer, spawnOffsetMs, thinkPacer, type Pacer } from './pacing.js'
import type { ConnectionDriver } from './load.js'
import { PERSONAS, PersonaSession, seededRng, type Endpoint, type PersonaName, type PlannedRequest } from './personas.js'
import { isRetryable } from './recorder.js'

/** How the connections of a phase pace their requests (see pacing.ts). */
export type Pacing =
  | { kind: 'paced', rate: number }
  | { kind: 'closed' }
  | { kind: 'think' }

/** One simulated user: which connection of the phase it is, whom it plays, its access token. */
export interface LoaderUser {
  index: number
  persona: PersonaName
  token: string
}

/**
 * One loader process's share of a phase, as plain data. Connection indices are the phase's
 * (not the process's), so pacing, the ramp and the request mix come out the same however many
 * processes share the phase.
 */
export interface LoaderJob {
  origin: string
  runId: string
  phaseIndex: number
  randomSeed: number
  thinkScale: number
  /** Connections of the whole phase, across every loader process. */
  connections: number
  warmupS: number
  durationS: number
  timeoutS: number
  /** Connections open evenly over this many ms (0: all at once). */
  rampMs: number
  pacing: Pacing
  endpoints: Endpoint[]
  users: LoaderUser[]
  /**
   * --faults: an ingest that got a 5xx, a 429 or no answer is sent again (same body, same
   * Idempotency-Key) as the connection's next request, until it is acknowledged or the phase ends.
   */
  retry?: boolean
}

function pacerFor (job: LoaderJob, index: number, startMs: number, session: PersonaSession): Pacer {
  switch (job.pacing.kind) {
    case 'paced': return pacedPacer(startMs, index, job.connections, job.pacing.rate)
    case 'closed': return closedPacer(startMs)
    case 'think': return thinkPacer(startMs + spawnOffsetMs(index, job.connections, job.rampMs), () => session.thinkTimeMs())
  }
}

/** Drives `job.users` through autocannon in this process. */
export function runLoaderJob (job: LoaderJob, onSecond?: (report: LoaderSecond) => void): Promise<LoaderResult> {
  return runPhase({
    origin: job.origin,
    connections: job.users.length,
    warmupS: job.warmupS,
    durationS: job.durationS,
    timeoutS: job.timeoutS,
    endpoints: job.endpoints,
    ...(job.rampMs > 0 ? { connectAtMs: (k: number) => spawnOffsetMs(job.users[k].index, job.connections, job.rampMs) } : {}),
    onSecond,
    retry: job.retry ?? false,
    makeDriver: (k, startMs) => {
      const { index, persona, token } = job.users[k]
      let seq = 0
      const session = new PersonaSession(PERSONAS[persona], {
        rng: seededRng(job.randomSeed * 1_000_003 + job.phaseIndex * 7919 + index),
        runId: job.runId,
        nextReqId: () => `${job.runId}.${job.phaseIndex}.${index}.${seq++}`,
        now: () => new Date()
      }, job.thinkScale)
      const driver = {
        headers: { authorization: `Bearer ${token}` },
        pacer: pacerFor(job, index, startMs, session),
        next: () => session.next(),
        observe: (status: number, body: string) => session.observe(status, body),
        abandon: () => session.reset()
      }
      return job.retry ? retrying(driver, job.runId) : driver
    }
  })
}

/** Sends a failed ingest again, as a client that keeps its promise would, with the same Idempotency-Key. */
export function retrying (driver: ConnectionDriver, runId: string): ConnectionDriver {
  let last: PlannedRequest | undefined
  let attempt = 0
  let again = false
  const keyed = (req: PlannedRequest): PlannedRequest => req.reqId
    // The fault key leaves out the run id, so another run with the same seeds faults the same requests; each attempt has its own.
    ? { ...req, idempotencyKey: req.reqId, faultKey: `${req.reqId.slice(runId.length + 1)}#${attempt}` }
    : req
  return {
    headers: driver.headers,
    pacer: driver.pacer,
    next () {
      if (again && last) {
        again = false
        attempt++
        return (last = keyed(last))
      }
      attempt = 0
      return (last = keyed(driver.next()))
    },
    observe (status, body) {
      if (last?.reqId && isRetryable(status)) {
        again = true
        return false
      }
      return driver.observe(status, body)
    },
    abandon () {
      if (last?.reqId) again = true
      else driver.abandon()
    }
  }
}
