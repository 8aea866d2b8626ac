import { randomBytes as cryptoRandom } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { APPLICATION_NAME } from '../db/client.js'
import { redisAtStart } from '../plugins/redis.js'
import { breakConnection, dribble, type ConnectionFault } from './connection.js'
import { FaultEngine, type Fired } from './engine.js'
import { parseFaultHeaders } from './headers.js'
import { installSlowQueries, withSlowQueries } from './pg-slow.js'
import { sample } from './random.js'
import { parseRules, RuleError, type Action, type Rule } from './rules.js'
import { localStore, redisStore, type RuleStore } from './store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The fault engine; null when nothing can ask for faults (no FAULT_RULES, ADMIN_PORT or FAULT_HEADERS). */
    faults: FaultEngine | null
  }
}

export interface FaultsOptions {
  /** The API's row sets pg-lock can hold (ApiModule.faultLocks). */
  lockTargets?: Record<string, string>
  /** FAULT_RULES, already read (readFaultRules). */
  rules?: Rule[]
}

const DRIBBLE = Symbol('faults.dribble')
const FAULT_KEY_MAX = 200

type Marked = FastifyRequest & { [DRIBBLE]?: Fired }

/** FAULT_RULES: inline JSON (starts with `[` or `{`) or the path of a JSON file. */
export function readFaultRules (value: string, loadedAt: number) {
  const text = /^\s*[[{]/.test(value) ? value : readFileSync(value, 'utf8')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    throw new Error(`FAULT_RULES is not JSON: ${(err as Error).message}`)
  }
  try {
    return parseRules(body, { loadedAt, source: 'env', idPrefix: 'env-' })
  } catch (err) {
    if (err instanceof RuleError) throw new Error(`FAULT_RULES: ${err.message}`)
    throw err
  }
}

function errorBody (status: number): { detail: string, code: string } {
  if (status === 503) return { detail: 'Service unavailable, retry shortly', code: 'SERVICE_UNAVAILABLE' }
  if (status === 429) return { detail: 'Rate limit exceeded, retry in 1 second', code: 'RATE_LIMITED' }
  if (status === 500) return { detail: 'Internal Server Error', code: 'INTERNAL_ERROR' }
  return { detail: STATUS_CODES[status] ?? 'Server error', code: (STATUS_CODES[status] ?? 'SERVER_ERROR').toUpperCase().replace(/[^A-Z]+/g, '_') }
}

function errorHeaders (action: Extract<Action, { type: 'error' }>): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }
  if (action.status === 503 || action.status === 429) headers['retry-after'] = String(action.retryAfter ?? 1)
  return headers
}

/**
 * Faults on demand (README "Faults and latency"): request faults in hooks that every route of
 * every API passes through (matched on the route pattern, so an API needs no code of its own),
 * resource faults on the server's own Postgres and Redis, rules shared through Redis. When nothing
 * can ask for faults no hook is added; when something can but no rule exists, each hook is one check.
 */
