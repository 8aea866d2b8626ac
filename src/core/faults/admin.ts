import { createHash, timingSafeEqual } from 'node:crypto'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import { Type } from 'typebox'
import { VERSION } from '../../version.js'
import { errorHandler, errors, notFoundHandler } from '../errors/index.js'
import { ValidationIssue } from '../schemas/common.js'
import type { FaultEngine } from './engine.js'
import { parseRules, RuleError, RulesBodySchema, type Rule } from './rules.js'

export interface AdminOptions {
  token: string
  logger?: FastifyServerOptions['logger']
}

const ErrorBody = Type.Object({ detail: Type.String(), code: Type.String() })
const ValidationBody = Type.Object({ detail: Type.Array(ValidationIssue), code: Type.String() })
const RuleView = Type.Object({
  id: Type.String(),
  source: Type.String({ description: '`env` (FAULT_RULES, this process only) or `admin` (shared)' }),
  schedule: Type.Optional(Type.String()),
  loaded_at: Type.String({ description: 'When `after` and `for` start counting' }),
  rule: Type.Unknown({ description: 'The rule as given' })
})
const Injection = Type.Object({
  at: Type.String(),
  atMs: Type.Number(),
  rule: Type.String(),
  action: Type.String(),
  route: Type.String(),
  method: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
  stage: Type.Optional(Type.String()),
  detail: Type.Optional(Type.Unknown())
})

function view (rule: Rule) {
  return { id: rule.id, source: rule.source, ...(rule.schedule ? { schedule: rule.schedule } : {}), loaded_at: new Date(rule.loadedAt).toISOString(), rule: rule.input }
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * The admin API of the fault engine: its own Fastify instance, listened on ADMIN_PORT by
 * src/server.ts and never on the public port. Every call but the docs needs the bearer token.
 */
export async function buildAdminApp (engine: FaultEngine, opts: AdminOptions) {
  const admin = Fastify({ logger: opts.logger ?? false, bodyLimit: 1024 * 1024 }).withTypeProvider<TypeBoxTypeProvider>()
  admin.setErrorHandler(errorHandler)
  admin.setNotFoundHandler(notFoundHandler)
  admin.removeContentTypeParser('text/plain')

  const expected = digest(`Bearer ${opts.token}`)
  admin.addHook('onRequest', async (request) => {
    if (request.url === '/docs' || request.url.startsWith('/docs/')) return
    const given = request.headers.authorization
    if (!given) throw new errors.NotAuthenticated()
    // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first different byte.
    if (!timingSafeEqual(digest(given), expected)) throw new errors.InvalidToken()
  })

  await admin.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'eriop-target: faults admin API',
        version: VERSION,
        description: 'Faults and latency on demand (README, "Faults and latency"). Every call needs `Authorization: Bearer $ADMIN_TOKEN`.'
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }]
    }
  })
  await admin.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })

  const unauthorized = { 401: ErrorBody }

  admin.get('/faults', {
    schema: {
      summary: 'The seed and the rules in force in this process',
      response: { 200: Type.Object({ seed: Type.String(), shared: Type.Boolean(), rules: Type.Array(RuleView) }), ...unauthorized }
    }
  }, async () => ({ seed: engine.seed, shared: engine.store.shared, rules: engine.rules().map(view) }))

  admin.post('/faults', {
    schema: {
      summary: 'Add rules (shared with every process on the same Redis); rules with an id already in force replace them',
      body: RulesBodySchema,
      response: { 201: Type.Object({ ids: Type.Array(Type.String()), loaded_at: Type.String() }), 422: ValidationBody, ...unauthorized }
    },
    // The rule parser names the offending field precisely; the union schema above is for the docs.
    validatorCompiler: () => () => true
  }, async (request, reply) => {
    const loadedAt = Date.now()
    let rules: Rule[]
    try {
      rules = parseRules(request.body, { loadedAt, source: 'admin', idPrefix: 'rule-' })
    } catch (err) {
      if (!(err instanceof RuleError)) throw err
      return reply.code(422).send({ detail: err.issues, code: 'VALIDATION_ERROR' })
    }
    const targets = engine.lockTargetNames()
    for (const [i, rule] of rules.entries()) {
      if (rule.action.type !== 'pg-lock' || !rule.action.targets) continue
      const unknown = rule.action.targets.findIndex((t) => !targets.includes(t))
      if (unknown >= 0) {
        const at = Array.isArray(request.body) ? ['body', i] : request.body && typeof request.body === 'object' && 'rules' in request.body ? ['body', 'rules', i] : ['body']
        return reply.code(422).send({
          detail: [{ loc: [...at, 'action', 'targets', unknown], msg: `No lock target "${rule.action.targets[unknown]}": this API has ${targets.join(', ') || 'none'}`, type: 'value_error' }],
          code: 'VALIDATION_ERROR'
        })
      }
    }
    try {
      await engine.store.add(rules)
    } catch {
      throw new errors.Unavailable('Redis did not take the rules, retry shortly')
    }
    return reply.code(201).send({ ids: rules.map((r) => r.id), loaded_at: new Date(loadedAt).toISOString() })
  })

  admin.delete('/faults/:id', {
    schema: {
      summary: 'Remove one rule',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      response: { 204: Type.Null(), 404: ErrorBody, ...unauthorized }
    }
  }, async (request, reply) => {
    const env = engine.removeEnvRule(request.params.id)
    const shared = await engine.store.remove(request.params.id)
    if (!env && !shared) throw new errors.NotFound('Fault rule')
    return reply.code(204).send(null)
  })

  admin.delete('/faults', {
    schema: { summary: 'Remove every rule (FAULT_RULES ones in this process only)', response: { 204: Type.Null(), ...unauthorized } }
  }, async (_request, reply) => {
    engine.setEnvRules([])
    await engine.store.clear()
    return reply.code(204).send(null)
  })

  admin.get('/faults/log', {
    schema: {
      summary: 'The latest injections in this process, oldest first',
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }) }),
      response: { 200: Type.Object({ seed: Type.String(), entries: Type.Array(Injection) }), ...unauthorized }
    }
  }, async (request) => ({ seed: engine.seed, entries: engine.latest(request.query.limit) }))

  return admin
}

export type AdminApp = Awaited<ReturnType<typeof buildAdminApp>>
