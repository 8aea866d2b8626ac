// The sockets of /ws/dashboard in this process: their subscriptions, the periodic pushes, and
// the bound on what a slow reader may hold.
import type { WebSocket } from 'ws'

export const SUBSCRIPTION_TYPES = ['metrics', 'alerts', 'webhooks'] as const
export type SubscriptionType = typeof SUBSCRIPTION_TYPES[number]

/** Which subscription each server message belongs to (the original derived it from the message name, so alert_new reached nobody subscribed to "alerts"). */
export const MESSAGE_SUBSCRIPTION = { metrics_update: 'metrics', alert_new: 'alerts', webhook_status_changed: 'webhooks' } as const
export type PushType = keyof typeof MESSAGE_SUBSCRIPTION

/** A socket over its buffer limit for this long is closed. */
export const SLOW_CLOSE_MS = 30_000

interface Client { user: string, subscriptions: Set<SubscriptionType>, connectedAt: number, overSince: number | undefined }

export interface HubCounters { sent: number, dropped: number, closedSlow: number }

export class DashboardHub {
  private readonly clients = new Map<WebSocket, Client>()
  readonly counters: HubCounters = { sent: 0, dropped: 0, closedSlow: 0 }

  constructor (private readonly maxBufferBytes: number, private readonly slowCloseMs = SLOW_CLOSE_MS) {}

  get size () { return this.clients.size }
  subscribers (type: SubscriptionType) {
    let n = 0
    for (const client of this.clients.values()) if (client.subscriptions.has(type)) n++
    return n
  }

  add (socket: WebSocket, user: string) {
    // The original subscribes a new socket to everything until it says otherwise.
    this.clients.set(socket, { user, subscriptions: new Set(SUBSCRIPTION_TYPES), connectedAt: Date.now(), overSince: undefined })
  }

  remove (socket: WebSocket) { this.clients.delete(socket) }

  /** The client's message, answered on its socket as the original answers it. */
  handle (socket: WebSocket, raw: string) {
    const client = this.clients.get(socket)
    if (!client) return
    let message: { action?: unknown, types?: unknown }
    try {
      message = JSON.parse(raw)
    } catch {
      return this.send(socket, { type: 'error', message: 'Invalid JSON', timestamp: now() })
    }
    const action = message && typeof message === 'object' ? message.action : undefined
    const types = Array.isArray(message?.types)
      ? message.types.filter((t): t is SubscriptionType => (SUBSCRIPTION_TYPES as readonly unknown[]).includes(t))
      : []
    switch (action) {
      case 'subscribe':
        client.subscriptions = new Set(types)
        return this.send(socket, { type: 'subscription_confirmed', subscriptions: [...client.subscriptions], timestamp: now() })
      case 'unsubscribe':
        for (const type of types) client.subscriptions.delete(type)
        return this.send(socket, { type: 'unsubscribe_confirmed', subscriptions: [...client.subscriptions], timestamp: now() })
      case 'ping':
        return this.send(socket, { type: 'pong', data: this.connectionStats(), timestamp: now() })
      default:
        return this.send(socket, { type: 'error', message: `Unknown action: ${String(action).slice(0, 50)}`, timestamp: now() })
    }
  }

  /** One message to every socket subscribed to its type, serialised once. */
  push (type: PushType, data: unknown) {
    const subscription = MESSAGE_SUBSCRIPTION[type]
    const text = JSON.stringify({ type, data, timestamp: now() })
    for (const [socket, client] of this.clients) if (client.subscriptions.has(subscription)) this.sendText(socket, client, text)
  }

  heartbeat () {
    const text = JSON.stringify({ type: 'heartbeat', timestamp: now(), active_connections: this.clients.size })
    for (const [socket, client] of this.clients) this.sendText(socket, client, text)
  }

  closeAll (code: number, reason: string) {
    for (const socket of this.clients.keys()) socket.close(code, reason)
  }

  private connectionStats () {
    const clients = [...this.clients.values()]
    const at = Date.now()
    return {
      total_connections: clients.length,
      connected_users: new Set(clients.map((c) => c.user)).size,
      uptime_seconds: clients.length ? Math.round(clients.reduce((sum, c) => sum + (at - c.connectedAt), 0) / clients.length / 10) / 100 : 0
    }
  }

  private send (socket: WebSocket, message: unknown) {
    const client = this.clients.get(socket)
    if (client) this.sendText(socket, client, JSON.stringify(message))
  }

  /**
   * A socket whose unread bytes exceed the limit gets no more messages (they are dropped and
   * counted) until it catches up; one that stays over the limit for SLOW_CLOSE_MS is closed
   * (terminated: a close frame would queue behind the rest): a slow reader never holds more than the limit plus one message.
   */
  private sendText (socket: WebSocket, client: Client, text: string) {
    if (socket.readyState !== socket.OPEN) return
    if (socket.bufferedAmount > this.maxBufferBytes) {
      this.counters.dropped++
      client.overSince ??= Date.now()
      if (Date.now() - client.overSince > this.slowCloseMs) {
        this.counters.closedSlow++
        this.clients.delete(socket)
        socket.terminate()
      }
      return
    }
    client.overSince = undefined
    this.counters.sent++
    socket.send(text)
  }
}

const now = () => new Date().toISOString()
