import { createAdapter } from '@socket.io/redis-adapter'
import type { Redis } from 'ioredis'

/**
 * The adapter calls `publish` and (p)subscribe without handling their promises: a Redis that is
 * down would turn every emit into an unhandled rejection, which ends the process. These methods
 * are wrapped so a failure is counted instead; everything else goes to the client unchanged.
 */
function quiet (client: Redis, methods: string[], onFailure: (method: string) => void): Redis {
  const wrapped = new Map<PropertyKey, (...args: unknown[]) => unknown>()
  for (const method of methods) {
    const original = (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method]
    wrapped.set(method, (...args: unknown[]) => original.apply(client, args).catch(() => { onFailure(method) }))
  }
  return new Proxy(client, {
    get (target, prop) {
      const replacement = wrapped.get(prop)
      if (replacement) return replacement
      const value = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

export interface LiveRedis {
  adapter: ReturnType<typeof createAdapter>
  close (): void
}

/**
 * Socket.IO's Redis adapter (pub/sub): what one process sends (serverSideEmit, broadcasts) reaches
 * every other process. Publishing uses the app's command client (fails fast while Redis is down, so
 * emits then reach this process's sockets only); subscribing uses a connection of its own that
 * waits for Redis as long as it takes and subscribes again after every reconnection, so delivery
 * across processes resumes by itself.
 */
export function liveRedis (redis: Redis, key: string, onFailure: (method: string) => void): LiveRedis {
  // No command timeout (ioredis times out at once with 0): a SUBSCRIBE waits in the offline queue
  // until Redis answers, however long it is away at start.
  const subscriber = redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined })
  subscriber.on('error', () => {})
  const pub = quiet(redis, ['publish'], onFailure)
  const sub = quiet(subscriber, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'], onFailure)
  return {
    adapter: createAdapter(pub, sub, { key }),
    close () { subscriber.disconnect() }
  }
}
