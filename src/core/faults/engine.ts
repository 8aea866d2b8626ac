import type { FastifyBaseLogger } from 'fastify'
import type { Counter } from 'prom-client'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import { fires, generator } from './random.js'
import { startResourceFault, type ResourceDeps, type Running } from './resources.js'
import { RESOURCE_ACTIONS, SHARED_RESOURCE_ACTIONS, type Action, type Rule } from './rules.js'
import type { RuleStore } from './store.js'

/** One injection, as GET /faults/log shows it. */
export interface Injection {
  at: string
  /** Epoch ms of `at`, for charts. */
  atMs: number
  rule: string
  action: string
  route: string
  method?: string
  key?: string
  stage?: Rule['stage']
  detail?: Record<string, unknown>
}

/** What a request is matched on. */
export interface RequestFacts { method: string, route: string | undefined, role: string | undefined, key: string | undefined }

/** A rule that fires for a request, with its key and its own seeded generator for any draw. */
export interface Fired { rule: Pick<Rule, 'id' | 'stage'>, action: Action, key: string, rng: () => RandomGenerator }

const LOG_SIZE = 10_000

function routeMatches (patterns: string[], route: string): boolean {
  for (const p of patterns) {
    if (p === route) return true
    if (p.endsWith('*') && route.startsWith(p.slice(0, -1))) return true
  }
  return false
}

/**
 * The rules in force, the decisions, the windows of resource faults, and the record of what was
 * injected. Env rules (FAULT_RULES) belong to this process; admin rules come from the store.
 */
export class FaultEngine {
  private envRules: Rule[] = []
  private sharedRules: Rule[] = []
  private before: Rule[] = []
  private beforeByRole: Rule[] = []
  private after: Rule[] = []
  private readonly counters = new Map<string, number>()
  private readonly windows = new Map<string, { timers: NodeJS.Timeout[], running?: Running }>()
  private readonly log: Injection[] = []
  private logStart = 0
  private closed = false
  /** Whether any request rule exists: the hooks' one check when faults are idle. */
  requestRules = false
  /** Called when the first pg-slow rule appears. */
  onPgSlow: () => void = () => {}

  constructor (
    readonly seed: string,
    readonly store: RuleStore,
    private readonly deps: ResourceDeps,
    private readonly counter: Counter<'rule' | 'action' | 'route'>,
    private readonly logger: FastifyBaseLogger
  ) {
    store.watch((rules) => {
      this.sharedRules = rules
      this.refresh()
    })
  }

  lockTargetNames (): string[] {
    return Object.keys(this.deps.lockTargets)
  }

  rules (): Rule[] {
    return [...this.envRules, ...this.sharedRules]
  }

  setEnvRules (rules: Rule[]): void {
    this.envRules = rules
    this.refresh()
  }

  /** Removes an env rule of this process; false when there is none with that id. */
  removeEnvRule (id: string): boolean {
    const before = this.envRules.length
    this.envRules = this.envRules.filter((r) => r.id !== id)
    this.refresh()
    return this.envRules.length < before
  }

  private refresh (): void {
    const all = this.rules()
    const requests = all.filter((r) => !RESOURCE_ACTIONS.has(r.action.type))
    this.before = requests.filter((r) => r.stage === 'before' && !r.match.role)
    this.beforeByRole = requests.filter((r) => r.stage === 'before' && r.match.role)
    this.after = requests.filter((r) => r.stage === 'after')
    this.requestRules = requests.length > 0
    if (requests.some((r) => r.action.type === 'pg-slow')) this.onPgSlow()
    const live = new Set(all.map((r) => `${r.id}@${r.loadedAt}`))
    for (const key of this.counters.keys()) if (key !== 'header' && !live.has(key)) this.counters.delete(key)
    for (const [key, w] of this.windows) {
      if (live.has(key)) continue
      for (const t of w.timers) clearTimeout(t)
      w.running?.stop().catch(() => {})
      this.windows.delete(key)
    }
    for (const r of all) if (RESOURCE_ACTIONS.has(r.action.type)) this.schedule(r)
  }

