import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errors } from '../../errors.js'
import {
  AcknowledgeBody, Alert, AlertIngest, AlertIngestBatch, AlertListQuery, DismissBody,
  IdempotencyHeaders, IngestAccepted, IngestBatchAccepted
} from '../../schemas/alerts.js'
import { CappedListQuery, ErrorResponse, IdParams, Page, authErrors, idErrors, pageOf } from '../../schemas/common.js'
import { createAlertsRepository, toAlert, toAlertRow } from './repository.js'

const writeErrors = { 403: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, ...authErrors }

const alertsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createAlertsRepository(app.db)
  const canIngest = app.requireRole('alert_system', 'dispatcher', 'admin')
  const canTriage = app.requireRole('dispatcher', 'admin')
  app.addHook('onRequest', app.authenticate)

  app.post('/ingest', {
    preHandler: canIngest,
    logLevel: 'warn',
    schema: {
      tags: ['alerts'],
      summary: 'Ingest one alert; answered 201 only once the row is committed',
      headers: IdempotencyHeaders,
      body: AlertIngest,
      response: { 200: IngestAccepted, 201: IngestAccepted, ...writeErrors }
    }
  }, async (request, reply) => {
    const { user } = request
    const key = request.headers['idempotency-key'] ?? null
    const accepted = await app.ingest.submit(toAlertRow(request.body, {
      agencyId: user.agency_id, userId: user.sub, receivedAt: new Date(), idempotencyKey: key
    }))
    if (accepted.replayed) reply.code(200).header('idempotent-replayed', 'true')
    else reply.code(201)
    return { id: accepted.id, status: 'pending' as const, received_at: accepted.receivedAt }
  })

  app.post('/ingest/batch', {
    preHandler: canIngest,
    logLevel: 'warn',
    schema: {
      tags: ['alerts'],
      summary: 'Ingest up to 500 alerts in one transaction; ids in request order',
      body: AlertIngestBatch,
      response: { 201: IngestBatchAccepted, ...writeErrors }
    }
  }, async (request, reply) => {
    const { user } = request
    const receivedAt = new Date()
    const accepted = await app.ingest.submitBatch(request.body.map((alert) => toAlertRow(alert, {
      agencyId: user.agency_id, userId: user.sub, receivedAt
    })))
    return reply.code(201).send({ ids: accepted.map((a) => a.id), count: accepted.length, received_at: receivedAt })
  })

  app.get('/pending', {
    schema: {
      tags: ['alerts'],
      summary: 'Pending alerts, critical first then newest — a bare array',
      querystring: CappedListQuery,
      response: { 200: Type.Array(Alert), ...authErrors }
    }
  }, async (request) => (await repo.listPending(request.user.agency_id, request.query.limit)).map(toAlert))

  app.get('/', {
    schema: {
      tags: ['alerts'],
      summary: 'Alerts, newest first, paginated',
      querystring: AlertListQuery,
      response: { 200: Page(Alert), ...authErrors }
    }
  }, async (request) => {
    const q = request.query
    const { rows, total } = await repo.list(request.user.agency_id, q)
    return pageOf(rows.map(toAlert), total, q.page, q.page_size)
  })

  app.get('/:id', {
    schema: { tags: ['alerts'], params: IdParams, response: { 200: Alert, ...idErrors } }
  }, async (request) => {
    const row = await repo.findById(request.user.agency_id, request.params.id)
    if (!row) throw new errors.NotFound('Alert')
    return toAlert(row)
  })

  app.post('/:id/acknowledge', {
    preHandler: canTriage,
    schema: {
      tags: ['alerts'],
      params: IdParams,
      body: Type.Optional(AcknowledgeBody),
      response: { 200: Alert, 403: ErrorResponse, 409: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const { user } = request
    return toAlert(await repo.acknowledge(user.agency_id, request.params.id, user.sub, request.body?.notes ?? null))
  })

  app.post('/:id/dismiss', {
    preHandler: canTriage,
    schema: {
      tags: ['alerts'],
      params: IdParams,
      body: Type.Optional(DismissBody),
      response: { 200: Alert, 403: ErrorResponse, 409: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const { user } = request
    return toAlert(await repo.dismiss(user.agency_id, request.params.id, user.sub, request.body?.reason ?? null))
  })
}

export default alertsRoutes
