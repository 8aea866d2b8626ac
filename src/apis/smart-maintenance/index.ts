// The smart-maintenance API (its original: a FastAPI service): sensor-reading ingest on the shared
// group-commit writer, a sensor's recent readings, predictions computed from them, health and
// metrics. No auth by default; an optional X-API-Key and per-key limit. Routes in this order.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiModule } from '../../core/api.js'
import { errorHandler } from '../../core/errors/index.js'
import { toValidationIssues, type AjvIssue } from '../../core/errors/validation.js'
import { VERSION } from '../../version.js'
import { apiKeyHook, apiRouteConfig } from './access.js'
import { FIXTURE_SENSORS } from './fixture/history.js'
import { cleanFixture, exportSensors, fixturePresent, seedFixture, tablesEmpty, verifyFixture } from './fixture/store.js'
import ingestPlugin from './ingest/plugin.js'
import { SMART_MAINTENANCE_MIGRATIONS } from './migrations.js'
import dataRoutes from './routes/data/index.js'
import healthRoutes from './routes/health/index.js'
import metricsRoutes from './routes/metrics/index.js'
import mlRoutes from './routes/ml/index.js'

/**
 * FastAPI answers a bad path parameter like any other validation error (422 with its loc), not
 * with the core's "invalid UUID" 400: this API's path parameters are sensor ids.
 */
function smartMaintenanceErrors (err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (err.validation && err.validationContext === 'params') {
    return reply.code(422).send({ detail: toValidationIssues('params', err.validation as AjvIssue[]), code: 'VALIDATION_ERROR' })
  }
  return errorHandler(err, request, reply)
}

async function plugin (app: FastifyInstance) {
  await app.register(ingestPlugin)
  const routeConfig = await apiRouteConfig(app)

  await app.register(async (api) => {
    api.setErrorHandler(smartMaintenanceErrors)
    await api.register(healthRoutes, { version: VERSION })
    await api.register(async (v1) => {
      if (app.config.SMART_MAINTENANCE_API_KEY !== '') v1.addHook('onRequest', apiKeyHook(app.config.SMART_MAINTENANCE_API_KEY))
      await v1.register(dataRoutes, { prefix: '/data', routeConfig })
      await v1.register(mlRoutes, { prefix: '/ml', routeConfig })
      await v1.register(metricsRoutes, { routeConfig, version: VERSION })
    }, { prefix: '/api/v1' })
  })
}

export const smartMaintenance: ApiModule = {
  name: 'smart-maintenance',
  title: 'eriop-target: smart-maintenance',
  description: 'The smart-maintenance SaaS API re-implemented as a load-test target: sensor-reading ingest (durable before the answer), ' +
    'recent readings, predictions computed from the stored readings, health and metrics. No auth unless SMART_MAINTENANCE_API_KEY is set ' +
    '(then send it as `X-API-Key`).',
  migrations: SMART_MAINTENANCE_MIGRATIONS,
  plugin,
  fixture: {
    present: fixturePresent,
    empty: tablesEmpty,
    seed: seedFixture,
    clean: cleanFixture,
    verify: verifyFixture,
    export: exportSensors
  },
  onboarding (base) {
    return [
      `ingest: curl -s -X POST ${base}/api/v1/data/ingest -H 'content-type: application/json' -d '{"sensor_id":"sensor_001","value":42.5,"sensor_type":"temperature","unit":"°C"}'`,
      `Locust: locust -f loadtest/smart-maintenance/locustfile.py --host ${base} (fixture sensors ${FIXTURE_SENSORS.map((s) => s.sensorId).slice(0, 4).join(', ')}, stress_sensor_1..10)`
    ]
  }
}