export default fp<FaultsOptions>(async (app, opts) => {
  const { config } = app
  const enabled = config.FAULT_RULES !== undefined || config.ADMIN_PORT !== undefined || config.FAULT_HEADERS
  if (!enabled) {
    app.decorate('faults', null)
    return
  }
  const envRules = opts.rules ?? []

  let store: RuleStore = localStore()
  if (redisAtStart(app.redis).readyAtStart) {
    try {
      store = await redisStore(app.redis, config.REDIS_KEY_PREFIX, app.log)
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'fault rules kept in this process: Redis did not answer')
    }
  }
  const seed = config.FAULTS_SEED ?? await store.sharedSeed(cryptoRandom(8).toString('hex')).catch(() => cryptoRandom(8).toString('hex'))
  const counter = new Counter({
    name: 'faults_injected_total',
    help: 'Faults injected, by rule, action and route pattern (resource faults: route "*")',
    labelNames: ['rule', 'action', 'route'] as const,
    registers: [app.metrics]
  })
  const engine = new FaultEngine(seed, store, {
    databaseUrl: config.DATABASE_URL!,
    pool: app.db.$client,
    applicationName: APPLICATION_NAME,
    redis: app.redis,
    lockTargets: opts.lockTargets ?? {},
    log: app.log
  }, counter, app.log)
  let slowInstalled = false
  engine.onPgSlow = () => {
    if (slowInstalled) return
    slowInstalled = true
    installSlowQueries(app.db.$client)
  }
  engine.setEnvRules(envRules)
  app.decorate('faults', engine)
  app.log.info({ seed, rules: engine.rules().length, shared: store.shared, headers: config.FAULT_HEADERS },
    `faults on: seed ${seed}, ${envRules.length} rule(s) from FAULT_RULES, rules ${store.shared ? 'shared through Redis' : 'kept in this process'}`)

  const hung = new Set<Socket>()
  app.addHook('preClose', async () => { for (const s of hung) s.destroy() })
  app.addHook('onClose', async () => { await engine.close() })

  const headersOn = config.FAULT_HEADERS
  const keyOf = (request: FastifyRequest): string | undefined => {
    const key = request.headers['x-fault-key']
    return typeof key === 'string' && key.length > 0 ? key.slice(0, FAULT_KEY_MAX) : undefined
  }
  /** What rules match on: the same facts before the handler and after it. */
  const factsOf = (request: FastifyRequest) => ({ method: request.method, route: request.routeOptions.url, role: (request as { user?: { role?: string } }).user?.role, key: keyOf(request) })
  const record = (request: FastifyRequest, f: Fired, detail?: Record<string, unknown>) => {
    engine.record({ rule: f.rule.id, action: f.action.type, route: request.routeOptions.url ?? 'unmatched', method: request.method, key: f.key, stage: f.rule.stage, ...(detail ? { detail } : {}) })
  }
  const delayOf = (f: Fired): number => {
    const a = f.action as Extract<Action, { type: 'delay' }>
    return Math.round(a.ms ?? sample(a.distribution!, f.rng()))
  }
  const breakWith = (request: FastifyRequest, reply: FastifyReply, f: Fired) => {
    reply.hijack()
    const bytes = f.action.type === 'garbage' ? f.action.bytes ?? 512 : 0
    breakConnection(request.raw.socket, f.action.type as ConnectionFault, f.rng(), bytes, hung)
  }

  function beforeFaults (request: FastifyRequest): Fired[] {
    const facts = factsOf(request)
    if (headersOn) {
      const asked = parseFaultHeaders(request.headers)
      if (asked) {
        const d = engine.decideHeader(asked.probability, facts.key)
        return d.fire ? asked.actions.map((action) => ({ rule: { id: 'header', stage: 'before' as const }, action, key: d.key, rng: d.rng })) : []
      }
    }
    if (!engine.requestRules) return []
    const fired = engine.decide('before', facts)
    return facts.role === undefined ? fired : [...fired, ...engine.decide('role', facts)]
  }

  /**
   * What the rules that fired at one stage do together: their delays add up (each recorded), the
   * first error or connection fault ends the request, the first dribble and pg-slow apply.
   */
  const combine = (request: FastifyRequest, fired: Fired[]) => {
    let wait = 0
    let slow: number | undefined
    let dribbled: Fired | undefined
    let terminal: Fired | undefined
    for (const f of fired) {
      if (f.action.type === 'delay') {
        const ms = delayOf(f)
        wait += ms
        record(request, f, { ms })
      } else if (f.action.type === 'pg-slow') {
        slow ??= f.action.ms
        record(request, f, { ms: f.action.ms })
      } else if (f.action.type === 'dribble') {
        dribbled ??= f
      } else {
        terminal ??= f
      }
    }
    return { wait, slow, dribbled, terminal }
  }

  app.addHook('preHandler', (request, reply, done) => {
    if (!engine.requestRules && !headersOn) return done()
    let fired: Fired[]
    try {
      fired = beforeFaults(request)
    } catch (err) {
      return done(err as Error)
    }
    if (fired.length === 0) return done()
    const { wait, slow, dribbled, terminal } = combine(request, fired)
    if (dribbled) (request as Marked)[DRIBBLE] = dribbled
    const go = () => {
      if (terminal) {
        record(request, terminal, terminal.action.type === 'error' ? { status: terminal.action.status } : undefined)
        if (terminal.action.type === 'error') {
          reply.code(terminal.action.status).headers(errorHeaders(terminal.action)).serializer(JSON.stringify).send(errorBody(terminal.action.status))
        } else {
          breakWith(request, reply, terminal)
        }
        return
      }
      if (slow !== undefined) withSlowQueries({ ms: slow, spent: false }, done)
      else done()
    }
    if (wait > 0) setTimeout(go, wait)
    else go()
  })

  app.addHook('onSend', (request, reply, payload, done) => {
    const planned = (request as Marked)[DRIBBLE]
    if (!engine.requestRules && planned === undefined) return done(null, payload)
    const fired = reply.statusCode < 400 && engine.requestRules
      ? engine.decide('after', factsOf(request))
      : []
    if (planned) fired.push(planned)
    if (fired.length === 0) return done(null, payload)
    const { wait, dribbled: slowBody, terminal } = combine(request, fired)
    const go = () => {
      if (terminal?.action.type === 'error') {
        record(request, terminal, { status: terminal.action.status })
        reply.code(terminal.action.status).headers(errorHeaders(terminal.action))
        return done(null, JSON.stringify(errorBody(terminal.action.status)))
      }
      if (terminal) {
        record(request, terminal)
        // The handler's work is done; its answer is lost with the connection. Fastify never writes it.
        breakWith(request, reply, terminal)
        return
      }
      if (slowBody && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
        const a = slowBody.action as Extract<Action, { type: 'dribble' }>
        record(request, slowBody, { chunks: a.chunks, ms: a.ms })
        reply.header('content-length', String(Buffer.byteLength(payload)))
        return done(null, dribble(payload, a.chunks, a.ms))
      }
      done(null, payload)
    }
    if (wait > 0) setTimeout(go, wait)
    else go()
  })
}, { name: 'faults', dependencies: ['config', 'db', 'redis', 'metrics'] })
