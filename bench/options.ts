import { parseArgs } from 'node:util'
import { readSchedule, type FaultSchedule } from './faults.js'
import { DEFAULT_SLO } from './slo.js'
import { SCENARIOS, type Scenario, type SloTargets } from './types.js'

export class UsageError extends Error {}

export interface BenchOptions {
  scenario: Scenario
  /** Target a running server instead of spawning one (loopback only). */
  url: string | null
  /** Database of the target: the spawned server's, or the one the loss check reads with --url. */
  databaseUrl: string | null
  /** Measured seconds per phase (after warm-up). */
  durationS: number
  warmupS: number
  /** Seconds over which persona connections are opened. */
  /** Seconds over which persona connections open: connections ÷ spawnRate. */
  rampS: number
  /** Persona users opened per second (Locust's --spawn-rate). */
  spawnRate: number
  connections: number | null
  /** Loader processes per phase; null: one per 2,500 connections, at most one per core. */
  loaders: number | null
  /** Paced rate (ingest) or the stress ramp's first rate, req/s. */
  rate: number
  stressStep: number
  stressMaxRate: number
  stressStepS: number
  timeoutS: number
  thinkScale: number
  rateLimit: boolean
  pgPoolMax: number
  serverEnv: Record<string, string>
  slo: SloTargets
  outDir: string
  seed: boolean
  /** `seed reset` first: the fixture as seeded, without what earlier load tests added. */
  fresh: boolean
  keepRows: boolean
  quiet: boolean
  randomSeed: number
  /** --faults FILE: a fault schedule posted to the started server at the start of each measured window. */
  faults: FaultSchedule | null
  /** live: Socket.IO clients held open while the personas run. */
  sockets: number
  /** live: probe incidents written per second, whose events are matched at every socket. */
  probeRate: number
}

export const BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/eriop_bench'

/** Persona scenarios: `warmupS` is the least warm-up; it always covers the ramp and 10 s more. */
interface ScenarioDefaults { durationS: number, warmupS: number }

export const SCENARIO_DEFAULTS: Record<Scenario, ScenarioDefaults> = {
  ingest: { durationS: 15, warmupS: 3 },
  baseline: { durationS: 30, warmupS: 10 },
  concurrent: { durationS: 40, warmupS: 20 },
  stress: { durationS: 8, warmupS: 2 },
  live: { durationS: 30, warmupS: 10 }
}

/** The seed's Locust runs spawn 100 users a second (`-r 100`). */
export const SEED_SPAWN_RATE = 100
/** Persona warm-up after the last user has spawned, by default. */
const SETTLE_S = 10

/** Default connection counts: the seed's user counts where the machine allows, see the README. */
export const DEFAULT_CONNECTIONS: Record<Scenario, number> = { ingest: 100, baseline: 1000, concurrent: 10_000, stress: 0, live: 1000 }

/** live: sockets held open by default (the figure; 5,000 is this machine's stretch). */
export const DEFAULT_SOCKETS = 1000

