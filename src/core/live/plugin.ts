import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Counter } from 'prom-client'
import { Server, type Socket } from 'socket.io'
import type { AccessClaims, RefreshClaims } from '../plugins/auth.js'
import type { EventName } from '../plugins/events.js'
import { readGauge } from '../plugins/metrics.js'
import { redisAtStart } from '../plugins/redis.js'
import { agencyRoom, createFanout, scopedRoom, type LiveMessage } from './fanout.js'
import { liveRedis } from './redis-adapter.js'
import { alertCreatedSelected, parseAlertCreated } from './sampling.js'

export type { LiveMessage } from './fanout.js'

export interface LiveOptions {
  /** Which bus events are pushed, and how each payload of that event becomes a message (undefined: not pushed). */
  events: Partial<Record<EventName, (payload: unknown) => LiveMessage | undefined>>
  /** Room kinds a client may join and leave: `join_<kind>` / `leave_<kind>` with an id. */
  joinable: string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    live: Server
  }
}

const MAX_ROOM_ID_LENGTH = 100
/** The server-to-server event (Socket.IO serverSideEmit) carrying one bus batch to the other processes. */
const LIVE_BATCH = 'live:batch'

function bearerToken (auth: unknown): string | undefined {
  const token = (auth as { token?: unknown } | undefined)?.token
  if (typeof token !== 'string' || token.trim() === '') return undefined
  return token.replace(/^Bearer\s+/i, '').trim()
}

/**
 * Socket.IO on the API's own port at /socket.io/ (both transports), as the original pushes its
 * changes. A connection needs `auth: {token}` with a valid access token; it joins `authenticated`
 * and its agency's room, and receives the events its API publishes on the event bus, for its
 * agency only. With Redis, Socket.IO's Redis adapter carries each batch to the other processes.
 */
async function live (app: FastifyInstance, opts: LiveOptions) {
  const { config, metrics } = app
  const alertCreated = parseAlertCreated(config.LIVE_ALERT_CREATED)

  const emitted = new Counter({
    name: 'live_events_emitted_total',
    help: 'Socket.IO events handed to a client connection (one per socket per event)',
    labelNames: ['event'],
    registers: [metrics]
  })
  const dropped = new Counter({
    name: 'live_events_dropped_total',
    help: 'Socket.IO events not sent to a client whose backlog was full (LIVE_SOCKET_BUFFER_MAX)',
    labelNames: ['event'],
    registers: [metrics]
  })
  const busy = new Counter({
    name: 'live_delivery_seconds_total',
    help: 'Event-loop time spent encoding Socket.IO events and handing them to client connections (its rate: the share of a core live delivery takes)',
    registers: [metrics]
  })
  const redisFailures = new Counter({ name: 'live_redis_failures_total', help: 'Socket.IO adapter commands Redis refused (emits then reached this process\'s sockets only)', labelNames: ['command'], registers: [metrics] })
  for (const event of Object.keys(opts.events)) {
    emitted.inc({ event }, 0)
    dropped.inc({ event }, 0)
  }
  // The fan-out reports once per flush and event name, not per socket.
  const counters = {
    written: (event: string, n: number) => emitted.inc({ event }, n),
    dropped: (event: string, n: number) => dropped.inc({ event }, n),
    busy: (seconds: number) => busy.inc(seconds)
  }

  const redis = redisAtStart(app.redis).enabled
    ? liveRedis(app.redis, `${config.REDIS_KEY_PREFIX}socket.io`, (command) => redisFailures.inc({ command }))
    : undefined

  const io = new Server(app.server, {
    path: '/socket.io/',
    transports: ['polling', 'websocket'],
    cors: { origin: '*' },
    // Upgrades for other paths (another plugin's WebSocket route) are left alone, not closed.
    destroyUpgrade: false,
    serveClient: false,
    // The fan-out hands engine.io pre-encoded WebSocket frames, which it writes as they are only without compression.
    perMessageDeflate: false,
    ...(redis ? { adapter: redis.adapter } : {})
  })
  readGauge(metrics, 'live_sockets', 'Socket.IO clients connected to this process', () => io.engine.clientsCount)

  io.use((socket, next) => {
    const token = bearerToken(socket.handshake.auth)
    if (token === undefined) return next(new Error('Authentication required: connect with auth: {token}'))
    let claims: AccessClaims | RefreshClaims
    try {
      claims = app.jwt.verify<AccessClaims | RefreshClaims>(token)
    } catch {
      return next(new Error('Invalid or expired token'))
    }
    if (claims.type !== 'access') return next(new Error('Invalid or expired token'))
    socket.data.user = claims
    next()
  })

  io.on('connection', (socket: Socket) => {
    const user = socket.data.user as AccessClaims
    socket.join(['authenticated', agencyRoom(user.agency_id)])
    for (const kind of opts.joinable) {
      const field = `${kind}_id`
      const handler = (status: 'joined' | 'left') => (id: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? ack as (answer: unknown) => void : () => {}
        if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ROOM_ID_LENGTH) {
          return reply({ error: `${field} required (a string of at most ${MAX_ROOM_ID_LENGTH} characters)` })
        }
        const room = scopedRoom(user.agency_id, kind, id)
        if (status === 'joined') socket.join(room)
        else socket.leave(room)
        reply({ status, room: `${kind}:${id}` })
      }
      socket.on(`join_${kind}`, handler('joined'))
      socket.on(`leave_${kind}`, handler('left'))
    }
  })

  const fanout = createFanout(io, { bufferMax: config.LIVE_SOCKET_BUFFER_MAX, flushMs: config.LIVE_FLUSH_MS, counters })
  // The other processes get each batch as one message through the Redis adapter (one PUBLISH per
  // batch, as the bus itself does), not one broadcast per event and room: at thousands of ingests a
  // second, a per-alert broadcast cost more than the ingest itself, with or without sockets.
  io.of('/').on(LIVE_BATCH, (event: string, messages: LiveMessage[]) => {
    if (typeof event === 'string' && Array.isArray(messages)) fanout.deliver(event, messages)
  })

  const stopObserving = app.events.observe((event, payloads) => {
    const toMessage = opts.events[event]
    if (toMessage === undefined) return
    const thinned = event === 'alert:created' && alertCreated.mode !== 'all'
    if (thinned && alertCreated.mode === 'off') return
    const messages: LiveMessage[] = []
    for (const payload of payloads) {
      if (thinned && !alertCreatedSelected(alertCreated, String((payload as { id?: unknown }).id))) continue
      const message = toMessage(payload)
      if (message !== undefined) messages.push(message)
    }
    if (messages.length === 0) return
    fanout.deliver(event, messages)
    if (redis) io.serverSideEmit(LIVE_BATCH, event, messages)
  })

  app.decorate('live', io)

  // Open sockets would keep the HTTP server from closing: end them before it does.
  app.addHook('preClose', async () => {
    stopObserving()
    fanout.close()
    // Closing the engine discards every transport at once; disconnecting the sockets first would
    // leave each polling client's transport waiting 30 s (closeTimeout) for a poll that never comes.
    io.engine.close()
  })
  app.addHook('onClose', async () => {
    // Not io.close(): it would close the HTTP server, which is Fastify's to close.
    await io.of('/').adapter.close()
    redis?.close()
  })
}

export default fp(live, { name: 'live', dependencies: ['config', 'redis', 'events', 'metrics', 'auth'] })
