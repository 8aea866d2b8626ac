// `npm run bench -- <scenario> --faults FILE`: the schedule is posted to the started server's admin
// API when each phase's measured window begins (so every phase replays it), and what the server
// injected is read back from GET /faults/log to mark it on the report apart from genuine errors.
import { readFileSync } from 'node:fs'
import { parseRules, RuleError, RESOURCE_ACTIONS, type ActionType } from '../src/core/faults/rules.js'
import type { Injection } from '../src/core/faults/engine.js'
import type { PhaseFaults, TimelinePoint } from './types.js'

/** Request faults a client sees as a failed request (an error status, or no usable answer). */
const FAILING_ACTIONS = new Set(['error', 'reset', 'empty', 'malformed', 'garbage', 'hang'])

export interface FaultSchedule {
  file: string
  /** The file's JSON, posted as is. */
  body: unknown
  rules: number
  resourceActions: string[]
}

/** Reads and checks a schedule file (a rule, an array of rules, or `{name, rules}`); throws a one-line reason. */
export function readSchedule (file: string): FaultSchedule {
  let body: unknown
  try {
    body = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new Error(`--faults ${file}: ${(err as Error).message}`)
  }
  try {
    const rules = parseRules(body, { loadedAt: 0, source: 'admin', idPrefix: 'bench-' })
    return { file, body, rules: rules.length, resourceActions: rules.filter((r) => RESOURCE_ACTIONS.has(r.action.type as ActionType)).map((r) => r.action.type) }
  } catch (err) {
    if (err instanceof RuleError) throw new Error(`--faults ${file}: ${err.message}`)
    throw err
  }
}

export interface AdminClient { url: string, token: string }

async function call (admin: AdminClient, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${admin.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000)
  })
}

/** Posts the schedule; its windows count from now. Returns the wall-clock time it was posted. */
export async function postSchedule (admin: AdminClient, schedule: FaultSchedule): Promise<number> {
  const at = Date.now()
  const res = await call(admin, 'POST', '/faults', schedule.body)
  if (res.status !== 201) throw new Error(`the server refused the fault schedule: ${res.status} ${await res.text()}`)
  return at
}

export async function clearFaults (admin: AdminClient): Promise<void> {
  await call(admin, 'DELETE', '/faults').catch(() => undefined)
}

export async function injections (admin: AdminClient): Promise<{ seed: string, entries: Injection[] }> {
  const res = await call(admin, 'GET', '/faults/log?limit=10000')
  if (!res.ok) throw new Error(`GET /faults/log answered ${res.status}`)
  return await res.json() as { seed: string, entries: Injection[] }
}

/**
 * What was injected during one phase (entries between `startWallMs` and `endWallMs`), per second of
 * the phase's timeline, and how its failed requests split: injected request faults, failures inside
 * a resource fault's window (pg-lock, redis-pause, …), and the genuine rest.
 */
export function phaseFaults (entries: Injection[], timeline: TimelinePoint[], phase: { startWallMs: number, endWallMs: number, warmupS: number, postedWallMs: number | null }): { faults: PhaseFaults, timeline: TimelinePoint[] } {
  const mine = entries.filter((e) => e.atMs >= phase.startWallMs && e.atMs < phase.endWallMs)
  const secondOf = (atMs: number) => Math.floor((atMs - phase.startWallMs) / 1000) + 1
  const perSecond = new Map<number, number>()
  const byAction: Record<string, number> = {}
  const windows: PhaseFaults['windows'] = []
  for (const e of mine) {
    byAction[e.action] = (byAction[e.action] ?? 0) + 1
    if (e.route === '*') {
      const fromS = (e.atMs - phase.startWallMs) / 1000
      const forMs = Number((e.detail as { forMs?: number } | undefined)?.forMs ?? 0)
      windows.push({ rule: e.rule, action: e.action, fromS, toS: fromS + forMs / 1000 })
    } else if (FAILING_ACTIONS.has(e.action)) {
      perSecond.set(secondOf(e.atMs), (perSecond.get(secondOf(e.atMs)) ?? 0) + 1)
    }
  }
  const inWindow = (t: number) => windows.some((w) => t > w.fromS && t - 1 < w.toS + 1)
  let failed = 0
  let injected = 0
  let duringWindows = 0
  let genuine = 0
  const marked = timeline.map((p) => {
    const n = perSecond.get(p.t) ?? 0
    if (p.t > phase.warmupS) {
      failed += p.failed
      injected += Math.min(n, p.failed)
      if (inWindow(p.t)) duringWindows += Math.max(0, p.failed - n)
      else genuine += Math.max(0, p.failed - n)
    }
    return { ...p, injected: n }
  })
  return {
    faults: {
      postedAtS: phase.postedWallMs === null ? null : (phase.postedWallMs - phase.startWallMs) / 1000,
      injected: mine.length,
      byAction,
      windows,
      failures: { total: failed, injected, duringWindows, genuine }
    },
    timeline: marked
  }
}