export const USAGE = `Usage: npm run bench -- <scenario> [options]

Scenarios (the seed report's four, and live events):
  ingest       alerts only: a paced phase at --rate (latency SLOs) then a closed-loop phase (max throughput)
  baseline     the three personas 30/50/20 % with their think times, --connections users (default 1000)
  concurrent   the same with 10,000 open connections; reports the server's memory
  stress       paced ingest from --rate up by --step every --step-duration s until an SLO breaks
  live         --sockets Socket.IO clients (default 1000) opened at --spawn-rate, held while the personas
               run (--connections users, default 1000); probe incidents at --probe-rate: REST write →
               event latency at every socket, delivery completeness, server memory per socket

Target:
  --url URL              a running server (loopback only); default: start one on a free port
  --database-url URL     its database (default ${BENCH_DATABASE_URL}, or $BENCH_DATABASE_URL);
                         with --url, needed for the loss check (else it is skipped)
  --rate-limit           start the server with RATE_LIMIT_ENABLED=true (default: off)
  --pool N               PG_POOL_MAX of the started server (default 10)
  --server-env K=V       extra setting for the started server (repeatable)
  --no-seed              do not verify/create the LOADTEST fixture
  --fresh                reset the fixture first (npm run seed -- reset): removes the incidents, alerts
                         and acknowledgements earlier load tests left, for comparable runs

Load:
  --duration S           measured seconds per phase (ingest 15, baseline 30, concurrent 40, stress 8 per step)
  --step-duration S      stress: measured seconds per step (default: --duration)
  --warmup S             unmeasured seconds before each phase (ingest 3, stress 2; baseline and
                         concurrent: the ramp + 10 s, at least 10 and 20)
  --spawn-rate N         persona users opened per second, as Locust's -r (default 100, the seed's):
                         1,000 users ramp up over 10 s, 10,000 over 100 s
  --connections N        connections (= simulated users for personas)
  --loaders N            load-generator processes sharing the connections (default: one per
                         2,500 connections, at most one per core)
  --rate R               paced alerts/s (ingest: 1000; stress: first step, 1000)
  --step R               stress: rate added per step (1000)
  --max-rate R           stress: stop the ramp here (20000)
  --timeout S            request timeout (10)
  --think-scale F        multiply persona think times by F (default 1 = the seed's)
  --random-seed N        seed of the request mix (default 1); with --faults also the server's FAULTS_SEED
  --faults FILE          a fault schedule (faults/examples/*.json): the started server gets an admin
                         port, the schedule is posted when each phase's measured window begins, and
                         the loader retries ingests answered 5xx or 429, or not at all, with the same
                         Idempotency-Key; the report marks injected faults apart from genuine errors
  --sockets N            live: Socket.IO clients (default 1000)
  --probe-rate R         live: probe incidents per second (default 2)

SLO gates (defaults from the seed report):
  --min-throughput R     alerts/s (1000)        --p95 MS  (200)        --p99 MS  (500)
  --max-error-rate PCT   percent (1)            --max-loader-cpu PCT   loader saturation, % of one core (90)
  --event-p95 MS         live: p95 of REST write → event at the sockets (200)

Output:
  --out DIR              results directory (bench/results)
  --keep-rows            keep the run's alerts in the database (default: deleted after the loss check)
  --quiet                no progress bar (also when stdout is not a terminal or CI=true)

Exit codes: 0 pass · 1 SLO missed · 2 usage error · 3 data loss · 4 load generator saturated · 5 could not run`

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

