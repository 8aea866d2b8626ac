import { createHash } from 'node:crypto'
import { Ajv, type ValidateFunction } from 'ajv'
import { Type, type Static, type TSchema } from 'typebox'
import type { ValidationIssue } from '../errors/index.js'
import { toValidationIssues, type AjvIssue } from '../errors/validation.js'

/** "250ms", "10s", "2m", or a number of milliseconds. */
const Duration = Type.Union([
  Type.String({ pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$', maxLength: 20 }),
  Type.Number({ minimum: 0, maximum: 86_400_000 })
], { description: 'A duration: "250ms", "10s", "2m", "1h", or milliseconds as a number' })

const Ms = (description: string, maximum = 600_000) => Type.Number({ minimum: 0, maximum, description })

const Distribution = {
  fixed: Type.Object({ type: Type.Literal('fixed'), ms: Ms('Always this long') }, { additionalProperties: false }),
  uniform: Type.Object({ type: Type.Literal('uniform'), min: Ms('Shortest'), max: Ms('Longest') }, { additionalProperties: false }),
  lognormal: Type.Object({
    type: Type.Literal('lognormal'),
    median: Type.Number({ exclusiveMinimum: 0, maximum: 600_000, description: 'Median delay, ms' }),
    sigma: Type.Number({ minimum: 0, maximum: 5, description: 'Spread: the standard deviation of the delay\'s logarithm' }),
    max: Type.Optional(Ms('Cap, ms: draws above it are drawn again (default 60000)'))
  }, { additionalProperties: false }),
  exponential: Type.Object({
    type: Type.Literal('exponential'),
    mean: Type.Number({ exclusiveMinimum: 0, maximum: 600_000, description: 'Mean delay, ms' }),
    max: Type.Optional(Ms('Cap, ms: draws above it are drawn again (default 60000)'))
  }, { additionalProperties: false })
}
export type DistributionSpec = Static<typeof Distribution[keyof typeof Distribution]>

/** Actions by type: request faults act on matching requests, resource faults on Postgres and Redis for a window. */
const ACTIONS = {
  delay: Type.Object({
    type: Type.Literal('delay'),
    ms: Type.Optional(Ms('A fixed delay')),
    distribution: Type.Optional(Type.Object({ type: Type.Union(Object.keys(Distribution).map((k) => Type.Literal(k))) }, { additionalProperties: true }))
  }, { additionalProperties: false }),
  error: Type.Object({
    type: Type.Literal('error'),
    status: Type.Integer({ minimum: 429, maximum: 599, description: '500–599, or 429' }),
    retryAfter: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, description: 'Retry-After seconds on 503 and 429 (default 1)' }))
  }, { additionalProperties: false }),
  reset: Type.Object({ type: Type.Literal('reset') }, { additionalProperties: false }),
  empty: Type.Object({ type: Type.Literal('empty') }, { additionalProperties: false }),
  malformed: Type.Object({ type: Type.Literal('malformed') }, { additionalProperties: false }),
  garbage: Type.Object({ type: Type.Literal('garbage'), bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_536 })) }, { additionalProperties: false }),
  hang: Type.Object({ type: Type.Literal('hang') }, { additionalProperties: false }),
  dribble: Type.Object({
    type: Type.Literal('dribble'),
    chunks: Type.Integer({ minimum: 2, maximum: 1000, description: 'Pieces the body is cut into' }),
    ms: Ms('Time over which the pieces are spread')
  }, { additionalProperties: false }),
  'pg-slow': Type.Object({ type: Type.Literal('pg-slow'), ms: Ms('pg_sleep before the request\'s first query, on its connection') }, { additionalProperties: false }),
  'pg-lock': Type.Object({
    type: Type.Literal('pg-lock'),
    targets: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description: 'Which of the API\'s lockable row sets (default: all)' }))
  }, { additionalProperties: false }),
  'pg-pool': Type.Object({ type: Type.Literal('pg-pool'), hold: Type.Integer({ minimum: 1, maximum: 200, description: 'Pool connections held busy' }) }, { additionalProperties: false }),
  'pg-terminate': Type.Object({ type: Type.Literal('pg-terminate') }, { additionalProperties: false }),
  'redis-pause': Type.Object({ type: Type.Literal('redis-pause') }, { additionalProperties: false }),
  'redis-down': Type.Object({ type: Type.Literal('redis-down') }, { additionalProperties: false })
} as const

export type ActionType = keyof typeof ACTIONS
export const ACTION_TYPES = Object.keys(ACTIONS) as ActionType[]
export const RESOURCE_ACTIONS = new Set<ActionType>(['pg-lock', 'pg-pool', 'pg-terminate', 'redis-pause', 'redis-down'])
/** Resource faults that change shared servers: run by one process of the cluster, not by each. */
export const SHARED_RESOURCE_ACTIONS = new Set<ActionType>(['pg-lock', 'pg-terminate', 'redis-pause'])

