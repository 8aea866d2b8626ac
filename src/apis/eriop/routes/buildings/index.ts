import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../../../core/errors/index.js'
import { Building, BuildingListQuery } from '../../schemas/buildings.js'
import { IdParams, Page, authErrors, idErrors, pageOf } from '../../../../core/schemas/common.js'
import { createBuildingsRepository, toBuilding } from './repository.js'

const buildingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createBuildingsRepository(app.db, app.counts)
  app.addHook('onRequest', app.authenticate)

  app.get('/', {
    schema: { tags: ['buildings'], summary: 'Buildings by name, paginated', querystring: BuildingListQuery, response: { 200: Page(Building), ...authErrors } }
  }, async (request) => {
    const q = request.query
    const { rows, total } = await repo.list(request.user.agency_id, q)
    return pageOf(rows.map(toBuilding), total, q.page, q.page_size)
  })

  app.get('/:id', {
    schema: { tags: ['buildings'], params: IdParams, response: { 200: Building, ...idErrors } }
  }, async (request) => {
    const row = await repo.findById(request.user.agency_id, request.params.id)
    if (!row) throw new errors.NotFound('Building')
    return toBuilding(row)
  })
}

export default buildingsRoutes