  /** A resource rule's window, relative to when the rule was loaded: the same times in every process. */
  private schedule (rule: Rule): void {
    const key = `${rule.id}@${rule.loadedAt}`
    if (this.windows.has(key) || this.closed) return
    const startAt = rule.loadedAt + rule.afterMs
    const endAt = rule.forMs === undefined ? Infinity : startAt + rule.forMs
    const now = Date.now()
    const w: { timers: NodeJS.Timeout[], running?: Running } = { timers: [] }
    this.windows.set(key, w)
    if (now >= endAt || (rule.action.type === 'pg-terminate' && now > startAt + 1000)) return
    const begin = async () => {
      if (this.closed) return
      const windowMs = endAt === Infinity ? 0 : endAt - Math.max(Date.now(), startAt)
      try {
        if (SHARED_RESOURCE_ACTIONS.has(rule.action.type) && !(await this.store.claim(key, Math.max(windowMs, 1000) + 5000))) return
        const running = await startResourceFault(this.deps, rule.action, windowMs)
        if (this.closed || !this.windows.has(key)) { await running.stop(); return }
        w.running = running
        this.record({ rule: rule.id, action: rule.action.type, route: '*', detail: { ...running.detail, ...(endAt !== Infinity ? { forMs: Math.round(windowMs) } : {}) } })
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, rule: rule.id }, `fault ${rule.action.type} could not start`)
      }
    }
    w.timers.push(setTimeout(() => { begin().catch(() => {}) }, Math.max(0, startAt - now)))
    if (endAt !== Infinity) {
      w.timers.push(setTimeout(() => {
        const running = w.running
        w.running = undefined
        running?.stop().catch(() => {})
      }, endAt - now))
    }
  }

  /** The rules of a stage that fire for this request, in order. */
  decide (stage: 'before' | 'role' | 'after', facts: RequestFacts, now = Date.now()): Fired[] {
    const rules = stage === 'before' ? this.before : stage === 'role' ? this.beforeByRole : this.after
    let fired: Fired[] | undefined
    for (const rule of rules) {
      const m = rule.match
      if (m.method && m.method !== facts.method) continue
      if (m.routes && (facts.route === undefined || !routeMatches(m.routes, facts.route))) continue
      if (m.role && m.role !== facts.role) continue
      const start = rule.loadedAt + rule.afterMs
      if (now < start || (rule.forMs !== undefined && now >= start + rule.forMs)) continue
      let key = facts.key
      if (key === undefined) {
        // Per rule and load: posting a schedule again replays it from its first request.
        const counter = `${rule.id}@${rule.loadedAt}`
        const n = (this.counters.get(counter) ?? 0) + 1
        this.counters.set(counter, n)
        key = `#${n}`
      }
      if (!fires(this.seed, rule.id, key, rule.probability)) continue
      const k = key
      ;(fired ??= []).push({ rule, action: rule.action, key: k, rng: () => generator(this.seed, rule.id, k) })
    }
    return fired ?? []
  }

  /** Per-request header faults decide with the same function, as the pseudo-rule `header`. */
  decideHeader (probability: number, key: string | undefined): { key: string, fire: boolean, rng: () => RandomGenerator } {
    let k = key
    if (k === undefined) {
      const n = (this.counters.get('header') ?? 0) + 1
      this.counters.set('header', n)
      k = `#${n}`
    }
    const fixed = k
    return { key: fixed, fire: fires(this.seed, 'header', fixed, probability), rng: () => generator(this.seed, 'header', fixed) }
  }

  record (entry: Omit<Injection, 'at' | 'atMs'>): void {
    const atMs = Date.now()
    const injection = { at: new Date(atMs).toISOString(), atMs, ...entry }
    this.counter.inc({ rule: entry.rule, action: entry.action, route: entry.route })
    if (this.log.length < LOG_SIZE) this.log.push(injection)
    else {
      this.log[this.logStart] = injection
      this.logStart = (this.logStart + 1) % LOG_SIZE
    }
    this.logger.debug({ fault: injection }, `fault injected: ${entry.action} (rule ${entry.rule})`)
  }

  /** The latest injections, oldest first. */
  latest (limit: number): Injection[] {
    const ordered = [...this.log.slice(this.logStart), ...this.log.slice(0, this.logStart)]
    return ordered.slice(Math.max(0, ordered.length - limit))
  }

  async close (): Promise<void> {
    this.closed = true
    for (const w of this.windows.values()) {
      for (const t of w.timers) clearTimeout(t)
      await w.running?.stop().catch(() => {})
    }
    this.windows.clear()
    await this.store.close()
  }
}
