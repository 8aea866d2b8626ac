import type { HistogramJson, LatencySummary } from './histogram.js'
import type { ServerProcessView, ServerRouteStats } from './prometheus.js'

export const SCENARIOS = ['ingest', 'baseline', 'concurrent', 'stress', 'live'] as const
export type Scenario = typeof SCENARIOS[number]

/** Exit codes of `npm run bench`; the README documents them. */
export const EXIT = {
  pass: 0,
  sloMissed: 1,
  usage: 2,
  dataLoss: 3,
  loaderSaturated: 4,
  runError: 5
} as const
export type ExitCode = typeof EXIT[keyof typeof EXIT]

export interface SloTargets {
  /** Alerts (2xx ingests) per second, at least. */
  minThroughput: number
  p95Ms: number
  p99Ms: number
  /** Fraction of requests that may fail (non-2xx, connection errors, timeouts). */
  maxErrorRate: number
  /** Loader CPU, as a fraction of one core, above which it counts as saturated. */
  maxLoaderCpu: number
  /** live: p95 of REST write → event arriving at a socket. */
  eventP95Ms: number
}

export interface EndpointStats {
  method: string
  route: string
  label: string
  /** Requests sent in the measured window. */
  sent: number
  /** Answered with any status. */
  answered: number
  ok: number
  byStatus: Record<string, number>
  /** Sent but never answered: connection errors, timeouts, connections closed under them. */
  noAnswer: number
  timeouts: number
  /** Latency of answered requests (any status), measured from when the request was due. */
  latency: LatencySummary
  okPerS: number
}

export interface TimelinePoint {
  /** Seconds since the phase started. */
  t: number
  ok: number
  failed: number
  /** Answers (any status) whose latency the percentiles describe. */
  answered: number
  p50: number
  p95: number
  p99: number
  /** The busiest loader process's CPU; absent for a second no loader reported (starved of CPU). */
  loaderCpu?: number
  serverRssMb?: number
  serverCpu?: number
  /** Injected request faults that fail a request (error, reset, …) this second (--faults runs). */
  injected?: number
}

/** What a --faults run injected during one phase (bench/faults.ts). */
export interface PhaseFaults {
  /** When the schedule was posted, in seconds since the phase started (its windows count from there). */
  postedAtS: number | null
  /** Injections the server logged during the phase, every action. */
  injected: number
  byAction: Record<string, number>
  /** Resource faults (pg-lock, redis-pause, …) and when they held, in seconds since the phase started. */
  windows: { rule: string, action: string, fromS: number, toS: number }[]
  /** Failed requests of the measured window, by second: injected request faults, inside a resource window, and the genuine rest. */
  failures: { total: number, injected: number, duringWindows: number, genuine: number }
}

export interface PhaseResult {
  name: string
  kind: 'paced' | 'closed' | 'personas'
  connections: number
  /** Requests per second asked of the pacer (paced phases only). */
  targetRate: number | null
  warmupS: number
  durationS: number
  startedAt: string
  personas?: Record<string, number>
  /** Persona phases: requests/s these users send if every answer is instant (personas.ts offeredRate). */
  offeredRate?: number
  total: EndpointStats
  endpoints: EndpointStats[]
  histogram: HistogramJson
  timeline: TimelinePoint[]
  /** --faults runs only. */
  faults?: PhaseFaults
  warmup: { sent: number, ok: number }
  inFlightAtStop: number
  connectionErrors: Record<string, number>
  /** autocannon's own tally for the whole phase (warm-up included), as a cross-check. */
  autocannon: {
    sent: number
    '2xx': number
    non2xx: number
    errors: number
    timeouts: number
    latencyP50: number
    latencyP99: number
    latencyMax: number
  }
  /**
   * The load generator: `processes` loader processes; `cpu`, `peakCpu` and `elu` are the busiest
   * one's (saturation is a per-process limit), `cpuTotal` their sum, in cores.
   */
  loader: { processes: number, cpu: number, cpuTotal: number, peakCpu: number, elu: number, saturated: boolean }
  machine: { busy: number }
  server: {
    /** How long the server kept answering after the loader stopped (a backlog draining). */
    drain?: { quiet: boolean, waitedS: number }
    routes: ServerRouteStats[]
    /** The routes this phase's endpoints hit, folded together. */
    total: ServerRouteStats | null
    process: ServerProcessView
    rssMb?: { start: number, end: number, max: number }
    cpu?: number
  }
}

