import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CACHE_TYPES, type CacheType } from '../../cache.js'
import { authErrors, IntId, Text } from '../../schemas/common.js'
import type { PggitServices } from '../../services.js'

const tags = ['Cache']

const CacheStats = Type.Object({
  hit_rate: Type.Number({ description: 'Percent of cached reads answered from the cache' }),
  total_requests: Type.Integer(),
  hits: Type.Integer(),
  misses: Type.Integer(),
  size: Type.Integer({ description: 'Entries alive now' })
}, { description: 'Counted in Redis, so shared by every replica (this process\'s own counts while Redis is away)' })

const EventType = Text(100)
const NoContent = { 204: Type.Null(), ...authErrors }

/** What a change invalidates: the lists it appears in and the dashboards computed from it. */
const CASCADE: Record<'alerts' | 'webhooks' | 'dashboard' | 'all', readonly CacheType[]> = {
  alerts: ['alerts', 'dashboard'],
  webhooks: ['webhooks', 'dashboard'],
  dashboard: ['dashboard'],
  all: CACHE_TYPES
}

const cacheRoutes: FastifyPluginAsyncTypebox<{ services: PggitServices }> = async (app, { services }) => {
  const { cache } = services

  app.get('/stats', { schema: { tags, response: { 200: CacheStats, ...authErrors } } }, () => cache.stats())

  app.post('/invalidate/alerts', {
    schema: { tags, summary: 'An alert changed: drop the alert lists and dashboards', querystring: Type.Object({ alert_id: IntId, event_type: Type.Optional(EventType) }), response: NoContent }
  }, async (_request, reply) => {
    await cache.invalidate(CASCADE.alerts)
    return reply.code(204).send(null)
  })

  app.post('/invalidate/webhooks', {
    schema: { tags, summary: 'A webhook changed: drop the webhook lists and dashboards', querystring: Type.Object({ webhook_id: IntId, event_type: Type.Optional(EventType) }), response: NoContent }
  }, async (_request, reply) => {
    await cache.invalidate(CASCADE.webhooks)
    return reply.code(204).send(null)
  })

  app.post('/invalidate/dashboard', { schema: { tags, response: NoContent } }, async (_request, reply) => {
    await cache.invalidate(CASCADE.dashboard)
    return reply.code(204).send(null)
  })

  app.post('/invalidate/all', { schema: { tags, response: NoContent } }, async (_request, reply) => {
    await cache.invalidate(CASCADE.all)
    return reply.code(204).send(null)
  })

  app.post('/invalidate', {
    schema: { tags, summary: 'Drop every entry (the original\'s answer body)', response: { 200: Type.Object({ status: Type.String(), message: Type.String() }), ...authErrors } }
  }, async () => {
    await cache.invalidate(CASCADE.all)
    return { status: 'success', message: 'Cache invalidated' }
  })
}

export default cacheRoutes
