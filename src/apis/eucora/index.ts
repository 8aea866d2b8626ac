// EUCORA, the deployment-governance API (a Django REST framework original): token login,
// deployment intents scored for risk, the CAB approval queue, and publishing to the execution
// planes' connectors. It speaks DRF's wire format: form or JSON bodies, paths with or without
// the trailing slash, `{"detail": …}` errors. Routes are registered in this order, one line per domain.
import type { FastifyInstance } from 'fastify'
import type { ApiModule } from '../../core/api.js'
import { drfBodies } from './drf/form.js'
import { drfErrorHandler, drfNotFoundHandler } from './drf/handler.js'
import { drfValidatorCompiler } from './drf/validation.js'
import { FIXTURE_PASSWORD, FIXTURE_USERS } from './fixture/data.js'
import { eucoraFixture } from './fixture/index.js'
import { EUCORA_MIGRATIONS } from './migrations.js'
import authRoutes from './routes/auth/index.js'
import cabRoutes from './routes/cab/index.js'
import connectorsRoutes from './routes/connectors/index.js'
import deploymentsRoutes from './routes/deployments/index.js'
import healthRoutes from './routes/health/index.js'

/** EUCORA_PROVISION_PATTERN as a regular expression; empty turns provisioning off. */
export function provisionPattern (pattern: string): RegExp | undefined {
  if (pattern === '') return undefined
  try {
    return new RegExp(pattern)
  } catch (err) {
    throw new Error(`EUCORA_PROVISION_PATTERN is not a valid regular expression: ${(err as Error).message}`)
  }
}

async function plugin (app: FastifyInstance) {
  const pattern = provisionPattern(app.config.EUCORA_PROVISION_PATTERN)
  // Encapsulated, so DRF's error shape, validation messages and form bodies stay this API's own.
  await app.register(async (api) => {
    api.setErrorHandler(drfErrorHandler)
    api.setValidatorCompiler(drfValidatorCompiler())
    await drfBodies(api)

    await api.register(healthRoutes)
    await api.register(async (v1) => {
      v1.setNotFoundHandler(drfNotFoundHandler)
      await v1.register(authRoutes, { prefix: '/auth', provisionPattern: pattern })
      await v1.register(deploymentsRoutes, { prefix: '/deployments' })
      await v1.register(cabRoutes, { prefix: '/cab' })
      await v1.register(connectorsRoutes, { prefix: '/connectors' })
    }, { prefix: '/api/v1' })
  })
}

const SUBMITTER = FIXTURE_USERS[0].username

export const eucora: ApiModule = {
  name: 'eucora',
  title: 'eriop-target: EUCORA',
  description: 'EUCORA deployment-governance API (Django REST framework original) re-implemented as a load-test target. ' +
    'Bodies may be JSON or form-encoded; every path answers with and without its trailing slash. Every /api/v1 route except ' +
    'login and health needs `Authorization: Bearer <token>` (or `Token <token>`).',
  migrations: EUCORA_MIGRATIONS,
  plugin,
  fixture: eucoraFixture,
  onboarding (base) {
    return [
      `log in: curl -s -X POST ${base}/api/v1/auth/login/ -d username=${SUBMITTER} -d password=${FIXTURE_PASSWORD}`,
      `Locust: locust -f loadtest/eucora/locustfile.py --host ${base} (users ${FIXTURE_USERS.map((u) => u.username).join(', ')} and burst_user_<8 hex>, password ${FIXTURE_PASSWORD})`
    ]
  }
}
