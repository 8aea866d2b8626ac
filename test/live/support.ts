// Helpers of the live-event tests: real servers, stock socket.io-client sockets.
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client'
import { setTimeout as sleep } from 'node:timers/promises'
import type { TestContext } from 'node:test'
import type { App } from '../../src/app.js'

export const EVENTS = ['incident:created', 'incident:updated', 'alert:created', 'alert:updated', 'resource:updated'] as const

export interface Received { event: string, payload: { id: string } & Record<string, unknown>, at: number }

export interface Client {
  socket: Socket
  received: Received[]
  /** Resolves with the first event matching, arrived already or arriving within timeoutMs. */
  waitFor (match: (r: Received) => boolean, timeoutMs?: number): Promise<Received>
  ids (event?: string): string[]
}

/** Listens on a free loopback port; returns the base URL. */
export async function listen (app: App): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return `http://127.0.0.1:${address.port}`
}

/** A stock client (no options but the token unless given), connected, recording every event it receives. */
export async function connect (t: TestContext | null, url: string, token: string, opts: Partial<ManagerOptions & SocketOptions> = {}): Promise<Client> {
  const socket = io(url, { auth: { token }, reconnection: false, forceNew: true, ...opts })
  t?.after(() => { socket.disconnect() })
  const received: Received[] = []
  socket.onAny((event: string, payload: Received['payload']) => { received.push({ event, payload, at: Date.now() }) })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', (err) => reject(err))
  })
  return {
    socket,
    received,
    async waitFor (match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = received.find(match)
        if (found) return found
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; received: ${JSON.stringify(received.map((r) => [r.event, r.payload?.id]))}`)
        await sleep(10)
      }
    },
    ids: (event) => received.filter((r) => event === undefined || r.event === event).map((r) => r.payload.id)
  }
}

/** The connect_error message a connection attempt ends with (throws if it connects). */
export async function refusal (url: string, opts: Partial<ManagerOptions & SocketOptions>): Promise<string> {
  const socket = io(url, { reconnection: false, forceNew: true, ...opts })
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected without valid credentials')))
      socket.once('connect_error', (err) => resolve(err.message))
    })
  } finally {
    socket.disconnect()
  }
}

export function emitWithAck (socket: Socket, event: string, ...args: unknown[]): Promise<unknown> {
  return socket.timeout(5000).emitWithAck(event, ...args)
}

/** A counter's value on /metrics text (summed over its label sets when no labels are given). */
export function metricValue (text: string, name: string, labels = ''): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (labels === '' ? !(rest.startsWith(' ') || rest.startsWith('{')) : !rest.startsWith(`{${labels}}`)) continue
    total += Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return total
}
