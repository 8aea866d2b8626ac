import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problems } from '../../http.js'
import { AckBody, Alert, AlertList, AlertListQuery, AlertStats } from '../../schemas/alerts.js'
import { authErrors, IdParams, idErrors, pageFields, pageWindow } from '../../schemas/common.js'
import type { PggitServices } from '../../services.js'

const tags = ['Alerts']

const alertsRoutes: FastifyPluginAsyncTypebox<{ services: PggitServices }> = async (app, { services }) => {
  const { alerts, cache } = services

  app.get('/', { schema: { tags, summary: 'The delivery queue, newest first (cached 30 s)', querystring: AlertListQuery, response: { 200: AlertList, ...authErrors } } }, async (request) => {
    const window = pageWindow(request.query)
    const { status_filter: status, severity_filter: severity } = request.query
    const { value } = await cache.remember('alerts', `list:${window.offset}:${window.size}:${status ?? ''}:${severity ?? ''}`, async () => {
      const { rows, total } = await alerts.list(request.query, window)
      return { alerts: rows, ...pageFields(total, window) }
    })
    return value
  })

  // Before /:id, as the original's route order needs it to be (there "stats" is no integer).
  app.get('/stats/summary', { schema: { tags, summary: 'Counts and ages of the last 30 days (cached 30 s)', response: { 200: AlertStats, ...authErrors } } }, async () => {
    const { value } = await cache.remember('alerts', 'stats:summary', () => alerts.stats())
    return value
  })

  app.get('/:id', { schema: { tags, params: IdParams, response: { 200: Alert, ...idErrors } } }, async (request) => {
    const alert = await alerts.get(request.params.id)
    if (!alert) throw problems.notFound(`Alert ${request.params.id}`)
    return alert
  })

  app.post('/:id/ack', {
    schema: { tags, summary: 'Acknowledge (idempotent: a second acknowledgement changes nothing)', params: IdParams, body: AckBody, response: { 200: Alert, ...idErrors } }
  }, async (request) => {
    const acknowledged = await alerts.acknowledge(request.params.id, request.pggitUser!.sub, request.body.notes)
    if (!acknowledged) throw problems.notFound(`Alert ${request.params.id}`)
    if (acknowledged.changed) await cache.invalidate(['alerts', 'dashboard'])
    return acknowledged.alert
  })
}

export default alertsRoutes
