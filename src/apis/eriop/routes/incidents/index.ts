import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errors, settle } from '../../../../core/errors/index.js'
import { CappedListQuery, ErrorResponse, IdParams, Page, authErrors, idErrors, pageOf } from '../../../../core/schemas/common.js'
import { AssignBody, Incident, IncidentCreate, IncidentListQuery, IncidentUpdate } from '../../schemas/incidents.js'
import { createIncidentsRepository, toIncident } from './repository.js'
import { envelope } from '../../live.js'

const incidentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createIncidentsRepository(app.db, app.counts)
  const canWrite = app.requireRole('dispatcher', 'admin')
  app.addHook('onRequest', app.authenticate)

  app.get('/active', {
    schema: {
      tags: ['incidents'],
      summary: 'Active incidents (new, assigned, en_route, on_scene), priority then newest first — a bare array',
      querystring: CappedListQuery,
      response: { 200: Type.Array(Incident), ...authErrors }
    }
  }, async (request, reply) => {
    const agencyId = request.user.agency_id
    const { limit } = request.query
    return app.listCache.send(reply, 'incidents:active', agencyId, String(limit),
      async () => (await repo.listActive(agencyId, limit)).map(toIncident))
  })

  app.get('/', {
    schema: {
      tags: ['incidents'],
      summary: 'Incidents, newest first, paginated',
      querystring: IncidentListQuery,
      response: { 200: Page(Incident), ...authErrors }
    }
  }, async (request) => {
    const q = request.query
    const { rows, total } = await repo.list(request.user.agency_id, q)
    return pageOf(rows.map(toIncident), total, q.page, q.page_size)
  })

  app.get('/:id', {
    schema: { tags: ['incidents'], params: IdParams, response: { 200: Incident, ...idErrors } }
  }, async (request) => {
    const row = await repo.findById(request.user.agency_id, request.params.id)
    if (!row) throw new errors.NotFound('Incident')
    return toIncident(row)
  })

  app.post('/', {
    preValidation: canWrite,
    schema: {
      tags: ['incidents'],
      summary: 'Report an incident; its number comes from a database sequence',
      body: IncidentCreate,
      response: { 201: Incident, 403: ErrorResponse, 404: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, ...authErrors }
    }
  }, async (request, reply) => {
    const row = settle(await repo.create(request.user.agency_id, request.user.sub, request.body))
    app.listCache.invalidate(request.user.agency_id, 'incidents:active')
    const incident = toIncident(row)
    app.events.publish('incident:created', [envelope(request.user.agency_id, incident)])
    return reply.code(201).send(incident)
  })

  app.patch('/:id', {
    preValidation: canWrite,
    schema: {
      tags: ['incidents'],
      summary: 'Change status (checked transitions), priority, title, description or notes',
      params: IdParams,
      body: IncidentUpdate,
      response: { 200: Incident, 403: ErrorResponse, 409: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const row = settle(await repo.update(request.user.agency_id, request.params.id, request.body))
    app.listCache.invalidate(request.user.agency_id, 'incidents:active')
    const incident = toIncident(row)
    app.events.publish('incident:updated', [envelope(request.user.agency_id, incident)])
    return incident
  })

  app.post('/:id/assign', {
    preValidation: canWrite,
    schema: {
      tags: ['incidents'],
      summary: 'Assign available resources to the incident (marks them assigned)',
      params: IdParams,
      body: AssignBody,
      response: { 200: Incident, 403: ErrorResponse, 409: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const row = settle(await repo.assign(request.user.agency_id, request.params.id, request.body.resource_ids))
    app.listCache.invalidate(request.user.agency_id, 'incidents:active', 'resources:available')
    const incident = toIncident(row)
    app.events.publish('incident:updated', [envelope(request.user.agency_id, incident)])
    return incident
  })
}

export default incidentsRoutes
