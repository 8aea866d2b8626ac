// The ERIOP emergency-response API: incidents, alerts (with the group-commit ingest path),
// resources, buildings, users, agencies. Routes are registered in this order, one line per domain.
import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { ApiModule } from '../../core/api.js'
import livePlugin from '../../core/live/plugin.js'
import listCachePlugin from '../../core/plugins/list-cache.js'
import { VERSION } from '../../version.js'
import { agencies } from './db/schema/index.js'
import { loadCredentials } from './fixture/export.js'
import { DEFAULT_AGENCY_CODE, FIXTURE_PASSWORD, fixtureEmail, fixtureIdentity } from './fixture/fixture.js'
import { cleanFixture, fixtureStatus, seedFixture } from './fixture/store.js'
import { verifyFixture } from './fixture/verify.js'
import ingestPlugin from './ingest/plugin.js'
import { liveOptions } from './live.js'
import { ERIOP_MIGRATIONS } from './migrations.js'
import agenciesRoutes from './routes/agencies/index.js'
import alertsRoutes from './routes/alerts/index.js'
import authRoutes from './routes/auth/index.js'
import buildingsRoutes from './routes/buildings/index.js'
import healthRoutes from './routes/health/index.js'
import incidentsRoutes from './routes/incidents/index.js'
import resourcesRoutes from './routes/resources/index.js'
import usersRoutes from './routes/users/index.js'

async function plugin (app: FastifyInstance) {
  await app.register(ingestPlugin)
  await app.register(listCachePlugin)
  // Socket.IO at /socket.io/ on this port: the routes' and the ingest writer's events, as the original pushes them.
  await app.register(livePlugin, liveOptions)

  await app.register(healthRoutes, { version: VERSION })
  await app.register(authRoutes, { prefix: '/api/v1/auth' })
  await app.register(incidentsRoutes, { prefix: '/api/v1/incidents' })
  await app.register(alertsRoutes, { prefix: '/api/v1/alerts' })
  await app.register(resourcesRoutes, { prefix: '/api/v1/resources' })
  await app.register(buildingsRoutes, { prefix: '/api/v1/buildings' })
  await app.register(usersRoutes, { prefix: '/api/v1/users' })
  await app.register(agenciesRoutes, { prefix: '/api/v1/agencies' })
}

const standard = fixtureIdentity(DEFAULT_AGENCY_CODE)
const FIXTURE_LOGIN = { email: fixtureEmail(standard, 'dispatcher', 1), password: FIXTURE_PASSWORD }

export const eriop: ApiModule = {
  name: 'eriop',
  title: 'eriop-target: ERIOP',
  description: 'ERIOP emergency-response API re-implemented as a load-test target. Every /api/v1 route except login and refresh needs `Authorization: Bearer <access_token>`.',
  migrations: ERIOP_MIGRATIONS,
  plugin,
  fixture: {
    present: async (db) => (await fixtureStatus(db)).exists,
    empty: async (db) => (await db.execute<{ empty: boolean }>(sql`select not exists (select 1 from ${agencies}) as empty`)).rows[0].empty,
    seed: async (db) => (await seedFixture(db, { ifMissing: true })).written,
    clean: async (db) => (await cleanFixture(db)).removed,
    verify: async (db) => verifyFixture(db),
    export: async (db) => (await loadCredentials(db)).map((row) => ({ ...row }))
  },
  // What the seed's dispatchers touch first (the heads of GET /alerts/pending and /incidents/active),
  // and the agencies every insert's foreign key takes a share lock on (so ingest waits too).
  faultLocks: {
    'pending-alerts': "SELECT id FROM alerts WHERE status = 'pending' ORDER BY severity, created_at DESC LIMIT 500",
    'active-incidents': "SELECT id FROM incidents WHERE status IN ('new', 'assigned', 'en_route', 'on_scene') ORDER BY priority, created_at DESC LIMIT 500",
    agencies: 'SELECT id FROM agencies'
  },
  onboarding (base) {
    return [
      `log in: curl -s -X POST ${base}/api/v1/auth/login -H 'content-type: application/json' -d '${JSON.stringify(FIXTURE_LOGIN)}'`,
      `Locust: locust -f loadtest/eriop/locustfile.py --host ${base} (fixture users dispatcher1..100, responder1..200, alertsystem1..50 @${standard.emailDomain}, password ${FIXTURE_PASSWORD})`
    ]
  }
}
