import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from './config.js'
import { clientErrorHandler, errorHandler, frameworkErrorHandler, notFoundHandler } from './core/errors/index.js'
import { loadApi } from './apis/index.js'
import { validatorCompilers } from './core/validation.js'
import authPlugin from './core/plugins/auth.js'
import configPlugin from './core/plugins/config.js'
import dbPlugin from './core/plugins/db.js'
import eventsPlugin from './core/plugins/events.js'
import faultsPlugin, { readFaultRules } from './core/faults/plugin.js'
import metricsPlugin from './core/plugins/metrics.js'
import openapiPlugin from './core/plugins/openapi.js'
import rateLimitPlugin from './core/plugins/rate-limit.js'
import redisPlugin from './core/plugins/redis.js'
import { redactUrlPasswords } from './core/redact.js'

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

export async function buildApp (config: Config, opts: BuildOptions = {}) {
  // Read before anything opens, so a bad rule stops the start without leaving connections behind.
  const faultRules = config.FAULT_RULES !== undefined ? readFaultRules(config.FAULT_RULES, Date.now()) : []
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

  const api = await loadApi(config.API)
  try {
    await app.register(configPlugin, { config })
    await app.register(openapiPlugin, { title: api.title, description: api.description })
    await app.register(dbPlugin)
    await app.register(redisPlugin)
    await app.register(eventsPlugin)
    await app.register(metricsPlugin)
    await app.register(authPlugin)
    await app.register(rateLimitPlugin)
    await app.register(faultsPlugin, { lockTargets: api.faultLocks, rules: faultRules })

    // The selected API (src/apis/<name>/): its routes and its own plugins. Not encapsulated: a
    // process serves one API, whose decorators (the ingest writer, say) tests and hooks can reach.
    await app.register(fp(api.plugin, { name: `api:${api.name}` }))
  } catch (err) {
    // A plugin that fails (the signing key unreadable, say) must not leave the pool, Redis and
    // timers the earlier ones opened behind: the caller never gets an app to close.
    await app.close().catch(() => {})
    throw err
  }

  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
