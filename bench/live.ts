// `npm run bench -- live`: a swarm of Socket.IO clients (./live-swarm.ts, a process of its own)
// held open while the persona mix runs, and probe incidents written through REST whose
// incident:created events are matched by id at every socket.
import { fork, type ChildProcess } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Histogram } from './histogram.js'
import type { SwarmJob, SwarmMessage } from './live-swarm.js'
import { deltas, type Sample } from './prometheus.js'
import type { LiveReport } from './types.js'

const ENTRY = fileURLToPath(new URL('./live-swarm.ts', import.meta.url))
/** How long after the last probe its events may still be on their way. */
const TRAILING_MS = 3000
const now = () => performance.timeOrigin + performance.now()

export interface Swarm {
  connected: Extract<SwarmMessage, { type: 'connected' }>
  collect (): Promise<Extract<SwarmMessage, { type: 'result' }>>
  kill (): void
}

/** Forks the swarm, opens every socket at the spawn rate, resolves once all have connected or failed. */
export async function startSwarm (job: SwarmJob): Promise<Swarm> {
  const child: ChildProcess = fork(ENTRY, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const next = () => new Promise<SwarmMessage>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the socket swarm exited (code ${code})`))
    child.once('exit', onExit)
    child.once('message', (message: SwarmMessage) => {
      child.off('exit', onExit)
      if (message.type === 'error') reject(new Error(`socket swarm: ${message.message}`))
      else resolve(message)
    })
  })
  const first = next()
  child.send({ type: 'job', job })
  const connected = await first as Extract<SwarmMessage, { type: 'connected' }>
  return {
    connected,
    async collect () {
      const result = next()
      child.send({ type: 'collect' })
      return await result as Extract<SwarmMessage, { type: 'result' }>
    },
    kill () { if (child.exitCode === null) child.kill('SIGKILL') }
  }
}

export interface Probe { id: string, sentAt: number, answeredAt: number }

/** Writes one probe incident every 1/rate s until stopped; each is remembered with when it was sent. */
export function startProbes (origin: string, token: string, rate: number, prefix: string) {
  const probes: Probe[] = []
  const failures: string[] = []
  const state = { stopped: false }
  let seq = 0
  const inFlight = new Set<Promise<void>>()
  const write = async () => {
    const sentAt = now()
    try {
      const res = await fetch(`${origin}/api/v1/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          category: 'fire',
          priority: 3,
          title: `${prefix} ${++seq}`,
          description: 'bench live probe',
          location: { latitude: 45.5, longitude: -73.56, address: '1 Probe Street', building_info: null }
        }),
        signal: AbortSignal.timeout(10_000)
      })
      if (res.status !== 201) failures.push(`HTTP ${res.status}`)
      else probes.push({ id: (await res.json() as { id: string }).id, sentAt, answeredAt: now() })
    } catch (err) {
      failures.push((err as Error).name)
    }
  }
  const loop = (async () => {
    const started = now()
    for (let i = 0; !state.stopped; i++) {
      const wait = started + (i / rate) * 1000 - now()
      if (wait > 0) await sleep(wait)
      if (state.stopped) break
      const p = write().finally(() => inFlight.delete(p))
      inFlight.add(p)
    }
  })()
  return {
    async stop () {
      state.stopped = true
      await loop
      await Promise.all(inFlight)
      return { probes, failures }
    }
  }
}

export interface LiveInputs {
  job: SwarmJob
  swarm: Swarm
  result: Extract<SwarmMessage, { type: 'result' }>
  probes: Probe[]
  probeRate: number
  windowStart: number
  metricsBefore: Sample[]
  metricsAfter: Sample[]
  rss: { before: number, connected: number } | null
  liveAlertCreated: string
}

/** Matches every probe with its arrivals at every socket: latency, completeness, the rest. */
export function liveReport (i: LiveInputs): LiveReport {
  const arrivals = new Map(i.result.arrivals)
  const latency = new Histogram()
  const rest = new Histogram()
  const timeline: LiveReport['timeline'] = []
  let received = 0
  for (const probe of i.probes) {
    const got = arrivals.get(probe.id) ?? []
    rest.record(probe.answeredAt - probe.sentAt)
    const one = new Histogram()
    for (const at of got) {
      latency.record(at - probe.sentAt)
      one.record(at - probe.sentAt)
    }
    received += got.length
    timeline.push({ t: (probe.sentAt - i.windowStart) / 1000, p50: one.percentile(50), p95: one.percentile(95), p99: one.percentile(99), received: got.length })
  }
  const connectHistogram = new Histogram()
  for (const ms of i.swarm.connected.connectMs) connectHistogram.record(ms)
  const connected = i.swarm.connected.connected
  const expected = i.probes.length * connected
  const dropped = deltas(i.metricsBefore, i.metricsAfter, 'live_events_dropped_total')
    .filter((d) => d.labels.event === 'incident:created').reduce((sum, d) => sum + d.value, 0)
  return {
    sockets: i.job.sockets,
    connected,
    spawnRate: i.job.spawnRate,
    connect: connectHistogram.summary(),
    connectHistogram: connectHistogram.toJSON(),
    connectErrors: i.swarm.connected.errors,
    serverKbPerSocket: i.rss && connected > 0 ? ((i.rss.connected - i.rss.before) * 1024) / connected : null,
    serverRssMb: i.rss,
    probes: i.probes.length,
    probeRate: i.probeRate,
    latency: latency.summary(),
    latencyHistogram: latency.toJSON(),
    restLatency: rest.summary(),
    timeline,
    delivery: { expected, received, dropped, unaccounted: Math.max(0, expected - received - dropped) },
    events: i.result.events,
    perSecond: i.result.perSecond.map(([second, n]) => [second - Math.floor(i.windowStart / 1000), n]),
    disconnects: i.result.disconnects,
    liveAlertCreated: i.liveAlertCreated
  }
}

export { TRAILING_MS }
