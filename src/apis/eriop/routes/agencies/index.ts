import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../../../core/errors/index.js'
import { IdParams, idErrors } from '../../../../core/schemas/common.js'
import { Agency } from '../../schemas/users.js'
import { createAgenciesRepository, type AgencyRow } from './repository.js'

function toAgency (row: AgencyRow) {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    description: row.description,
    address: row.address,
    phone: row.phone,
    email: row.email,
    is_active: row.isActive,
    created_at: row.createdAt
  }
}

const agenciesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createAgenciesRepository(app.db)
  app.addHook('onRequest', app.authenticate)

  app.get('/current', {
    schema: { tags: ['agencies'], summary: 'The caller\'s agency', response: { 200: Agency, ...idErrors } }
  }, async (request) => {
    const row = await repo.findById(request.user.agency_id)
    if (!row) throw new errors.NotFound('Agency')
    return toAgency(row)
  })

  // Only the caller's own agency exists from its point of view: any other id is a 404.
  app.get('/:id', {
    schema: { tags: ['agencies'], params: IdParams, response: { 200: Agency, ...idErrors } }
  }, async (request) => {
    const row = request.params.id.toLowerCase() === request.user.agency_id ? await repo.findById(request.params.id) : undefined
    if (!row) throw new errors.NotFound('Agency')
    return toAgency(row)
  })
}

export default agenciesRoutes
