/**
 * The seed suite's three Locust personas (loadtest/eriop/locustfile.py) as plain data and a small
 * state machine per simulated user: which request comes next, what it sends, when a task has a
 * dependent second step ("GET /alerts/pending, then acknowledge the first id") and how long the
 * user thinks before the next task. No I/O here: the load driver asks, sends, and reports back.
 */
import { DEFAULT_AGENCY_CODE, fixtureEmail, fixtureIdentity } from '../src/apis/eriop/fixture/fixture.js'

const STANDARD = fixtureIdentity(DEFAULT_AGENCY_CODE)

export type PersonaName = 'dispatcher' | 'responder' | 'ingester'

export interface Endpoint {
  method: 'GET' | 'POST'
  /** The server's route pattern, as /metrics labels it. */
  route: string
}

export interface PlannedRequest extends Endpoint {
  path: string
  body?: string
  /** Unique id of an ingested alert (raw_payload.req_id and source_id), for the loss check. */
  reqId?: string
  /** Sent as Idempotency-Key (--faults runs: a retry repeats it). */
  idempotencyKey?: string
  /** Sent as X-Fault-Key (--faults runs): the same in every run with the same seeds, so the same requests are faulted. */
  faultKey?: string
}

type Rng = () => number

interface Step extends Endpoint {
  path: (previousId: string | null) => string
  body?: (ctx: PayloadContext) => string
  /** The first `id` in the answer, for the next step; null ends the task. */
  followUp?: boolean
}

interface Task { weight: number, steps: Step[] }

export interface PersonaSpec {
  name: PersonaName
  /** Locust class weight: 3 / 5 / 2 of 10. */
  weight: number
  /** Locust `between(min, max)`, seconds. */
  waitS: [number, number]
  user: (n: number) => string
  users: number
  tasks: Task[]
}

export interface PayloadContext {
  rng: Rng
  runId: string
  nextReqId: () => string
  now: () => Date
}

const API = '/api/v1'
const get = (route: string, path = route, followUp = false): Step =>
  ({ method: 'GET', route: API + route, path: () => API + path, followUp })

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]
const between = (rng: Rng, min: number, max: number) => min + rng() * (max - min)
const round = (value: number, digits: number) => Number(value.toFixed(digits))

const INCIDENT_CATEGORIES = ['fire', 'medical', 'police', 'rescue', 'traffic', 'hazmat', 'intrusion'] as const
const ALERT_SOURCES = ['fundamentum', 'alarm_system', 'axis_microphone', 'security_system'] as const
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
const ALERT_TYPES = ['gunshot', 'explosion', 'glass_break', 'aggression', 'scream', 'car_alarm'] as const

/** The locustfile's `generate_incident_payload()`. */
export function incidentPayload ({ rng, now }: PayloadContext) {
  return {
    category: pick(rng, INCIDENT_CATEGORIES),
    priority: 1 + Math.floor(rng() * 5),
    title: `Incident ${now().toISOString()}`,
    description: 'Test incident created during load test',
    location: {
      latitude: round(45.5017 + between(rng, -0.5, 0.5), 6),
      longitude: round(-73.5673 + between(rng, -0.5, 0.5), 6),
      address: `${100 + Math.floor(rng() * 9900)} Test Street`,
      building_info: null
    }
  }
}

/**
 * The locustfile's `generate_alert_payload()`, plus what the loss check needs: the run id and a
 * per-request id in `raw_payload`, and that id as `source_id` (the original's random
 * `device_NNNN` moves into `raw_payload.device`).
 */
export function alertPayload ({ rng, runId, now }: PayloadContext, reqId: string) {
  const timestamp = now().toISOString()
  return {
    source: pick(rng, ALERT_SOURCES),
    source_id: reqId,
    severity: pick(rng, SEVERITIES),
    alert_type: pick(rng, ALERT_TYPES),
    title: `Alert ${timestamp}`,
    description: 'Load test alert',
    location: {
      latitude: round(45.5017 + between(rng, -0.5, 0.5), 6),
      longitude: round(-73.5673 + between(rng, -0.5, 0.5), 6),
      address: `${100 + Math.floor(rng() * 9900)} Alert Street`,
      zone: `Zone ${1 + Math.floor(rng() * 10)}`
    },
    raw_payload: { test: true, timestamp, run_id: runId, req_id: reqId, device: `device_${1000 + Math.floor(rng() * 9000)}` },
    confidence: round(between(rng, 0.7, 1), 3),
    peak_level_db: round(between(rng, 80, 120), 1),
    background_level_db: round(between(rng, 40, 60), 1)
  }
}

