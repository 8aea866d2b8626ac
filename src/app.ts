import { createRequire } from 'node:module'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { Config } from './config.js'
import { clientErrorHandler, errorHandler, frameworkErrorHandler, notFoundHandler } from './errors.js'
import authPlugin from './plugins/auth.js'
import configPlugin from './plugins/config.js'
import dbPlugin from './plugins/db.js'
import eventsPlugin from './plugins/events.js'
import ingestPlugin from './plugins/ingest.js'
import listCachePlugin from './plugins/list-cache.js'
import metricsPlugin from './plugins/metrics.js'
import openapiPlugin from './plugins/openapi.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import redisPlugin from './plugins/redis.js'
import { redactUrlPasswords } from './redact.js'
import agenciesRoutes from './routes/agencies/index.js'
import alertsRoutes from './routes/alerts/index.js'
import authRoutes from './routes/auth/index.js'
import buildingsRoutes from './routes/buildings/index.js'
import healthRoutes from './routes/health/index.js'
import incidentsRoutes from './routes/incidents/index.js'
import resourcesRoutes from './routes/resources/index.js'
import usersRoutes from './routes/users/index.js'

export const VERSION: string = createRequire(import.meta.url)('../package.json').version

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
}

/**
 * Human-readable lines (pino-pretty) when a person is watching a terminal; JSON everywhere else
 * (files, pipes, containers, log collectors), which is what machines parse. Every line, whatever
 * wrote it, goes through redactUrlPasswords: a connection string never leaks its password.
 */
export function loggerOptions (config: Config, terminal: boolean = process.stdout.isTTY === true): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.hashedPassword', '*.refresh_token'],
    hooks: { streamWrite: redactUrlPasswords },
    ...(terminal ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {})
  }
}

/**
 * Bodies are validated strictly (no type coercion: `"3"` is not a priority), while query
 * strings and path parameters are coerced from text, as they must be.
 */
function validatorCompilers () {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false })
    addFormats.default(ajv)
    return ajv
  }
  const body = make(false)
  const other = make('array')
  return ({ schema, httpPart }: { schema: object, httpPart?: string }) =>
    (httpPart === 'body' ? body : other).compile(schema)
}

export async function buildApp (config: Config, opts: BuildOptions = {}) {
  const app = Fastify({
    logger: opts.logger ?? loggerOptions(config),
    bodyLimit: config.BODY_LIMIT,
    requestTimeout: 30_000,
    // Answered by the onRequest hook below instead, in the contract's error shape.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    trustProxy: config.TRUST_PROXY,
    // The router's and Node's HTTP parser's refusals answer in the contract's shape too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(validatorCompilers())
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain')
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(notFoundHandler)

  // While draining, requests still arriving on open keep-alive connections get a 503 the clients
  // know how to retry, and the connection is closed behind it. Node would otherwise keep an idle
  // keep-alive connection open until keepAliveTimeout (72 s), longer than the grace delay: reap
  // them as they go idle, so close() ends once the last accepted request has been answered.
  let closing = false
  let reaper: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    closing = true
    reaper = setInterval(() => app.server.closeIdleConnections(), 50)
    reaper.unref()
  })
  app.addHook('onClose', async () => { clearInterval(reaper) })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    return reply.code(503).headers({ 'retry-after': '1', connection: 'close' })
      .send({ detail: 'Server is shutting down, retry shortly', code: 'SHUTTING_DOWN' })
  })

  await app.register(configPlugin, { config })
  await app.register(openapiPlugin)
  await app.register(dbPlugin)
  await app.register(redisPlugin)
  await app.register(eventsPlugin)
  await app.register(metricsPlugin)
  await app.register(authPlugin)
  await app.register(rateLimitPlugin)
  await app.register(ingestPlugin)
  await app.register(listCachePlugin)

  await app.register(healthRoutes, { version: VERSION })
  await app.register(authRoutes, { prefix: '/api/v1/auth' })
  await app.register(incidentsRoutes, { prefix: '/api/v1/incidents' })
  await app.register(alertsRoutes, { prefix: '/api/v1/alerts' })
  await app.register(resourcesRoutes, { prefix: '/api/v1/resources' })
  await app.register(buildingsRoutes, { prefix: '/api/v1/buildings' })
  await app.register(usersRoutes, { prefix: '/api/v1/users' })
  await app.register(agenciesRoutes, { prefix: '/api/v1/agencies' })

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
