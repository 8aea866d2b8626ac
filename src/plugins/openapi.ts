import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'

/** OpenAPI 3 generated from the route schemas: UI at /docs, the document at /docs/json. */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'eriop-target',
        description: 'ERIOP emergency-response API re-implemented as a load-test target. Every /api/v1 route except login and refresh needs `Authorization: Bearer <access_token>`.',
        version: '0.1.0'
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }
      },
      tags: [
        { name: 'auth' }, { name: 'incidents' }, { name: 'alerts' }, { name: 'resources' },
        { name: 'buildings' }, { name: 'users' }, { name: 'agencies' }, { name: 'health' }
      ]
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })
}, { name: 'openapi' })
