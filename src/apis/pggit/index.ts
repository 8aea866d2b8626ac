// The PGGIT Phase 8 API (the original: FastAPI + asyncpg): webhooks, the alert-delivery queue,
// dashboards computed from the deliveries, a Redis response cache, deep health, and the raw
// WebSocket /ws/dashboard. A background simulator makes the deliveries happen.
import websocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import type { ApiModule } from '../../core/api.js'
import { VERSION } from '../../version.js'
import { ResponseCache } from './cache.js'
import { pggitFixture } from './fixture/store.js'
import { acceptEmptyJsonBodies, authenticateWith, fastApiErrorHandler, tokenReader } from './http.js'
import { DashboardHub } from './live/hub.js'
import liveRoutes from './live/routes.js'
import { PGGIT_MIGRATIONS } from './migrations.js'
import { RequestPerformance } from './performance.js'
import alertsRoutes from './routes/alerts/index.js'
import cacheRoutes from './routes/cache/index.js'
import dashboardRoutes from './routes/dashboard/index.js'
import healthRoutes from './routes/health/index.js'
import webhooksRoutes from './routes/webhooks/index.js'
import { createServices } from './services.js'
import { startSimulator } from './simulator/plugin.js'

/** The suite's token: `{"sub": "test-user", "exp": 9999999999}` signed with the text PLACEHOLDER. */
export const SUITE_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ0ZXN0LXVzZXIiLCJleHAiOjk5OTk5OTk5OTl9.PLACEHOLDER'

async function plugin (app: FastifyInstance) {
  const { config } = app
  // Before any route, so that it can refuse upgrades to routes that are not WebSocket routes.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  app.decorateRequest('pggitUser', null)

  const cache = new ResponseCache(app.redis, config.REDIS_KEY_PREFIX, config.PGGIT_CACHE_ENABLED, app.log)
  const performance = RequestPerformance.fromRegistry(app.metrics)
  await performance.start()
  app.addHook('onClose', async () => performance.stop())
  const hub = new DashboardHub(config.PGGIT_WS_MAX_BUFFER_BYTES)
  const services = createServices(app.db, { cache, performance, events: app.events, sockets: () => hub.size })
  const authenticate = authenticateWith(tokenReader({ verify: config.PGGIT_VERIFY_TOKENS ? (token) => app.jwt.verify(token) : undefined }))

  // Encapsulated: FastAPI's error shape and the empty-body JSON parser apply to these routes only.
  await app.register(async (api) => {
    api.setErrorHandler(fastApiErrorHandler)
    acceptEmptyJsonBodies(api)
    await api.register(healthRoutes, { services, version: VERSION })
    await api.register(async (authed) => {
      authed.addHook('onRequest', authenticate)
      await authed.register(webhooksRoutes, { prefix: '/api/v1/webhooks', services })
      await authed.register(alertsRoutes, { prefix: '/api/v1/alerts', services })
      await authed.register(dashboardRoutes, { prefix: '/api/v1/dashboard', services })
      await authed.register(cacheRoutes, { prefix: '/api/v1/cache', services })
      await authed.register(liveRoutes, {
        hub,
        services,
        metricsIntervalMs: config.PGGIT_WS_METRICS_INTERVAL_MS,
        heartbeatMs: config.PGGIT_WS_HEARTBEAT_MS,
        maxClients: config.PGGIT_WS_MAX_CLIENTS
      })
    })
  })

  await startSimulator(app)
}

export const pggit: ApiModule = {
  name: 'pggit',
  title: 'eriop-target: PGGIT Phase 8 API',
  description: 'pgGit Phase 8 webhook/alert API re-implemented as a load-test target. Every /api/v1 route and /ws/dashboard needs a bearer token ' +
    '(Authorization header, or ?token=); by default any well-formed HS256 JWT with a `sub` is accepted WITHOUT checking its signature ' +
    '(PGGIT_VERIFY_TOKENS=true checks it against the signing key: JWT_SECRET, or the one kept in the database).',
  migrations: PGGIT_MIGRATIONS,
  plugin,
  fixture: pggitFixture,
  onboarding (base) {
    return [
      'auth: bearer tokens are accepted WITHOUT signature verification (PGGIT_VERIFY_TOKENS=false, the default): any HS256 JWT with a `sub` is that user, ' +
        'so the published suite\'s placeholder token works; set PGGIT_VERIFY_TOKENS=true to verify signatures with the signing key (JWT_SECRET, or the one kept in the database)',
      `try: curl -s ${base}/api/v1/webhooks -H 'authorization: Bearer ${SUITE_TOKEN}'`,
      `Locust: locust -f loadtest/pggit/locustfile.py --host ${base} (its WebSocket user always connects to ws://localhost:8000)`
    ]
  }
}