type ActionOf<K extends ActionType> = Static<typeof ACTIONS[K]>
export type Action =
  | (Omit<ActionOf<'delay'>, 'distribution'> & { distribution?: DistributionSpec })
  | ActionOf<Exclude<ActionType, 'delay'>>

const Route = Type.String({ minLength: 1, maxLength: 300, pattern: '^/', description: 'Route pattern as /docs shows it (`/api/v1/alerts/{id}` or `/api/v1/alerts/:id`); a trailing `*` matches every route under it' })

export const RuleSchema = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' })),
  match: Type.Optional(Type.Object({
    method: Type.Optional(Type.String({ maxLength: 10, pattern: '^[A-Za-z]+$' })),
    route: Type.Optional(Type.Union([Route, Type.Array(Route, { minItems: 1, maxItems: 50 })])),
    role: Type.Optional(Type.String({ maxLength: 50 }))
  }, { additionalProperties: false })),
  probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of matching requests (default 1)' })),
  after: Type.Optional(Duration),
  for: Type.Optional(Duration),
  stage: Type.Optional(Type.Union([Type.Literal('before'), Type.Literal('after')], { description: '`after`: once the handler has done its work (default `before`)' })),
  action: Type.Object({ type: Type.Union(ACTION_TYPES.map((t) => Type.Literal(t))) }, { additionalProperties: true })
}, { additionalProperties: false })

export type RuleInput = Static<typeof RuleSchema>

/** A rule as the engine keeps it: normalised, with the time its windows count from. */
export interface Rule {
  id: string
  match: { method?: string, routes?: string[], role?: string }
  probability: number
  afterMs: number
  forMs?: number
  stage: 'before' | 'after'
  action: Action
  /** Epoch ms when it was posted or loaded: `after` and `for` count from here. */
  loadedAt: number
  source: 'env' | 'admin'
  /** The schedule it came with, if any. */
  schedule?: string
  /** As posted (GET /faults shows it back). */
  input: RuleInput
}

export class RuleError extends Error {
  constructor (readonly issues: ValidationIssue[]) {
    super(issues.map((i) => `${i.loc.join('.')}: ${i.msg}`).join('; '))
  }
}

const ajv = new Ajv({ allErrors: false, strict: false })
const compiled = new Map<TSchema, ValidateFunction>()
function check (schema: TSchema, value: unknown, loc: (string | number)[]): ValidationIssue[] {
  let validate = compiled.get(schema)
  if (!validate) compiled.set(schema, validate = ajv.compile(schema))
  if (validate(value)) return []
  return toValidationIssues('body', validate.errors as AjvIssue[]).map((i) => ({ ...i, loc: [...loc, ...i.loc.slice(1)] }))
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

export function durationMs (value: string | number): number {
  if (typeof value === 'number') return value
  const [, amount, unit] = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value)!
  return Math.round(Number(amount) * UNITS[unit ?? 'ms'])
}

/** `/api/v1/alerts/{id}` → `/api/v1/alerts/:id`, the form Fastify's routeOptions.url has. */
export function routePattern (route: string): string {
  return route.replace(/\{([^}/]+)\}/g, ':$1')
}

/**
 * Validates one rule and returns it normalised; `loc` names the offending field (`['body', 0,
 * 'action', 'ms']`). `prefix` is where the rule sits in the request body.
 */
