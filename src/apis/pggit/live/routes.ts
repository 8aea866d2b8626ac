import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'
import { LIVE, type AlertNew, type PggitServices, type WebhookStatusChanged } from '../services.js'
import { DashboardHub } from './hub.js'

export interface LiveOptions { hub: DashboardHub, services: PggitServices, metricsIntervalMs: number, heartbeatMs: number, maxClients: number }

/**
 * `ws://HOST:PORT/ws/dashboard?token=…`: the original's raw WebSocket. Authenticated by the
 * parent context's onRequest hook (no or bad token: 401 before the upgrade). alert_new and
 * webhook_status_changed come from the core's event bus, so a socket on any replica sees what
 * the simulator or a write on another replica did; metrics_update and heartbeat are this
 * process's own timers.
 */
const liveRoutes: FastifyPluginAsync<LiveOptions> = async (app, { hub, services, metricsIntervalMs, heartbeatMs, maxClients }) => {
  const unsubscribe = [
    services.events.subscribe(LIVE.alertNew, (alerts) => { for (const alert of alerts as AlertNew[]) hub.push('alert_new', alert) }),
    services.events.subscribe(LIVE.webhookStatus, (changes) => { for (const change of changes as WebhookStatusChanged[]) hub.push('webhook_status_changed', change) })
  ]

  const heartbeat = setInterval(() => hub.heartbeat(), heartbeatMs)
  const metrics = setInterval(() => {
    if (hub.subscribers('metrics') === 0) return
    Promise.all([services.performance.figures(), services.cache.hitRatePercent()]).then(([{ requests: _requests, ...figures }, cacheHitRate]) => {
      hub.push('metrics_update', { ...figures, cache_hit_rate_percent: cacheHitRate })
    }, () => {})
  }, metricsIntervalMs)
  heartbeat.unref()
  metrics.unref()
  app.addHook('preClose', async () => {
    clearInterval(heartbeat)
    clearInterval(metrics)
    for (const stop of unsubscribe) stop()
    hub.closeAll(1001, 'server shutting down')
  })

  app.get('/ws/dashboard', {
    websocket: true,
    schema: { tags: ['WebSocket'], summary: 'Live dashboard (WebSocket upgrade)', querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })) }) },
    onRequest: async (_request, reply) => {
      if (hub.size >= maxClients) {
        return reply.code(503).header('retry-after', '5').send({ detail: 'Too many dashboard connections, retry shortly', code: 'TOO_MANY_CONNECTIONS' })
      }
    }
  }, (socket, request) => {
    hub.add(socket, request.pggitUser!.sub)
    socket.on('message', (data, isBinary) => { if (!isBinary) hub.handle(socket, data.toString()) })
    socket.on('close', () => hub.remove(socket))
    socket.on('error', () => hub.remove(socket))
  })
}

export default liveRoutes
