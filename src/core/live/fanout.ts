import type { Server } from 'socket.io'
import * as ws from 'ws'

// ws's public Sender.frame, which @types/ws leaves out: socket.io-adapter frames its broadcasts with it.
const { Sender } = ws as unknown as { Sender: { frame (data: Buffer, options: { readOnly: boolean, mask: boolean, rsv1: boolean, opcode: number, fin: boolean }): Buffer[] } }

/** What one bus payload becomes on the sockets. */
export interface LiveMessage {
  /** Only this agency's sockets receive it. */
  agencyId: string
  /** The event's payload: the REST object. */
  data: unknown
  /** Also emitted, separately, to the sockets that joined this room (`join_<kind>` with this id). */
  room?: { kind: string, id: string }
}

export interface DeliveryCounters {
  /** `n` events named `event` handed to client connections (called once per flush and event name). */
  written (event: string, n: number): void
  /** `n` events named `event` not handed over because the client's backlog was full (once per flush and event name). */
  dropped (event: string, n: number): void
  /** Event-loop time spent encoding events and handing them to connections. */
  busy (seconds: number): void
}

export interface FanoutOptions {
  /** Once this many events wait in a client's connection buffer (it stopped reading), further flushes to it are dropped. */
  bufferMax: number
  /** At most one write per socket per this many ms: events arriving within it are written together. 0: every batch at once. */
  flushMs: number
  counters: DeliveryCounters
}

export const agencyRoom = (agencyId: string) => `agency:${agencyId}`
// Room ids come from clients: scoping them by agency keeps another agency's incident room, joined
// by a guessed id, empty of this agency's events.
export const scopedRoom = (agencyId: string, kind: string, id: string) => `${kind}:${agencyId}:${id}`

const SOCKETS_PER_TURN = 128

/** One event as it goes on the wire: its Engine.IO packet text and its WebSocket frame, made once for every socket. */
interface Encoded { event: string, packet: string, frame: Buffer }

/** What sockets receive from one flush, in order: the events (indices into the flush's encoded events) and their frames as one buffer. */
interface Part { encoded: Encoded[], sequence: number[], wire (): Buffer }

/** engine.io's connection, with the member read here (private in its typings). */
interface Connection {
  readyState: string
  transport: { name: string }
  writeBuffer: Array<{ options?: { liveEvents?: number } }>
  write (data: string, options: object): void
}

/** The events waiting in a connection's buffer (written by this fan-out, not yet handed to the transport). */
function waiting (conn: Connection): number {
  let n = 0
  for (const packet of conn.writeBuffer) n += packet.options?.liveEvents ?? 0
  return n
}

/**
 * Delivers bus events to this process's sockets. Every socket of an agency receives the same
 * events, so each flush encodes every event once (Socket.IO's own encoder and the WebSocket frame
 * socket.io's adapter would pre-compute for a broadcast) and hands each WebSocket client all its
 * events as one write: the client reads the same frames, one Socket.IO packet each, that one
 * broadcast per event would send, at one system call per socket per flush instead of one per
 * event. Polling clients get one packet per event, which engine.io batches into its next poll.
 *
 * Flushes are throttled to one per `flushMs`: an event after a quiet spell goes out at once (on the
 * next turn of the event loop), events during a busy one wait at most `flushMs`.
 */