export function parseRule (value: unknown, prefix: (string | number)[], defaults: { id: string, loadedAt: number, source: Rule['source'], schedule?: string }): Rule {
  const shape = check(RuleSchema, value, prefix)
  if (shape.length) throw new RuleError(shape)
  const input = value as RuleInput
  const type = input.action.type as ActionType
  const at = [...prefix, 'action']
  const issues = check(ACTIONS[type], input.action, at)
  const action = input.action as Action
  const fail = (loc: (string | number)[], msg: string) => { throw new RuleError([{ loc, msg, type: 'value_error' }]) }
  if (issues.length) throw new RuleError(issues)
  if (action.type === 'delay') {
    if ((action.ms === undefined) === (action.distribution === undefined)) fail(at, 'A delay has either `ms` or a `distribution`')
    if (action.distribution) {
      const kind = action.distribution.type as keyof typeof Distribution
      const found = check(Distribution[kind], action.distribution, [...at, 'distribution'])
      if (found.length) throw new RuleError(found)
      const d = action.distribution
      if (d.type === 'uniform' && d.min > d.max) fail([...at, 'distribution', 'max'], '`max` must be at least `min`')
      if ((d.type === 'lognormal' && d.max !== undefined && d.max < d.median) ||
        (d.type === 'exponential' && d.max !== undefined && d.max < d.mean)) fail([...at, 'distribution', 'max'], '`max` must be at least the median (lognormal) or mean (exponential)')
    }
  }
  if (action.type === 'error' && action.status !== 429 && action.status < 500) fail([...at, 'status'], 'An injected error is 500–599 or 429')
  const resource = RESOURCE_ACTIONS.has(type)
  if (resource && type !== 'pg-terminate' && input.for === undefined) fail([...prefix, 'for'], `${type} holds a resource for a window: give \`for\` (e.g. "5s")`)
  if (resource && (input.match !== undefined || input.probability !== undefined || input.stage !== undefined)) {
    const field = input.match !== undefined ? 'match' : input.probability !== undefined ? 'probability' : 'stage'
    fail([...prefix, field], `${type} acts on the server's own Postgres or Redis for a window, not on matching requests`)
  }
  if (input.stage === 'after' && type === 'pg-slow') fail([...prefix, 'stage'], 'pg-slow slows the request\'s own queries: it runs before the handler')
  const forMs = input.for === undefined ? undefined : durationMs(input.for)
  if (forMs !== undefined && forMs <= 0) fail([...prefix, 'for'], '`for` must be longer than 0')
  const method = input.match?.method?.toUpperCase()
  const route = input.match?.route
  return {
    id: input.id ?? defaults.id,
    match: {
      ...(method && method !== '*' ? { method } : {}),
      ...(route !== undefined ? { routes: (Array.isArray(route) ? route : [route]).map(routePattern) } : {}),
      ...(input.match?.role ? { role: input.match.role } : {})
    },
    probability: input.probability ?? 1,
    afterMs: input.after === undefined ? 0 : durationMs(input.after),
    ...(forMs !== undefined ? { forMs } : {}),
    stage: input.stage ?? 'before',
    action,
    loadedAt: defaults.loadedAt,
    source: defaults.source,
    ...(defaults.schedule ? { schedule: defaults.schedule } : {}),
    input: { ...input, id: input.id ?? defaults.id }
  }
}

function contentId (item: unknown, index: number): string {
  return createHash('sha256').update(`${index}:${JSON.stringify(item)}`).digest('hex').slice(0, 10)
}

const ScheduleSchema = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  rules: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 200 })
}, { additionalProperties: false })

/** What POST /faults and FAULT_RULES take: a rule, an array of rules, or a schedule `{name, rules}`. */
export const RulesBodySchema = Type.Union([
  RuleSchema,
  Type.Array(RuleSchema, { maxItems: 200 }),
  Type.Object({ name: Type.String({ maxLength: 100 }), description: Type.Optional(Type.String({ maxLength: 2000 })), rules: Type.Array(RuleSchema, { maxItems: 200 }) })
], { description: 'A rule, an array of rules, or a schedule `{name, rules}` (every rule of one body counts `after` and `for` from the same instant)' })

/**
 * Parses a request body or FAULT_RULES value into rules, all loaded at `loadedAt` (so a schedule's
 * windows keep their offsets). A rule without an id gets one made from its content and place, so
 * the same rules posted in another run decide the same way (decisions depend on the id), and
 * posting them again replaces them.
 */
export function parseRules (body: unknown, opts: { loadedAt: number, source: Rule['source'], idPrefix: string }): Rule[] {
  let items: unknown[]
  let schedule: string | undefined
  let prefix: (string | number)[] = ['body']
  if (Array.isArray(body)) {
    items = body
  } else if (body !== null && typeof body === 'object' && 'rules' in body && !('action' in body)) {
    const issues = check(ScheduleSchema, body, ['body'])
    if (issues.length) throw new RuleError(issues)
    items = (body as { rules: unknown[] }).rules
    schedule = (body as unknown as { name: string }).name
    prefix = ['body', 'rules']
  } else {
    items = [body]
    prefix = []
  }
  if (items.length > 200) throw new RuleError([{ loc: ['body'], msg: 'At most 200 rules at once', type: 'too_long' }])
  const rules = items.map((item, i) => parseRule(item, prefix.length ? [...prefix, i] : ['body'], {
    id: `${opts.idPrefix}${contentId(item, i)}`, loadedAt: opts.loadedAt, source: opts.source, ...(schedule ? { schedule } : {})
  }))
  const seen = new Set<string>()
  rules.forEach((rule, i) => {
    if (seen.has(rule.id)) throw new RuleError([{ loc: [...(prefix.length ? [...prefix, i] : ['body']), 'id'], msg: `Duplicate rule id "${rule.id}"`, type: 'value_error' }])
    seen.add(rule.id)
  })
  return rules
}