export const INGEST_ENDPOINT: Endpoint = { method: 'POST', route: `${API}/alerts/ingest` }

const ingestStep: Step = {
  ...INGEST_ENDPOINT,
  path: () => `${API}/alerts/ingest`,
  body: () => '' // filled by the session, which owns the request id
}

export const PERSONAS: Record<PersonaName, PersonaSpec> = {
  dispatcher: {
    name: 'dispatcher',
    weight: 3,
    waitS: [2, 5],
    user: (n) => fixtureEmail(STANDARD, 'dispatcher', n),
    users: 100,
    tasks: [
      { weight: 5, steps: [get('/incidents/active')] },
      { weight: 4, steps: [get('/alerts/pending')] },
      { weight: 3, steps: [get('/resources/available')] },
      { weight: 2, steps: [{ method: 'POST', route: `${API}/incidents`, path: () => `${API}/incidents`, body: (ctx) => JSON.stringify(incidentPayload(ctx)) }] },
      {
        weight: 2,
        steps: [
          get('/alerts/pending', '/alerts/pending', true),
          {
            method: 'POST',
            route: `${API}/alerts/:id/acknowledge`,
            path: (id) => `${API}/alerts/${id}/acknowledge`,
            body: () => JSON.stringify({ notes: 'Acknowledged during load test' })
          }
        ]
      },
      { weight: 1, steps: [get('/incidents', '/incidents?page=1&page_size=50')] },
      { weight: 1, steps: [get('/alerts', '/alerts?page=1&page_size=50')] }
    ]
  },
  responder: {
    name: 'responder',
    weight: 5,
    waitS: [3, 8],
    user: (n) => fixtureEmail(STANDARD, 'responder', n),
    users: 200,
    tasks: [
      { weight: 8, steps: [get('/incidents/active')] },
      { weight: 5, steps: [get('/alerts/pending')] },
      { weight: 4, steps: [get('/resources/available')] },
      { weight: 3, steps: [get('/incidents/active', '/incidents/active', true), { method: 'GET', route: `${API}/incidents/:id`, path: (id) => `${API}/incidents/${id}` }] },
      { weight: 2, steps: [get('/alerts/pending', '/alerts/pending', true), { method: 'GET', route: `${API}/alerts/:id`, path: (id) => `${API}/alerts/${id}` }] },
      { weight: 2, steps: [get('/resources', '/resources?page=1&page_size=50')] },
      { weight: 1, steps: [get('/auth/me')] }
    ]
  },
  ingester: {
    name: 'ingester',
    weight: 2,
    waitS: [0.1, 0.5],
    user: (n) => fixtureEmail(STANDARD, 'alertsystem', n),
    users: 50,
    tasks: [{ weight: 10, steps: [ingestStep] }]
  }
}

/** Every endpoint the personas call, in a stable order for tables. */
export function personaEndpoints (): Endpoint[] {
  const seen = new Map<string, Endpoint>()
  for (const persona of Object.values(PERSONAS)) {
    for (const task of persona.tasks) {
      for (const step of task.steps) seen.set(`${step.method} ${step.route}`, { method: step.method, route: step.route })
    }
  }
  return [...seen.values()]
}

/**
 * Which persona each of `n` connections plays, in the seed's 3 : 5 : 2 proportions, interleaved
 * (not 3000 dispatchers then 5000 responders) so a gradual ramp keeps the mix at every moment.
 */
