import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { problems } from '../../http.js'
import { authErrors, HttpError, IdParams, idErrors, pageFields, pageWindow } from '../../schemas/common.js'
import { Webhook, WebhookCreate, WebhookList, WebhookListQuery, WebhookUpdate } from '../../schemas/webhooks.js'
import { LIVE, type PggitServices, type WebhookStatusChanged } from '../../services.js'

const tags = ['Webhooks']

const webhooksRoutes: FastifyPluginAsyncTypebox<{ services: PggitServices }> = async (app, { services }) => {
  const { webhooks, cache, events } = services

  app.get('/', { schema: { tags, summary: 'Webhooks, newest first, with their 24 h delivery health (cached 60 s)', querystring: WebhookListQuery, response: { 200: WebhookList, ...authErrors } } }, async (request) => {
    const window = pageWindow(request.query)
    const { value } = await cache.remember('webhooks', `list:${window.offset}:${window.size}`, async () => {
      const { rows, total } = await webhooks.list(window)
      return { webhooks: rows, ...pageFields(total, window) }
    })
    return value
  })

  app.get('/:id', { schema: { tags, params: IdParams, response: { 200: Webhook, ...idErrors } } }, async (request) => {
    const webhook = await webhooks.get(request.params.id)
    if (!webhook) throw problems.notFound(`Webhook ${request.params.id}`)
    return webhook
  })

  app.post('/', { schema: { tags, body: WebhookCreate, response: { 201: Webhook, ...authErrors } } }, async (request, reply) => {
    const webhook = await webhooks.create(request.body, request.pggitUser!.sub)
    await cache.invalidate(['webhooks', 'dashboard'])
    return reply.code(201).send(webhook)
  })

  app.put('/:id', { schema: { tags, params: IdParams, body: WebhookUpdate, response: { 200: Webhook, ...idErrors } } }, async (request) => {
    const outcome = await webhooks.update(request.params.id, request.body)
    if (outcome.kind !== 'done') throw problems.notFound(`Webhook ${request.params.id}`)
    const { webhook, activeChanged } = outcome.value
    await cache.invalidate(['webhooks', 'dashboard'])
    if (activeChanged) {
      const change: WebhookStatusChanged = {
        webhook_id: webhook.id,
        webhook_name: webhook.name,
        health_status: webhook.health_status,
        success_rate_percent: webhook.total_deliveries ? Math.round((webhook.successful_deliveries / webhook.total_deliveries) * 10_000) / 100 : 0,
        active: webhook.active
      }
      events.publish(LIVE.webhookStatus, [change])
    }
    return webhook
  })

  app.delete('/:id', { schema: { tags, params: IdParams, response: { 204: Type.Null(), ...idErrors, 404: HttpError } } }, async (request, reply) => {
    if (!await webhooks.remove(request.params.id)) throw problems.notFound(`Webhook ${request.params.id}`)
    await cache.invalidate(['webhooks', 'alerts', 'dashboard'])
    return reply.code(204).send(null)
  })
}

export default webhooksRoutes
