// The socket swarm of `npm run bench -- live` (bench/live.ts forks it): opens the sockets at the
// spawn rate, records when each probe event arrives at each socket, and reports back on request.
// A process of its own so that receiving tens of thousands of messages a second does not slow the
// bench's own timing or its probe writer.
import { performance } from 'node:perf_hooks'
import { io, type Socket } from 'socket.io-client'

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

const LIVE_EVENTS = ['incident:created', 'incident:updated', 'alert:created', 'alert:updated', 'resource:updated']
const CONNECT_TIMEOUT_MS = 20_000
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const now = () => performance.timeOrigin + performance.now()

const sockets: Socket[] = []
const arrivals = new Map<string, number[]>()
const events: Record<string, number> = {}
const perSecond = new Map<number, number>()
let disconnects = 0

function open (job: SwarmJob, index: number): Promise<number | string> {
  return new Promise((resolve) => {
    const started = now()
    const socket = io(job.origin, {
      auth: { token: job.tokens[index % job.tokens.length] },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: CONNECT_TIMEOUT_MS
    })
    sockets.push(socket)
    for (const name of LIVE_EVENTS) {
      socket.on(name, (payload: { id?: string, title?: string }) => {
        const at = now()
        events[name] = (events[name] ?? 0) + 1
        const second = Math.floor(at / 1000)
        perSecond.set(second, (perSecond.get(second) ?? 0) + 1)
        if (name === 'incident:created' && typeof payload?.title === 'string' && payload.title.startsWith(job.probePrefix)) {
          const list = arrivals.get(payload.id!)
          if (list) list.push(at)
          else arrivals.set(payload.id!, [at])
        }
      })
    }
    socket.once('connect', () => {
      socket.on('disconnect', () => { disconnects++ })
      resolve(now() - started)
    })
    socket.once('connect_error', (err) => resolve(err.message || 'connect_error'))
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
  const connected = sockets.filter((s) => s.connected).length
  send({ type: 'result', arrivals: [...arrivals], events, perSecond: [...perSecond].sort((a, b) => a[0] - b[0]), disconnects, connected })
    .finally(() => {
      for (const socket of sockets) socket.disconnect()
      process.disconnect()
    })
})
process.on('disconnect', () => process.exit(0))
