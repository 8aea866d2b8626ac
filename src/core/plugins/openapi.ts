import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import fp from 'fastify-plugin'
import { VERSION } from '../../version.js'

export interface OpenApiOptions { title: string, description: string }

/** OpenAPI 3 generated from the route schemas: UI at /docs, the document at /docs/json. */
export default fp<OpenApiOptions>(async (app, { title, description }) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title, description, version: VERSION },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }
      }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } })
}, { name: 'openapi' })
