import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errors } from '../../../../core/errors/index.js'
import { ErrorResponse, IdParams, Page, authErrors, idErrors, pageOf } from '../../../../core/schemas/common.js'
import { AvailableQuery, Resource, ResourceListQuery, ResourceUpdate } from '../../schemas/resources.js'
import { createResourcesRepository, toResource } from './repository.js'
import { envelope } from '../../live.js'

const resourcesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createResourcesRepository(app.db, app.counts)
  app.addHook('onRequest', app.authenticate)

  app.get('/available', {
    schema: {
      tags: ['resources'],
      summary: 'Available resources by call sign — a bare array',
      querystring: AvailableQuery,
      response: { 200: Type.Array(Resource), ...authErrors }
    }
  }, async (request, reply) => {
    const agencyId = request.user.agency_id
    const q = request.query
    return app.listCache.send(reply, 'resources:available', agencyId, `${q.limit}\n${q.resource_type ?? ''}`,
      async () => (await repo.listAvailable(agencyId, q)).map(toResource))
  })

  app.get('/', {
    schema: { tags: ['resources'], querystring: ResourceListQuery, response: { 200: Page(Resource), ...authErrors } }
  }, async (request) => {
    const q = request.query
    const { rows, total } = await repo.list(request.user.agency_id, q)
    return pageOf(rows.map(toResource), total, q.page, q.page_size)
  })

  app.get('/:id', {
    schema: { tags: ['resources'], params: IdParams, response: { 200: Resource, ...idErrors } }
  }, async (request) => {
    const row = await repo.findById(request.user.agency_id, request.params.id)
    if (!row) throw new errors.NotFound('Resource')
    return toResource(row)
  })

  app.patch('/:id', {
    preValidation: app.requireRole('dispatcher', 'admin', 'responder'),
    schema: {
      tags: ['resources'],
      summary: 'Update status (`dispatched` is stored as `assigned`) or position',
      params: IdParams,
      body: ResourceUpdate,
      response: { 200: Resource, 403: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const row = await repo.update(request.user.agency_id, request.params.id, request.body)
    if (!row) throw new errors.NotFound('Resource')
    app.listCache.invalidate(request.user.agency_id, 'resources:available')
    const resource = toResource(row)
    app.events.publish('resource:updated', [envelope(request.user.agency_id, resource)])
    return resource
  })
}

export default resourcesRoutes
