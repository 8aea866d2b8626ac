import { EventEmitter } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import fp from 'fastify-plugin'

export type EventName =
  | 'alert:created' | 'alert:updated' | 'incident:created' | 'incident:updated' | 'resource:updated'
  // pggit's /ws/dashboard
  | 'pggit:alert_new' | 'pggit:webhook_status_changed'

export interface EventBus {
  /** Publishes a batch of events of one kind: one Redis PUBLISH per call, whatever the batch size. */
  publish (event: EventName, payloads: unknown[]): void
  /** Local subscribers (e.g. an SSE stream) get every batch published through this process or, with Redis, any replica. */
  subscribe (event: EventName, listener: (payloads: unknown[]) => void): () => void
  /**
   * Observers get each batch this process publishes, at once and in this process only (Socket.IO's
   * own Redis adapter carries them to the other replicas' sockets).
   */
  observe (observer: (event: EventName, payloads: unknown[]) => void): () => void
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus
  }
}

/**
 * Live event fan-out. With Redis the batches go through the `<prefix>events:<name>` channels,
 * so every replica's subscribers see them; without Redis they stay in this process.
 * Publishing never throws and never waits: events are a courtesy, durability is Postgres'.
 */
// The most start-up waits for the subscriptions made while plugins load (see onReady below).
const SUBSCRIBED_WAIT_MS = 2000

export default fp(async (app) => {
  const local = new EventEmitter()
  local.setMaxListeners(0)
  const prefix = `${app.config.REDIS_KEY_PREFIX}events:`
  let subscriber: typeof app.redis | undefined
  const observers = new Set<(event: EventName, payloads: unknown[]) => void>()
  const subscribing: Promise<unknown>[] = []

  const ensureSubscriber = () => {
    if (subscriber) return
    // Unlike the command client, the subscriber queues its SUBSCRIBEs until Redis answers (now or
    // after an outage: autoResubscribe), so fan-out across replicas starts whenever Redis is there.
    // No command timeout (undefined: ioredis reads 0 as "time out at once"): a SUBSCRIBE that timed
    // out while Redis was slow to answer would never be made again.
    subscriber = app.redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined })
    subscriber.on('error', () => {})
    subscriber.on('messageBuffer', () => {})
    subscriber.on('message', (channel: string, message: string) => {
      try {
        local.emit(channel.slice(prefix.length), JSON.parse(message))
      } catch {}
    })
  }

  const bus: EventBus = {
    publish (event, payloads) {
      if (payloads.length === 0) return
      for (const observer of observers) {
        try { observer(event, payloads) } catch (err) { app.log.error({ err, event }, 'event observer failed') }
      }
      // While Redis is down or hung (circuit open), delivery is local at once instead of after a timeout.
      if (app.redisCircuit.usable()) {
        app.redis.publish(prefix + event, JSON.stringify(payloads)).catch((err) => {
          app.redisCircuit.failure(err)
          local.emit(event, payloads)
        })
      } else {
        local.emit(event, payloads)
      }
    },
    subscribe (event, listener) {
      ensureSubscriber()
      subscribing.push(subscriber!.subscribe(prefix + event).catch(() => {}))
      local.on(event, listener)
      return () => { local.off(event, listener) }
    },
    observe (observer) {
      observers.add(observer)
      return () => { observers.delete(observer) }
    }
  }

  app.decorate('events', bus)
  // Redis pub/sub keeps nothing for a channel nobody has subscribed to yet: serve only once the
  // subscriptions made while the plugins loaded are active, or an event published by the first
  // requests would be lost. Bounded, so a slow Redis cannot hold the start.
  app.addHook('onReady', async () => {
    if (subscribing.length === 0 || !app.redisCircuit.usable()) return
    await Promise.race([Promise.all(subscribing.splice(0)), sleep(SUBSCRIBED_WAIT_MS)])
  })
  app.addHook('onClose', async () => {
    local.removeAllListeners()
    subscriber?.disconnect()
  })
}, { name: 'events', dependencies: ['config', 'redis'] })