export function createFanout (io: Server, options: FanoutOptions) {
  const nsp = io.of('/')
  const rooms = nsp.adapter.rooms
  let pending: Array<{ event: string, message: LiveMessage }> = []
  /** Cancels the flush or pump step that is due; undefined when none is. */
  let scheduled: (() => void) | undefined
  const later = (run: () => void, ms: number) => {
    if (ms > 0) {
      const timer = setTimeout(run, ms)
      scheduled = () => clearTimeout(timer)
    } else {
      const immediate = setImmediate(run)
      scheduled = () => clearImmediate(immediate)
    }
  }
  let lastFlush = -Infinity

  const encode = (event: string, data: unknown): Encoded => {
    // Bus payloads are JSON (no binary attachments): one packet each.
    const [packet] = io.encoder.encode({ type: 2 /* EVENT */, nsp: '/', data: [event, data] }) as string[]
    // '4': an Engine.IO message. Unmasked, one fragment: as socket.io-adapter frames a broadcast.
    const frame = Buffer.concat(Sender.frame(Buffer.from('4' + packet), { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true }))
    return { event, packet, frame }
  }

  /** One socket's share of a flush (most sockets of an agency share one Part). */
  interface Delivery { id: string, part: Part }
  let deliveries: Delivery[] = []
  let next = 0
  // Sockets each Part was written to or dropped for, turned into event counts when the flush ends.
  const written = new Map<Part, number>()
  const dropped = new Map<Part, number>()
  const report = (tally: Map<Part, number>, counter: (event: string, n: number) => void) => {
    const byEvent = new Map<string, number>()
    for (const [{ encoded, sequence }, sockets] of tally) {
      for (const i of sequence) byEvent.set(encoded[i].event, (byEvent.get(encoded[i].event) ?? 0) + sockets)
    }
    for (const [event, n] of byEvent) counter(event, n)
    tally.clear()
  }

  const write = ({ id, part }: Delivery) => {
    const conn = nsp.sockets.get(id)?.conn as unknown as Connection | undefined
    if (conn === undefined || conn.readyState !== 'open') return
    const tally = waiting(conn) >= options.bufferMax ? dropped : written
    tally.set(part, (tally.get(part) ?? 0) + 1)
    if (tally === dropped) return
    if (conn.transport.name === 'websocket') {
      // engine.io writes a packet's wsPreEncodedFrame as it is (perMessageDeflate is off): here, every frame of the flush.
      conn.write('', { wsPreEncodedFrame: [part.wire()], liveEvents: part.sequence.length })
    } else {
      for (const i of part.sequence) conn.write(part.encoded[i].packet, { liveEvents: 1 })
    }
  }

  /** Who gets what from the queued events: one Delivery per socket of each agency concerned. */
  const plan = (batch: typeof pending): Delivery[] => {
    const byAgency = new Map<string, Array<{ event: string, message: LiveMessage }>>()
    for (const item of batch) {
      if (!rooms.has(agencyRoom(item.message.agencyId))) continue
      const list = byAgency.get(item.message.agencyId)
      if (list) list.push(item)
      else byAgency.set(item.message.agencyId, [item])
    }
    const planned: Delivery[] = []
    for (const [agencyId, items] of byAgency) {
      const encoded = items.map((item) => encode(item.event, item.message.data))
      // A socket in no room of these events' objects gets the agency's events in order; one in
      // such a room also gets the event a second time right after, as the original emits it.
      const part = (sequence: number[]): Part => {
        let wire: Buffer | undefined
        return { encoded, sequence, wire: () => (wire ??= Buffer.concat(sequence.map((i) => encoded[i].frame))) }
      }
      const shared = part(encoded.map((_, i) => i))
      const objectRooms = new Map<number, Set<string>>()
      const inObjectRooms = new Set<string>()
      items.forEach((item, i) => {
        if (item.message.room === undefined) return
        const members = rooms.get(scopedRoom(agencyId, item.message.room.kind, item.message.room.id))
        if (members === undefined) return
        objectRooms.set(i, members)
        for (const id of members) inObjectRooms.add(id)
      })
      for (const id of rooms.get(agencyRoom(agencyId)) ?? []) {
        if (!inObjectRooms.has(id)) {
          planned.push({ id, part: shared })
          continue
        }
        const own: number[] = []
        for (const i of shared.sequence) {
          own.push(i)
          if (objectRooms.get(i)?.has(id)) own.push(i)
        }
        planned.push({ id, part: part(own) })
      }
    }
    return planned
  }

  // A flush writes to SOCKETS_PER_TURN sockets per turn of the event loop, so requests keep being
  // served while thousands of sockets are written to. The next flush starts after this one ends:
  // each socket's events stay in order.
  const pump = () => {
    const started = performance.now()
    const stop = Math.min(deliveries.length, next + SOCKETS_PER_TURN)
    while (next < stop) write(deliveries[next++])
    options.counters.busy((performance.now() - started) / 1000)
    if (next < deliveries.length) {
      later(pump, 0)
      return
    }
    scheduled = undefined
    deliveries = []
    next = 0
    report(written, options.counters.written)
    report(dropped, options.counters.dropped)
    schedule()
  }

  const flush = () => {
    lastFlush = performance.now()
    deliveries = plan(pending)
    pending = []
    options.counters.busy((performance.now() - lastFlush) / 1000)
    pump()
  }

  const schedule = () => {
    if (scheduled !== undefined || pending.length === 0) return
    const wait = lastFlush + options.flushMs - performance.now()
    later(flush, wait)
  }

  return {
    /** Queues the messages of one bus event for this process's sockets. */
    deliver (event: string, messages: LiveMessage[]) {
      // An agency with no socket here costs one lookup per event.
      for (const message of messages) if (rooms.has(agencyRoom(message.agencyId))) pending.push({ event, message })
      schedule()
    },
    /** Drops what is queued (the sockets are closing). */
    close () {
      scheduled?.()
      scheduled = undefined
      pending = []
      deliveries = []
      next = 0
      written.clear()
      dropped.clear()
    }
  }
}
