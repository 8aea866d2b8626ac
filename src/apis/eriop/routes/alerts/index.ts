import type { ServerResponse } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { errors, settle } from '../../../../core/errors/index.js'
import {
  AcknowledgeBody, Alert, AlertIngest, AlertIngestBatch, AlertListQuery, DismissBody,
  IdempotencyHeaders, IngestAccepted, IngestBatchAccepted
} from '../../schemas/alerts.js'
import { CappedListQuery, ErrorResponse, IdParams, Page, authErrors, idErrors, pageOf } from '../../../../core/schemas/common.js'
import { toCreatedAlert, toIngestRecord, type IngestRecord } from '../../ingest/records.js'
import { createAlertsRepository, toAlert } from './repository.js'
import { envelope } from '../../live.js'

const NOOP_ID = '00000000-0000-7000-8000-000000000000'
const STREAM_MAX_BUFFERED = 1024 * 1024

const writeErrors = { 403: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, ...authErrors }

const alertsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createAlertsRepository(app.db, app.counts)
  const canIngest = app.requireRole('alert_system', 'dispatcher', 'admin')
  const canTriage = app.requireRole('dispatcher', 'admin')
  app.addHook('onRequest', app.authenticate)

  app.post('/ingest', {
    preValidation: canIngest,
    logLevel: 'warn',
    schema: {
      tags: ['alerts'],
      summary: 'Ingest one alert; answered 201 only once the row is committed',
      description: 'Concurrent requests share one group-commit INSERT. A retry carrying the same `Idempotency-Key` and ' +
        'payload is answered 200 with the first id and `Idempotent-Replayed: true`; the key with another payload is a 422. ' +
        '503 + `Retry-After` when the ingest queue is full or Postgres is unreachable.',
      headers: IdempotencyHeaders,
      body: AlertIngest,
      response: { 200: IngestAccepted, 201: IngestAccepted, ...writeErrors }
    }
  }, async (request, reply) => {
    // The hot path: no logging, no Redis, one await (the commit of this alert's batch).
    const { user } = request
    const record = toIngestRecord(request.body, {
      agencyId: user.agency_id, userId: user.sub, receivedAt: new Date().toISOString(), idempotencyKey: request.headers['idempotency-key']
    })
    const replayed = await app.ingest.submit(record)
    if (replayed !== undefined) {
      reply.code(200).header('idempotent-replayed', 'true')
      return { id: replayed.id, status: 'pending' as const, received_at: replayed.received_at }
    }
    reply.code(201)
    return { id: record.id, status: 'pending' as const, received_at: record.received_at }
  })

  if (app.config.BENCH_NOOP_ROUTE) {
    // The ceiling bench:ingest-ratio compares ingest against: the same authentication, role
    // check, rate limit, body validation and response serialization, and nothing else.
    app.post('/ingest/noop', {
      preValidation: canIngest,
      logLevel: 'warn',
      schema: {
        hide: true,
        headers: IdempotencyHeaders,
        body: AlertIngest,
        response: { 201: IngestAccepted, ...writeErrors }
      }
    }, async (_request, reply) => {
      reply.code(201)
      return { id: NOOP_ID, status: 'pending' as const, received_at: new Date().toISOString() }
    })
  }

  app.post('/ingest/batch', {
    preValidation: canIngest,
    logLevel: 'warn',
    schema: {
      tags: ['alerts'],
      summary: 'Ingest up to 500 alerts in one transaction; ids in request order',
      description: 'All or nothing: one refused alert (e.g. an unknown `building_id`, 422 locating it) fails the whole batch.',
      body: AlertIngestBatch,
      response: { 201: IngestBatchAccepted, ...writeErrors }
    }
  }, async (request, reply) => {
    const { user } = request
    const receivedAt = new Date().toISOString()
    const records = request.body.map((alert) => toIngestRecord(alert, { agencyId: user.agency_id, userId: user.sub, receivedAt }))
    await app.ingest.submitGroup(records)
    reply.code(201)
    return { ids: records.map((r) => r.id), count: records.length, received_at: receivedAt }
  })

  // Live alert:created events for the caller's agency (Server-Sent Events). Fed by the event bus,
  // so a stream on one replica sees alerts committed by every replica when Redis is there.
  const streams = new Set<ServerResponse>()
  app.addHook('preClose', async () => {
    // Open streams never finish by themselves: end them, or the server would wait for them to close.
    for (const stream of streams) stream.end()
  })

  app.get('/stream', {
    logLevel: 'warn',
    schema: {
      tags: ['alerts'],
      summary: 'Live stream of alerts as they are committed (text/event-stream, event `alert:created`)',
      description: 'Each event\'s `data` is the new alert (as GET /alerts/{id}, triage fields omitted); its `id` is the alert id. ' +
        'Only alerts of the caller\'s agency. A comment line every 15 s keeps proxies from closing an idle stream.',
      response: {
        200: { description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } },
        ...authErrors
      }
    }
  }, (request, reply) => {
    const agencyId = request.user.agency_id
    reply.hijack()
    const stream = reply.raw
    stream.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' })
    stream.write('retry: 2000\n\n')
    const unsubscribe = app.events.subscribe('alert:created', (payloads) => {
      // A client that stops reading is dropped rather than buffered without limit.
      if (stream.writableLength > STREAM_MAX_BUFFERED) return stream.destroy()
      let chunk = ''
      for (const record of payloads as IngestRecord[]) {
        if (record.agency_id === agencyId) chunk += `id: ${record.id}\nevent: alert:created\ndata: ${JSON.stringify(toCreatedAlert(record))}\n\n`
      }
      if (chunk !== '') stream.write(chunk)
    })
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), 15_000)
    streams.add(stream)
    stream.on('close', () => {
      clearInterval(heartbeat)
      unsubscribe()
      streams.delete(stream)
    })
  })

  app.get('/pending', {
    schema: {
      tags: ['alerts'],
      summary: 'Pending alerts, critical first then newest — a bare array',
      querystring: CappedListQuery,
      response: { 200: Type.Array(Alert), ...authErrors }
    }
  }, async (request, reply) => {
    // Served from the list cache: ingested alerts appear within LIST_CACHE_TTL_MS, triage at once.
    const agencyId = request.user.agency_id
    const { limit } = request.query
    return app.listCache.send(reply, 'alerts:pending', agencyId, String(limit),
      async () => (await repo.listPending(agencyId, limit)).map(toAlert))
  })

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
    preValidation: canTriage,
    schema: {
      tags: ['alerts'],
      params: IdParams,
      body: Type.Optional(AcknowledgeBody),
      response: { 200: Alert, 403: ErrorResponse, 409: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const { user } = request
    const row = settle(await repo.acknowledge(user.agency_id, request.params.id, user.sub, request.body?.notes ?? null))
    app.listCache.invalidate(user.agency_id, 'alerts:pending')
    const alert = toAlert(row)
    app.events.publish('alert:updated', [envelope(user.agency_id, alert)])
    return alert
  })

  app.post('/:id/dismiss', {
    preValidation: canTriage,
    schema: {
      tags: ['alerts'],
      params: IdParams,
      body: Type.Optional(DismissBody),
      response: { 200: Alert, 403: ErrorResponse, 409: ErrorResponse, ...idErrors }
    }
  }, async (request) => {
    const { user } = request
    const row = settle(await repo.dismiss(user.agency_id, request.params.id, user.sub, request.body?.reason ?? null))
    app.listCache.invalidate(user.agency_id, 'alerts:pending')
    const alert = toAlert(row)
    app.events.publish('alert:updated', [envelope(user.agency_id, alert)])
    return alert
  })
}

export default alertsRoutes
