import type { FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import { Counter } from 'prom-client'

/** The bare-array lists every persona polls; each is cached per agency and query. */
export type CachedList = 'incidents:active' | 'alerts:pending' | 'resources:available'

export interface ListCache {
  /**
   * Answers with the list's serialized body for the caller's agency and `variant` (the query that
   * shapes it): the cached copy while it is younger than LIST_CACHE_TTL_MS, else `load` serialized
   * by the route's response schema. Concurrent misses of one key share a single `load`.
   */
  send (reply: FastifyReply, list: CachedList, agencyId: string, variant: string, load: () => Promise<unknown[]>): Promise<FastifyReply>
  /** Forgets the agency's cached copies of these lists. Call once the write has committed. */
  invalidate (agencyId: string, ...lists: CachedList[]): void
}

declare module 'fastify' {
  interface FastifyInstance {
    listCache: ListCache
  }
}

// Bounds the cache whatever callers put in `limit`: ~100 KB per default list, so thousands of
// agency × query variants before the least recently used ones are dropped.
const MAX_BYTES = 64 * 1024 * 1024
const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * A short-lived, in-process cache of the serialized bodies of GET /incidents/active, /alerts/pending
 * and /resources/available. Under the seed's persona mix these three are ~140 requests/s of ~100 KB
 * each from one agency; building each body (row parsing, mapping, serialization) took more CPU than
 * the 670 ingests/s beside them, and the event loop they blocked delayed every ingest.
 *
 * Staleness: a write made through this process's API (create/update/assign an incident,
 * acknowledge/dismiss an alert, update a resource) invalidates the agency's affected lists at once,
 * so a client reads its own writes. Alerts arriving through ingest, and writes made by other
 * replicas or workers or straight in SQL, show up within LIST_CACHE_TTL_MS (plus one query's
 * duration): invalidating /alerts/pending on every group commit would empty it several hundred
 * times a second and cache nothing. Invalidation does not delete: it moves the agency's list to a
 * new generation, so a load already running on the old data can never be served afterwards.
 */
export default fp(async (app) => {
  const ttl = app.config.LIST_CACHE_TTL_MS
  const requests = new Counter({
    name: 'list_cache_requests_total',
    help: 'Cached list requests (GET /incidents/active, /alerts/pending, /resources/available) by list and result (hit, shared: joined a load in progress, miss)',
    labelNames: ['list', 'result'],
    registers: [app.metrics]
  })

  // The route's response schema serializes (fast-json-stringify, a string); a Buffer is written as is on every hit.
  const serialize = (reply: FastifyReply, items: unknown[]) => {
    const json = reply.serialize(items)
    return typeof json === 'string' ? Buffer.from(json) : Buffer.from(json as ArrayBuffer)
  }
  const respond = (reply: FastifyReply, body: Buffer) => reply.type(JSON_TYPE).send(body)

  if (ttl === 0) {
    app.decorate('listCache', {
      async send (reply, _list, _agencyId, _variant, load) { return respond(reply, serialize(reply, await load())) },
      invalidate () {}
    } satisfies ListCache)
    return
  }

  type Load = () => Promise<Buffer>
  const bodies = new LRUCache<string, Buffer, Load>({
    ttl,
    maxSize: MAX_BYTES,
    sizeCalculation: (body) => Math.max(1, body.length),
    fetchMethod: (_key, _stale, { context }) => context()
  })
  // `list \n agency` → generation; one entry per list and agency ever written to, a few bytes each.
  const generations = new Map<string, number>()

  app.decorate('listCache', {
    async send (reply, list, agencyId, variant, load) {
      const key = `${list}\n${agencyId}\n${generations.get(`${list}\n${agencyId}`) ?? 0}\n${variant}`
      const status: LRUCache.Status<string, Buffer, Load> = {}
      const body = await bodies.fetch(key, { context: async () => serialize(reply, await load()), status })
      requests.inc({ list, result: status.fetch === 'hit' ? 'hit' : status.fetch === 'inflight' ? 'shared' : 'miss' })
      // undefined only if the entry was evicted while loading: answer with a fresh load.
      return respond(reply, body ?? serialize(reply, await load()))
    },
    invalidate (agencyId, ...lists) {
      for (const list of lists) {
        const scope = `${list}\n${agencyId}`
        generations.set(scope, (generations.get(scope) ?? 0) + 1)
      }
    }
  } satisfies ListCache)
}, { name: 'list-cache', dependencies: ['config', 'metrics'] })
