import type { Socket } from 'node:net'
import { Readable } from 'node:stream'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import { randomBytes } from './random.js'

export type ConnectionFault = 'reset' | 'empty' | 'malformed' | 'garbage' | 'hang'

/** A status line, then a chunked body whose first chunk size is not hexadecimal: every HTTP client's parser refuses it. */
const MALFORMED = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{"detail": \x00\x01\x02 not a chunk\r\n')

/**
 * Acts on a request's TCP connection, taken from Fastify (`reply.hijack()`), as a broken server or
 * network would:
 * - reset: an RST (the client sees ECONNRESET);
 * - empty: the connection closed without a byte;
 * - malformed: a status line, then bytes no HTTP parser accepts, then close;
 * - garbage: random bytes (from the rule's seeded generator), then close;
 * - hang: nothing, ever; the client's timeout decides. `hung` keeps the socket so the server can
 *   close it when it shuts down.
 */
export function breakConnection (socket: Socket, fault: ConnectionFault, rng: RandomGenerator, bytes: number, hung: Set<Socket>): void {
  if (socket.destroyed) return
  switch (fault) {
    case 'reset':
      socket.resetAndDestroy()
      return
    case 'empty':
      socket.end()
      socket.destroySoon()
      return
    case 'malformed':
      socket.end(MALFORMED)
      return
    case 'garbage': {
      const body = randomBytes(rng, bytes)
      // An HTTP/1.x answer starts with "HTTP/": make sure the noise never does.
      if (body[0] === 0x48) body[0] = 0x00
      socket.end(body)
      return
    }
    case 'hang':
      hung.add(socket)
      socket.once('close', () => hung.delete(socket))
  }
}

/** The answer's body in `chunks` pieces spread over `ms` (the first at once): a slow network or server. */
export function dribble (payload: string | Buffer, chunks: number, ms: number): Readable {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  const n = Math.max(1, Math.min(chunks, body.length))
  const size = Math.ceil(body.length / n)
  const gap = n > 1 ? ms / (n - 1) : 0
  let sent = 0
  let timer: NodeJS.Timeout | undefined
  return new Readable({
    read () {
      if (timer) return
      const push = () => {
        timer = undefined
        const piece = body.subarray(sent * size, (sent + 1) * size)
        sent++
        this.push(piece)
        if (sent * size >= body.length) this.push(null)
      }
      if (sent === 0) push()
      else timer = setTimeout(push, gap)
    },
    destroy (err, callback) {
      clearTimeout(timer)
      callback(err)
    }
  })
}