function number (name: string, text: string | undefined, opts: { min?: number, max?: number, integer?: boolean } = {}): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text)
  if (!Number.isFinite(value) || text.trim() === '') throw new UsageError(`--${name} must be a number, got "${text}"`)
  if (opts.integer && !Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got "${text}"`)
  if (opts.min !== undefined && value < opts.min) throw new UsageError(`--${name} must be at least ${opts.min}, got ${value}`)
  if (opts.max !== undefined && value > opts.max) throw new UsageError(`--${name} must be at most ${opts.max}, got ${value}`)
  return value
}

export function parseBenchArgs (argv: string[], env: Record<string, string | undefined> = {}): BenchOptions | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        url: { type: 'string' },
        'database-url': { type: 'string' },
        duration: { type: 'string', short: 'd' },
        warmup: { type: 'string' },
        'spawn-rate': { type: 'string', short: 'r' },
        connections: { type: 'string', short: 'c' },
        loaders: { type: 'string' },
        rate: { type: 'string', short: 'R' },
        step: { type: 'string' },
        'max-rate': { type: 'string' },
        'step-duration': { type: 'string' },
        timeout: { type: 'string' },
        'think-scale': { type: 'string' },
        'random-seed': { type: 'string' },
        faults: { type: 'string' },
        sockets: { type: 'string' },
        'probe-rate': { type: 'string' },
        'event-p95': { type: 'string' },
        'rate-limit': { type: 'boolean' },
        pool: { type: 'string' },
        'server-env': { type: 'string', multiple: true },
        'no-seed': { type: 'boolean' },
        fresh: { type: 'boolean' },
        'min-throughput': { type: 'string' },
        p95: { type: 'string' },
        p99: { type: 'string' },
        'max-error-rate': { type: 'string' },
        'max-loader-cpu': { type: 'string' },
        out: { type: 'string' },
        'keep-rows': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' }
      }
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values: v, positionals } = parsed
  if (v.help) return 'help'
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one scenario, got ${positionals.join(' ')}` : 'which scenario? ingest, baseline, concurrent, stress or live')
  const scenario = positionals[0] as Scenario
  if (!SCENARIOS.includes(scenario)) throw new UsageError(`unknown scenario "${positionals[0]}": ingest, baseline, concurrent, stress or live`)

  let url: string | null = null
  if (v.url !== undefined) {
    let parsedUrl: URL
    try { parsedUrl = new URL(v.url) } catch { throw new UsageError(`--url is not a URL: ${v.url}`) }
    if (parsedUrl.protocol !== 'http:') throw new UsageError('--url must be http://')
    if (!LOOPBACK.has(parsedUrl.hostname) && !parsedUrl.hostname.startsWith('127.')) {
      throw new UsageError(`--url must be a loopback address (load tests target this machine only), got ${parsedUrl.hostname}`)
    }
    url = parsedUrl.origin
  }

  const serverEnv: Record<string, string> = {}
  for (const pair of v['server-env'] ?? []) {
    const eq = pair.indexOf('=')
    if (eq < 1) throw new UsageError(`--server-env takes KEY=VALUE, got "${pair}"`)
    serverEnv[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  if (v.fresh && v['no-seed']) throw new UsageError('--fresh resets the fixture; --no-seed leaves it alone: choose one')
  if (url && (Object.keys(serverEnv).length || v.pool || v['rate-limit'] || v.faults)) {
    throw new UsageError('--server-env, --pool, --rate-limit and --faults apply to a server the bench starts, not to --url')
  }
  let faults: FaultSchedule | null = null
  if (v.faults !== undefined) {
    try {
      faults = readSchedule(v.faults)
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
  }

  const defaults = SCENARIO_DEFAULTS[scenario]
  const slo: SloTargets = {
    minThroughput: number('min-throughput', v['min-throughput'], { min: 0 }) ?? DEFAULT_SLO.minThroughput,
    p95Ms: number('p95', v.p95, { min: 0.001 }) ?? DEFAULT_SLO.p95Ms,
    p99Ms: number('p99', v.p99, { min: 0.001 }) ?? DEFAULT_SLO.p99Ms,
    maxErrorRate: (number('max-error-rate', v['max-error-rate'], { min: 0, max: 100 }) ?? DEFAULT_SLO.maxErrorRate * 100) / 100,
    maxLoaderCpu: (number('max-loader-cpu', v['max-loader-cpu'], { min: 1, max: 1000 }) ?? DEFAULT_SLO.maxLoaderCpu * 100) / 100,
    eventP95Ms: number('event-p95', v['event-p95'], { min: 0.001 }) ?? DEFAULT_SLO.eventP95Ms
  }

  const durationS = number('duration', v.duration, { min: 0.5, max: 3600 }) ?? defaults.durationS
  const connections = number('connections', v.connections, { min: 1, max: 60_000, integer: true }) ?? null
  const spawnRate = number('spawn-rate', v['spawn-rate'], { min: 0.1, max: 100_000 }) ?? SEED_SPAWN_RATE
  const personas = scenario === 'baseline' || scenario === 'concurrent' || scenario === 'live'
  const rampS = personas ? (connections ?? DEFAULT_CONNECTIONS[scenario]) / spawnRate : 0
  return {
    scenario,
    url,
    databaseUrl: v['database-url'] ?? env.BENCH_DATABASE_URL ?? (url ? env.DATABASE_URL ?? null : BENCH_DATABASE_URL),
    durationS,
    warmupS: number('warmup', v.warmup, { min: 0, max: 1200 }) ?? (personas ? Math.max(defaults.warmupS, Math.ceil(rampS) + SETTLE_S) : defaults.warmupS),
    rampS,
    spawnRate,
    connections,
    loaders: number('loaders', v.loaders, { min: 1, max: 64, integer: true }) ?? null,
    rate: number('rate', v.rate, { min: 1, max: 1_000_000 }) ?? 1000,
    stressStep: number('step', v.step, { min: 1 }) ?? 1000,
    stressMaxRate: number('max-rate', v['max-rate'], { min: 1 }) ?? 20_000,
    stressStepS: number('step-duration', v['step-duration'], { min: 0.5, max: 600 }) ?? durationS,
    timeoutS: number('timeout', v.timeout, { min: 1, max: 300 }) ?? 10,
    thinkScale: number('think-scale', v['think-scale'], { min: 0, max: 100 }) ?? 1,
    rateLimit: v['rate-limit'] ?? false,
    pgPoolMax: number('pool', v.pool, { min: 1, max: 200, integer: true }) ?? 10,
    serverEnv,
    slo,
    outDir: v.out ?? 'bench/results',
    seed: !v['no-seed'],
    fresh: v.fresh ?? false,
    keepRows: v['keep-rows'] ?? false,
    quiet: (v.quiet ?? false) || env.CI === 'true',
    randomSeed: number('random-seed', v['random-seed'], { integer: true }) ?? 1,
    faults,
    sockets: number('sockets', v.sockets, { min: 1, max: 60_000, integer: true }) ?? DEFAULT_SOCKETS,
    probeRate: number('probe-rate', v['probe-rate'], { min: 0.1, max: 1000 }) ?? 2
  }
}
