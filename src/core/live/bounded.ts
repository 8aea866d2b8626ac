import type { Socket } from 'socket.io'

export interface DeliveryCounters {
  /** An event handed to one socket's connection. */
  written (event: string): void
  /** An event not handed to one socket because that socket's backlog was full. */
  dropped (event: string): void
}

// Socket.IO encodes a broadcast once and hands the same string to every socket: remembering the
// last one parsed makes naming the event a pointer comparison for all but the first socket.
let lastPacket = ''
let lastEvent = ''

/** The event name of an encoded Socket.IO EVENT packet (`2["name",…]`, maybe `2/nsp,12["name",…]`), or undefined for any other packet. */
function eventName (packet: unknown): string | undefined {
  if (typeof packet !== 'string' || packet.charCodeAt(0) !== 50 /* '2': EVENT */) return undefined
  if (packet === lastPacket) return lastEvent
  const start = packet.indexOf('["')
  const end = start < 0 ? -1 : packet.indexOf('"', start + 2)
  if (end < 0) return undefined
  lastPacket = packet
  lastEvent = packet.slice(start + 2, end)
  return lastEvent
}

/**
 * A client that stops reading must not hold unbounded memory: engine.io queues a socket's packets
 * in `writeBuffer` while the previous write has not reached the kernel, so once `limit` packets
 * wait there, further events to that socket are dropped and counted (acks, pings and the
 * handshake still pass). When the client reads again its backlog drains and events flow again.
 */
export function boundSocket (socket: Socket, limit: number, counters: DeliveryCounters): void {
  const conn = socket.conn
  const write = conn.write
  conn.write = function boundedWrite (this: typeof conn, data, options, callback) {
    const event = eventName(data)
    if (event === undefined) return write.call(this, data, options, callback)
    // writeBuffer is engine.io's queue of this socket's packets (typed private, read-only here).
    if ((this as unknown as { writeBuffer: unknown[] }).writeBuffer.length >= limit) {
      counters.dropped(event)
      return this
    }
    counters.written(event)
    return write.call(this, data, options, callback)
  }
}
