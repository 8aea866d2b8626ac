// The socket swarm of `npm run bench -- live` (bench/live.ts forks it): opens the sockets at the
// spawn rate, records when each probe event arrives at each socket, and reports back on request.
// A process of its own so that receiving tens of thousands of messages a second does not slow the
// bench's own timing or its probe writer.
import { performance } from 'node:perf_hooks'
import { WebSocket } from 'ws'

export interface SwarmJob {
  origin: string
  tokens: string[]
  sockets: number
  spawnRate: number
  /** Incidents whose title starts with this are the bench's probes. */
  probePrefix: string
}

export type SwarmMessage =
  | { type: 'connected', connectMs: number[], errors: Record<string, number>, connected: number }
  | { type: 'result', arrivals: Array<[string, number[]]>, events: Record<string, number>, perSecond: Array<[number, number]>, disconnects: number, connected: number }
  | { type: 'error', message: string }

const CONNECT_TIMEOUT_MS = 20_000
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const now = () => performance.timeOrigin + performance.now()

const sockets: WebSocket[] = []
const arrivals = new Map<string, number[]>()
const events: Record<string, number> = {}
const perSecond = new Map<number, number>()
let disconnects = 0

// The sockets speak Socket.IO's wire protocol themselves (Engine.IO 4 over WebSocket, as a stock
// client does once upgraded) instead of running socket.io-client: on this box the swarm shares the
// cores with the server, and decoding every payload of tens of thousands of events a second cost
// more CPU than the server spent sending them. A frame is read only as far as its event name; only
// incident:created payloads, where the probes are, are parsed. Stock clients are the tests' business.
const OPEN = 0x30 // '0': Engine.IO open (the handshake)
const PING = 0x32 // '2': Engine.IO ping, answered with '3'
const MESSAGE = 0x34 // '4': Engine.IO message, a Socket.IO packet follows
const SIO_CONNECT = 0x30 // '40': connected to the namespace
const SIO_EVENT = 0x32 // '42["name",payload]'
const SIO_CONNECT_ERROR = 0x34 // '44{"message":…}'

function onEvent (job: SwarmJob, frame: Buffer) {
  const at = now()
  // 42["name",… : the name runs from index 4 to the next quote (event names hold no escapes).
  const end = frame.indexOf(0x22, 4)
  if (end < 0) return
  const name = frame.toString('latin1', 4, end)
  events[name] = (events[name] ?? 0) + 1
  const second = Math.floor(at / 1000)
  perSecond.set(second, (perSecond.get(second) ?? 0) + 1)
  if (name !== 'incident:created') return
  const [, payload] = JSON.parse(frame.toString('utf8', 2)) as [string, { id?: string, title?: string }]
  if (typeof payload?.title !== 'string' || !payload.title.startsWith(job.probePrefix)) return
  const list = arrivals.get(payload.id!)
  if (list) list.push(at)
  else arrivals.set(payload.id!, [at])
}

function open (job: SwarmJob, index: number): Promise<number | string> {
  return new Promise((resolve) => {
    const started = now()
    const url = new URL('/socket.io/?EIO=4&transport=websocket', job.origin)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true })
    sockets.push(socket)
    let settled = false
    let up = false
    const settle = (outcome: number | string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      up = typeof outcome === 'number'
      if (!up) socket.terminate()
      resolve(outcome)
    }
    const timer = setTimeout(() => settle('timeout'), CONNECT_TIMEOUT_MS)
    socket.on('message', (frame: Buffer) => {
      const type = frame[0]
      if (type === MESSAGE) {
        const packet = frame[1]
        if (packet === SIO_EVENT) onEvent(job, frame)
        else if (packet === SIO_CONNECT) settle(now() - started)
        else if (packet === SIO_CONNECT_ERROR) settle((JSON.parse(frame.toString('utf8', 2)) as { message?: string }).message ?? 'connect_error')
      } else if (type === PING) {
        socket.send('3')
      } else if (type === OPEN) {
        socket.send(`40${JSON.stringify({ token: job.tokens[index % job.tokens.length] })}`)
      }
    })
    socket.on('error', (err) => settle(err.message || 'error'))
    socket.on('close', () => {
      if (up) disconnects++
      settle('closed')
    })
  })
}

async function connectAll (job: SwarmJob) {
  const pending: Array<Promise<number | string>> = []
  const started = now()
  for (let i = 0; i < job.sockets; i++) {
    const due = started + (i / job.spawnRate) * 1000
    const wait = due - now()
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait))
    pending.push(open(job, i))
  }
  const outcomes = await Promise.all(pending)
  const connectMs = outcomes.filter((o): o is number => typeof o === 'number')
  const errors: Record<string, number> = {}
  for (const o of outcomes) if (typeof o === 'string') errors[o] = (errors[o] ?? 0) + 1
  return { connectMs, errors, connected: connectMs.length }
}

const send = (message: SwarmMessage) => new Promise<void>((resolve) => { process.send!(message, () => resolve()) })

process.on('message', (message: { type: 'job', job: SwarmJob } | { type: 'collect' }) => {
  if (message.type === 'job') {
    connectAll(message.job).then(
      (outcome) => send({ type: 'connected', ...outcome }),
      (err: Error) => send({ type: 'error', message: err.stack ?? String(err) })
    )
    return
  }
  const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length
  send({ type: 'result', arrivals: [...arrivals], events, perSecond: [...perSecond].sort((a, b) => a[0] - b[0]), disconnects, connected: open })
    .finally(() => {
      for (const socket of sockets) socket.close()
      process.disconnect()
    })
})
process.on('disconnect', () => process.exit(0))