export function assignPersonas (n: number, only?: PersonaName): PersonaName[] {
  if (only) return new Array<PersonaName>(n).fill(only)
  const specs = Object.values(PERSONAS)
  const totalWeight = specs.reduce((sum, p) => sum + p.weight, 0)
  const given = new Map<PersonaName, number>(specs.map((p) => [p.name, 0]))
  const out: PersonaName[] = []
  for (let i = 0; i < n; i++) {
    // Hand the next connection to the persona furthest below its share so far.
    let best = specs[0]
    let bestDeficit = -Infinity
    for (const p of specs) {
      const deficit = ((i + 1) * p.weight) / totalWeight - given.get(p.name)!
      if (deficit > bestDeficit) { best = p; bestDeficit = deficit }
    }
    given.set(best.name, given.get(best.name)! + 1)
    out.push(best.name)
  }
  return out
}

/**
 * Requests per second that users in these numbers send when every answer is instant: each
 * user runs a task (one request, or two when it has a dependent step) every mean think time.
 * What a persona phase asks of the server at most; null when they do not think at all.
 */
export function offeredRate (counts: Partial<Record<PersonaName, number>>, thinkScale = 1): number | null {
  if (thinkScale <= 0) return null
  let total = 0
  for (const [name, users] of Object.entries(counts) as [PersonaName, number][]) {
    const p = PERSONAS[name]
    const weights = p.tasks.reduce((sum, t) => sum + t.weight, 0)
    const requestsPerTask = p.tasks.reduce((sum, t) => sum + t.weight * t.steps.length, 0) / weights
    const thinkS = ((p.waitS[0] + p.waitS[1]) / 2) * thinkScale
    total += (users * requestsPerTask) / thinkS
  }
  return total
}

/** Picks an item with probability proportional to its weight. */
export function weightedPick<T extends { weight: number }> (rng: Rng, items: readonly T[]): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0)
  let r = rng() * total
  for (const item of items) {
    r -= item.weight
    if (r < 0) return item
  }
  return items[items.length - 1]
}

/** mulberry32: a tiny seeded generator, so a run's request mix can be reproduced. */
export function seededRng (seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FIRST_ID = /"id"\s*:\s*"([0-9a-fA-F-]{36})"/

/** The first element's id of a bare JSON array, without parsing a 100-alert body. */
export function firstId (body: string): string | null {
  if (!body.trimStart().startsWith('[')) return null
  return FIRST_ID.exec(body.slice(0, 512))?.[1] ?? FIRST_ID.exec(body)?.[1] ?? null
}

/** One simulated user: the next request, and what to do with its answer. */
export class PersonaSession {
  private task: Task | null = null
  private stepIndex = 0
  private carriedId: string | null = null

  constructor (
    readonly persona: PersonaSpec,
    private readonly ctx: PayloadContext,
    private readonly thinkScale = 1
  ) {}

  next (): PlannedRequest {
    if (!this.task) {
      this.task = weightedPick(this.ctx.rng, this.persona.tasks)
      this.stepIndex = 0
      this.carriedId = null
    }
    const step = this.task.steps[this.stepIndex]
    const planned: PlannedRequest = { method: step.method, route: step.route, path: step.path(this.carriedId) }
    if (step === ingestStep) {
      const reqId = this.ctx.nextReqId()
      planned.reqId = reqId
      planned.body = JSON.stringify(alertPayload(this.ctx, reqId))
    } else if (step.body) {
      planned.body = step.body(this.ctx)
    }
    return planned
  }

  /**
   * The answer to the last request. Returns true when the task goes on at once with its
   * dependent step (Locust runs both steps of a task back to back), false when the user now thinks.
   */
  observe (status: number, body: string): boolean {
    if (!this.task) return false
    const step = this.task.steps[this.stepIndex]
    const more = this.stepIndex + 1 < this.task.steps.length
    if (more && step.followUp && status === 200) {
      const id = firstId(body)
      if (id) {
        this.carriedId = id
        this.stepIndex++
        return true
      }
    }
    this.task = null
    return false
  }

  /** Abandons the current task (its request failed without an answer). */
  reset (): void {
    this.task = null
  }

  thinkTimeMs (): number {
    const [min, max] = this.persona.waitS
    return between(this.ctx.rng, min, max) * 1000 * this.thinkScale
  }
}