export interface SloCheck {
  id: 'throughput' | 'p95' | 'p99' | 'errors' | 'sustained' | 'event-p95' | 'delivery'
  phase: string
  label: string
  target: number
  actual: number
  unit: 'req/s' | 'ms' | '%'
  comparator: '>=' | '<'
  pass: boolean
}

export interface LossReport {
  verified: boolean
  reason?: string
  ok: boolean
  sent: number
  acked: number
  rejected: number
  /** Sent without a definite answer: in flight at stop, timed out, connection lost. */
  unknown: number
  rows: number
  /** rows − acked: must lie in [0, unknown]. */
  surplus: number
  missing: number
  unexpected: number
  duplicates: number
  storedDespiteRejection: number
  /** Requests sent again with the same Idempotency-Key after a 5xx, 429 or no answer (--faults runs). */
  retries: number
  /** How many of the unknown-outcome requests were committed anyway. */
  unknownCommitted: number
  /** ingest_alerts_committed_total over the run, when the bench started the server and it exposes it. */
  serverCommitted: number | null
  samples: { missing: string[], unexpected: string[], duplicates: string[], storedDespiteRejection: string[] }
}

export interface MachineInfo {
  hostname: string
  platform: string
  cpuModel: string
  cores: number
  memoryGb: number
  node: string
  loadAverage: number[]
}

export interface Verdict {
  exitCode: ExitCode
  status: 'pass' | 'slo-missed' | 'data-loss' | 'loader-saturated'
  reasons: string[]
  warnings: string[]
}

export interface BenchResult {
  version: 1
  scenario: Scenario
  runId: string
  startedAt: string
  finishedAt: string
  target: { url: string, spawned: boolean, serverEnv?: Record<string, string> }
  settings: Record<string, unknown>
  slo: SloTargets
  machine: MachineInfo
  /** A durable commit's round trip on the target's Postgres, just before the run. */
  postgresCommitMs?: { medianMs: number, maxMs: number }
  phases: PhaseResult[]
  checks: SloCheck[]
  loss: LossReport
  stress?: { sustainedRate: number | null, breakingRate: number | null, failureMode: string }
  /** --faults FILE: the schedule posted at the start of each phase's measured window, and the server's seed. */
  faults?: { file: string, seed: string, rules: number }
  live?: LiveReport
  verdict: Verdict
  notes: string[]
}

/** `live`: the Socket.IO sockets held open while the personas ran, and the probe events they got. */
export interface LiveReport {
  sockets: number
  connected: number
  spawnRate: number
  connect: LatencySummary
  connectHistogram: HistogramJson
  connectErrors: Record<string, number>
  /** Server RSS growth while the sockets connected, per socket (KB); null without /proc. */
  serverKbPerSocket: number | null
  serverRssMb: { before: number, connected: number } | null
  /** Probe incidents written through REST during the measured window. */
  probes: number
  probeRate: number
  /** REST write sent → its incident:created arriving at a socket, every (probe, socket) pair. */
  latency: LatencySummary
  latencyHistogram: HistogramJson
  /** The probe writes' own REST latency (sent → answered): the event's latency includes it. */
  restLatency: LatencySummary
  /** Per probe: seconds into the measured window, and its latency percentiles across the sockets. */
  timeline: Array<{ t: number, p50: number, p95: number, p99: number, received: number }>
  delivery: {
    /** probes × sockets connected. */
    expected: number
    received: number
    /** live_events_dropped_total{event="incident:created"} over the window (the server's slow-socket bound). */
    dropped: number
    unaccounted: number
  }
  /** Every live event the sockets received since connecting, by name, and per second in total. */
  events: Record<string, number>
  perSecond: Array<[number, number]>
  disconnects: number
  liveAlertCreated: string
}
