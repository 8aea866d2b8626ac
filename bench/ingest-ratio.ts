/**
 * bench:ingest-ratio — how close an API's ingest route (ERIOP's POST /api/v1/alerts/ingest,
 * smart-maintenance's POST /api/v1/data/ingest with --api smart-maintenance) comes to the ceiling
 * of the very same server process, with an exact zero-loss reconciliation after every ingest run.
 *
 * Absolute figures swing ±20–25 % between identical runs on a shared 2-core VM, so the goals
 * are ratios against a ceiling measured in the same session: the route's no-op twin
 * (BENCH_NOOP_ROUTE, e.g. POST /api/v1/alerts/ingest/noop) does the same checks (ERIOP: JWT and
 * role), body validation and response serialization as ingest, and writes nothing.
 *
 *   npm run bench:ingest-ratio [-- --api eriop|smart-maintenance --duration 10 --warmup 3 --rounds 1 --rate 1000
 *                                 --rate-connections 100 --only … --env KEY=VALUE … --label … --keep-db --strict]
 *
 * --sockets N runs every ingest phase twice in a row, the second time with N Socket.IO clients
 * (WebSocket, the ingesting user's agency) connected: with --env LIVE_ALERT_CREATED=sample:0.01, the
 * cost of pushing live events while ingesting, as the median of with/without over the rounds.
 * --only <phases> runs a subset (names or their leading parts up to a '-': --only noop,ingest-c1000) for quick iterations;
 * --node-option passes a flag to the server's node (e.g. --node-option=--cpu-prof), --env a
 * setting to the server (e.g. --env INGEST_MAX_WAIT_MS=0).
 * Loopback only; starts its own server on a free port against a fresh database, stops by itself.
 * Exit code 1 when a correctness check fails (non-2xx, errors, loss, phantom rows); goals
 * missed only fail the run with --strict.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { prepareDatabase } from '../src/core/db/migrate.js'
import { freePort } from '../src/core/net.js'
import { INGEST_BENCH_TARGETS } from './ingest-targets.js'
import { metricSum, parsePrometheusText } from './prometheus.js'
import { startSwarm, type Swarm } from './live.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url))

const GOALS = {
  ratioC100: 0.80,
  ratioC1000: 0.60,
  p975C1000Ms: 250,
  p99Rate1000Ms: 50
}

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '1' },
    rate: { type: 'string', default: '1000' },
    'rate-connections': { type: 'string', default: '100' },
    'pg-url': { type: 'string', default: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    'redis-url': { type: 'string', default: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' },
    label: { type: 'string', default: '' },
    api: { type: 'string', default: 'eriop' },
    only: { type: 'string', default: '' },
    // e.g. --node-option=--cpu-prof --node-option=--cpu-prof-dir=bench/results/profiles
    'node-option': { type: 'string', multiple: true, default: [] },
    // e.g. --env INGEST_MAX_WAIT_MS=0 (server settings to compare)
    env: { type: 'string', multiple: true, default: [] },
    sockets: { type: 'string', default: '0' },
    'keep-db': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false }
  }
})

const DURATION = Number(args.duration)
const WARMUP = Number(args.warmup)
const ROUNDS = Number(args.rounds)
const RATE = Number(args.rate)
const RATE_CONNECTIONS = Number(args['rate-connections'])
// --only noop,ingest-c1000: run just the phases whose names start with these (for quick iterations).
const ONLY = args.only ? args.only.split(',').map((p) => p.trim()).filter(Boolean) : []
const DB_NAME = `eriop_bench_ingest_ratio_${process.pid}`
const API = args.api
const TARGET = INGEST_BENCH_TARGETS[API] ?? (() => { throw new Error(`--api: one of ${Object.keys(INGEST_BENCH_TARGETS).join(', ')}`) })()
const SOCKETS = Number(args.sockets)

// ---------------------------------------------------------------- CPU accounting (/proc)

const TICK_MS = 10 // USER_HZ is 100 on Linux

function procTicks (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12]) // utime + stime
  } catch {
    return 0
  }
}

/** CPU ticks of every postgres process, by pid (backends come and go during a run). */
function postgresTicks (): Map<number, number> {
  const ticks = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      if (comm.startsWith('postgres')) ticks.set(Number(entry), procTicks(Number(entry)))
    } catch {}
  }
  return ticks
}

/** Ticks spent between two snapshots by the processes alive at the second (new ones from zero). */
function ticksBetween (a: Map<number, number>, b: Map<number, number>): number {
  let sum = 0
  for (const [pid, ticks] of b) sum += Math.max(0, ticks - (a.get(pid) ?? 0))
  return sum
}

function boxTicks (): { busy: number, total: number } {
  const [line] = readFileSync('/proc/stat', 'utf8').split('\n')
  const parts = line.trim().split(/\s+/).slice(1).map(Number)
  const idle = parts[3] + (parts[4] ?? 0)
  const total = parts.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

interface CpuSnapshot { at: number, server: number, postgres: Map<number, number>, loader: number, box: { busy: number, total: number } }

function cpuSnapshot (serverPid: number): CpuSnapshot {
  const self = process.cpuUsage()
  return { at: performance.now(), server: procTicks(serverPid), postgres: postgresTicks(), loader: (self.user + self.system) / 1000, box: boxTicks() }
}

/** % of one core for each process, % of the whole box. */
function cpuBetween (a: CpuSnapshot, b: CpuSnapshot) {
  const wallMs = b.at - a.at
  const pct = (ms: number) => Math.round(ms / wallMs * 100)
  return {
    server: pct((b.server - a.server) * TICK_MS),
    postgres: pct(ticksBetween(a.postgres, b.postgres) * TICK_MS),
    loader: pct(b.loader - a.loader),
    box: Math.round((b.box.busy - a.box.busy) / Math.max(1, b.box.total - a.box.total) * 100),
    serverMs: (b.server - a.server) * TICK_MS,
    postgresMs: ticksBetween(a.postgres, b.postgres) * TICK_MS
  }
}

// ---------------------------------------------------------------- server process and /metrics

interface Server { child: ChildProcess, base: string, output: string[] }

async function startServer (databaseUrl: string): Promise<Server> {
  const port = await freePort()
  // node --import tsx, not the tsx CLI: the child's pid must be the server itself (CPU accounting, signals).
  const child = spawn(process.execPath, [...args['node-option'], '--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: args['redis-url'],
      REDIS_KEY_PREFIX: `eriop-bench:${process.pid}:`,
      API,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      BENCH_NOOP_ROUTE: 'true',
      WORKERS: '1',
      ...Object.fromEntries(args.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const output: string[] = []
  const keep = (chunk: Buffer) => { output.push(chunk.toString()); if (output.length > 200) output.shift() }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    try {
      const res = await fetch(`${base}/health/live`)
      if (res.ok) return { child, base, output }
    } catch {}
    await sleep(200)
  }
  child.kill('SIGKILL')
  throw new Error(`server did not start:\n${output.join('')}`)
}

async function stopServer (server: Server): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)))
  server.child.kill('SIGTERM')
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000)
  const code = await exited
  clearTimeout(timer)
  return code
}

/** Sums every series of `name` whose labels contain all of `labels`; undefined when the metric is absent. */
function metricValue (text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return metricSum(parsePrometheusText(text), name, labels)
}

interface ServerCounters { committed: number | undefined, http201: number, queueDepth: number | undefined, batches: number | undefined, liveSeconds: number | undefined }

async function serverCounters (base: string): Promise<ServerCounters> {
  const text = await (await fetch(`${base}/metrics`)).text()
  return {
    committed: metricValue(text, TARGET.committedMetric),
    http201: metricValue(text, 'http_requests_total', { route: TARGET.path, status_code: TARGET.createdStatus }) ?? 0,
    queueDepth: metricValue(text, 'ingest_queue_depth'),
    batches: metricValue(text, 'ingest_batch_size_count'),
    liveSeconds: metricValue(text, 'live_delivery_seconds_total')
  }
}

/** Waits until everything the server accepted is committed and answered: counters stop moving. */
async function settle (base: string): Promise<ServerCounters> {
  let previous = await serverCounters(base)
  for (let i = 0; i < 50; i++) {
    await sleep(300)
    const current = await serverCounters(base)
    if (current.committed === previous.committed && current.http201 === previous.http201 && !current.queueDepth) return current
    previous = current
  }
  return previous
}

// ---------------------------------------------------------------- fixture

async function adminQuery (sql: string) {
  const client = new pg.Client({ connectionString: args['pg-url'] })
  await client.connect()
  try { await client.query(sql) } finally { await client.end() }
}

function databaseUrl (name: string): string {
  const url = new URL(args['pg-url'])
  url.pathname = `/${name}`
  return url.toString()
}

interface LoadOptions { path: string, tag: string, connections: number, duration: number, rate?: number }

function cannon (base: string, headers: Record<string, string>, o: LoadOptions) {
  return autocannon({
    url: base + o.path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: TARGET.body(o.tag),
    idReplacement: true,
    connections: o.connections,
    duration: o.duration,
    overallRate: o.rate,
    // Longer than the run: a request is never abandoned (and re-sent) while the server still has it.
    // At -c 1000 some connections wait seconds for their first request: libuv accepts one connection
    // per event-loop turn (libuv/libuv#3696), and a saturated loop turns slowly. autocannon's default
    // 10 s timeout would count those as errors although the server commits and answers them.
    timeout: Math.max(30, o.duration * 3)
  })
}

interface PhaseResult {
  round: number
  phase: string
  path: string
  connections: number
  rate: number | null
  durationS: number
  reqPerSec: number
  latencyMs: { p50: number, p90: number, p97_5: number, p99: number, max: number }
  ok2xx: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  cpu: ReturnType<typeof cpuBetween>
  /**
   * Server CPU per answered request, in µs: unlike req/s it hardly depends on what else the shared
   * box is doing, so it compares designs even on a busy machine.
   */
  serverCpuUsPerReq: number
  /** Server time spent delivering live events (live_delivery_seconds_total), µs per answered request. */
  liveUsPerReq: number | null
  reconciliation?: {
    rows: number
    distinctIds: number
    rowsMinus2xx: number
    serverCommitted: number
    /** The writer's committed counter, or the fallback: the route's created-status answers. */
    serverCommittedSource: string
    batches: number | null
    avgBatch: number | null
    ok: boolean
    problems: string[]
  }
}

async function phase (
  ctx: { base: string, headers: Record<string, string>, pool: pg.Pool, pid: number, round: number },
  name: string, o: Omit<LoadOptions, 'tag' | 'duration'>, reconcile: boolean
): Promise<PhaseResult> {
  const tag = `r${ctx.round}-${name}-`
  if (WARMUP > 0) {
    await cannon(ctx.base, ctx.headers, { ...o, tag: `warm-${tag}`, duration: WARMUP })
  }
  const before = await settle(ctx.base)
  const cpu0 = cpuSnapshot(ctx.pid)
  const result = await cannon(ctx.base, ctx.headers, { ...o, tag, duration: DURATION })
  const cpu = cpuBetween(cpu0, cpuSnapshot(ctx.pid))
  const after = await settle(ctx.base)
  const statusCodes: Record<string, number> = {}
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0
  const out: PhaseResult = {
    round: ctx.round,
    phase: name,
    path: o.path,
    connections: o.connections,
    rate: o.rate ?? null,
    durationS: result.duration,
    reqPerSec: Math.round(result['2xx'] / result.duration),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    cpu,
    serverCpuUsPerReq: Math.round(cpu.serverMs * 1000 / Math.max(1, result['2xx'])),
    liveUsPerReq: after.liveSeconds !== undefined && before.liveSeconds !== undefined
      ? Math.round((after.liveSeconds - before.liveSeconds) * 1e7 / Math.max(1, result['2xx'])) / 10
      : null
  }
  if (reconcile) {
    const { rows, distinct } = await TARGET.countRows(ctx.pool, tag)
    const useCommitted = after.committed !== undefined && before.committed !== undefined
    const serverCommitted = useCommitted ? after.committed! - before.committed! : after.http201 - before.http201
    const batches = after.batches !== undefined && before.batches !== undefined ? after.batches - before.batches : null
    const problems: string[] = []
    if (result.non2xx !== 0) problems.push(`${result.non2xx} non-2xx`)
    if (result.errors !== 0) problems.push(`${result.errors} errors`)
    if (result.timeouts !== 0) problems.push(`${result.timeouts} timeouts`)
    if (rows < result['2xx']) problems.push(`LOSS: ${result['2xx'] - rows} acknowledged records missing`)
    if (rows - result['2xx'] > o.connections) problems.push(`${rows - result['2xx']} rows beyond 2xx + connections`)
    // Without the writer's counter (the naive writer had none) the fallback counts 201s the server
    // finished sending, which misses answers to connections autocannon dropped at the end: informative only.
    if (rows !== serverCommitted && useCommitted) problems.push(`rows ${rows} != server committed ${serverCommitted}`)
    if (distinct !== rows) problems.push(`${rows - distinct} duplicate rows`)
    out.reconciliation = {
      rows,
      distinctIds: distinct,
      rowsMinus2xx: rows - result['2xx'],
      serverCommitted,
      serverCommittedSource: useCommitted ? TARGET.committedMetric : `http_requests_total{${TARGET.createdStatus}} (fallback)`,
      batches,
      avgBatch: batches ? Math.round(serverCommitted / batches * 10) / 10 : null,
      ok: problems.length === 0,
      problems
    }
  }
  return out
}

// ---------------------------------------------------------------- report

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

function table (results: PhaseResult[]): string {
  const head = ['round', 'phase', 'conn', 'rate', '2xx/s', 'p50', 'p97.5', 'p99', 'max', 'non2xx', 'err', 'rows−2xx', 'rows=committed', 'avg batch', 'srv µs/req', 'cpu % srv/pg*/ldr/box']
  const lines = results.map((r) => [
    String(r.round), r.phase, String(r.connections), r.rate ? String(r.rate) : '-', String(r.reqPerSec),
    String(r.latencyMs.p50), String(r.latencyMs.p97_5), String(r.latencyMs.p99), String(r.latencyMs.max),
    String(r.non2xx), String(r.errors + r.timeouts),
    r.reconciliation ? String(r.reconciliation.rowsMinus2xx) : '-',
    r.reconciliation
      ? (r.reconciliation.rows === r.reconciliation.serverCommitted ? 'yes' : r.reconciliation.serverCommittedSource.startsWith('http') ? `n/a (${r.reconciliation.rows - r.reconciliation.serverCommitted})` : 'NO')
      : '-',
    r.reconciliation?.avgBatch != null ? String(r.reconciliation.avgBatch) : '-',
    String(r.serverCpuUsPerReq),
    `${r.cpu.server}/${r.cpu.postgres}/${r.cpu.loader}/${r.cpu.box}`
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
  return [fmt(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...lines.map(fmt)].join('\n')
}

/** Each ingest phase measured with sockets against the run just before it without: throughput and server CPU per request. */
function socketCosts (results: PhaseResult[]) {
  const costs: Array<{ phase: string, ratios: number[], median: number, cpuMedian: number, liveUsPerReq: number, serverUsPerReq: number }> = []
  for (const name of new Set(results.filter((r) => r.phase.endsWith('+sockets')).map((r) => r.phase.slice(0, -'+sockets'.length)))) {
    const pairs = results.filter((r) => r.phase === `${name}+sockets`).map((withSockets) => [results.find((r) => r.phase === name && r.round === withSockets.round)!, withSockets])
    const ratios = pairs.map(([without, withSockets]) => withSockets.reqPerSec / without.reqPerSec)
    const cpu = pairs.map(([without, withSockets]) => withSockets.serverCpuUsPerReq / without.serverCpuUsPerReq)
    const live = pairs.map(([, withSockets]) => withSockets.liveUsPerReq ?? NaN)
    costs.push({ phase: name, ratios, median: median(ratios), cpuMedian: median(cpu), liveUsPerReq: median(live), serverUsPerReq: median(pairs.map(([without]) => without.serverCpuUsPerReq)) })
  }
  return costs
}

// ---------------------------------------------------------------- main

async function main () {
  const started = new Date()
  await adminQuery(`drop database if exists "${DB_NAME}" with (force)`)
  const url = databaseUrl(DB_NAME)
  await prepareDatabase(url, TARGET.migrations)
  const caller = await TARGET.prepare(url)
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  let server: Server | undefined
  // Hard stop: whatever happens, the benchmark ends.
  const budgetMs = (ROUNDS * 5 * (DURATION + WARMUP + 20) + 120) * 1000
  const watchdog = setTimeout(() => {
    process.stderr.write(`benchmark exceeded ${budgetMs / 1000} s; stopping\n`)
    server?.child.kill('SIGKILL')
    process.exit(2)
  }, budgetMs)
  watchdog.unref()

  const results: PhaseResult[] = []
  let exitCode: number | null = null
  let swarm: Swarm | undefined
  const live: Array<{ phase: string, round: number, connected: number, events: Record<string, number>, disconnects: number }> = []
  try {
    server = await startServer(url)
    const headers = await caller(server.base)
    if (SOCKETS > 0 && API !== 'eriop') throw new Error('--sockets: live events are ERIOP\'s')
    for (let round = 1; round <= ROUNDS; round++) {
      const ctx = { base: server.base, headers, pool, pid: server.child.pid!, round }
      const measure = async (name: string, o: Omit<LoadOptions, 'tag' | 'duration'>, reconcile: boolean) => {
        process.stderr.write(`round ${round}: ${name} (${WARMUP}s warm-up + ${DURATION}s)…\n`)
        const r = await phase(ctx, name, o, reconcile)
        results.push(r)
        process.stderr.write(`  ${r.reqPerSec} 2xx/s, p99 ${r.latencyMs.p99} ms${r.reconciliation && !r.reconciliation.ok ? `, PROBLEMS: ${r.reconciliation.problems.join('; ')}` : ''}\n`)
      }
      const run = async (name: string, o: Omit<LoadOptions, 'tag' | 'duration'>, reconcile: boolean) => {
        // A phase's name or its leading parts up to a '-' select it: ingest-c100 is not ingest-c1000.
        if (ONLY.length > 0 && !ONLY.some((p) => name === p || name.startsWith(p.endsWith('-') ? p : `${p}-`))) return
        await measure(name, o, reconcile)
        if (SOCKETS === 0 || !reconcile) return
        const token = String(headers.authorization).replace(/^Bearer /, '')
        process.stderr.write(`opening ${SOCKETS} Socket.IO clients…\n`)
        swarm = await startSwarm({ origin: server!.base, tokens: [token], sockets: SOCKETS, spawnRate: 500, probePrefix: '\u0000none' })
        try {
          await measure(`${name}+sockets`, o, reconcile)
          const received = await swarm.collect()
          live.push({ phase: name, round, connected: swarm.connected.connected, events: received.events, disconnects: received.disconnects })
        } finally {
          swarm.kill()
          swarm = undefined
        }
      }
      await run('noop-c100', { path: TARGET.noopPath, connections: 100 }, false)
      await run('ingest-c100', { path: TARGET.path, connections: 100 }, true)
      await run('ingest-c1000', { path: TARGET.path, connections: 1000 }, true)
      await run(`ingest-R${RATE}`, { path: TARGET.path, connections: RATE_CONNECTIONS, rate: RATE }, true)
      // The same bursty schedule without the write: how much of the -R latency is the schedule itself.
      await run(`noop-R${RATE}`, { path: TARGET.noopPath, connections: RATE_CONNECTIONS, rate: RATE }, false)
    }
  } finally {
    swarm?.kill()
    if (server) exitCode = await stopServer(server)
    await pool.end()
    if (!args['keep-db']) await adminQuery(`drop database if exists "${DB_NAME}" with (force)`)
    clearTimeout(watchdog)
  }

  const pick = (name: string) => results.filter((r) => r.phase === name)
  const noop = median(pick('noop-c100').map((r) => r.reqPerSec))
  const noopFixed = pick(`noop-R${RATE}`)
  const c100 = pick('ingest-c100')
  const c1000 = pick('ingest-c1000')
  const fixed = pick(`ingest-R${RATE}`)
  const summary = {
    ceilingReqPerSec: noop,
    ingestC100: {
      reqPerSec: median(c100.map((r) => r.reqPerSec)),
      ratio: median(c100.map((r) => r.reqPerSec)) / noop,
      p99Ms: median(c100.map((r) => r.latencyMs.p99)),
      // Server CPU per noop request / per ingest request: the ratio the server alone would reach.
      cpuRatio: median(pick('noop-c100').map((r) => r.serverCpuUsPerReq)) / median(c100.map((r) => r.serverCpuUsPerReq))
    },
    ingestC1000: { reqPerSec: median(c1000.map((r) => r.reqPerSec)), ratio: median(c1000.map((r) => r.reqPerSec)) / noop, p97_5Ms: median(c1000.map((r) => r.latencyMs.p97_5)) },
    ingestFixedRate: { rate: RATE, reqPerSec: median(fixed.map((r) => r.reqPerSec)), p99Ms: median(fixed.map((r) => r.latencyMs.p99)) },
    noopFixedRate: { rate: RATE, p99Ms: median(noopFixed.map((r) => r.latencyMs.p99)) }
  }
  const goals = [
    { goal: `ingest -c 100 ≥ ${GOALS.ratioC100} × ceiling`, value: summary.ingestC100.ratio.toFixed(2), met: summary.ingestC100.ratio >= GOALS.ratioC100 },
    { goal: `ingest -c 1000 ≥ ${GOALS.ratioC1000} × ceiling`, value: summary.ingestC1000.ratio.toFixed(2), met: summary.ingestC1000.ratio >= GOALS.ratioC1000 },
    { goal: `ingest -c 1000 p97.5 ≤ ${GOALS.p975C1000Ms} ms`, value: `${summary.ingestC1000.p97_5Ms} ms`, met: summary.ingestC1000.p97_5Ms <= GOALS.p975C1000Ms },
    { goal: `ingest -R ${RATE} p99 ≤ ${GOALS.p99Rate1000Ms} ms`, value: `${summary.ingestFixedRate.p99Ms} ms`, met: summary.ingestFixedRate.p99Ms <= GOALS.p99Rate1000Ms },
    { goal: 'server exits 0 on SIGTERM after the runs', value: String(exitCode), met: exitCode === 0 }
  ]
  const correctness = results.every((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0 && (r.reconciliation?.ok ?? true))

  console.log(`\nbench:ingest-ratio (${API}) — ${started.toISOString()}${args.label ? ` — ${args.label}` : ''}`)
  console.log(`node ${process.version}, ${cpus().length} cores, ${DURATION}s runs after ${WARMUP}s warm-up, loader and server on the same box`)
  console.log(table(results))
  console.log('latency in ms; srv µs/req = server CPU per answered request; pg* = every postgres process on the box; box = both cores')
  console.log(`\nceiling (noop twin: same checks and schema): ${noop} req/s`)
  for (const g of goals) console.log(`${g.met ? 'met ' : 'MISS'}  ${g.goal}: ${g.value}`)
  console.log(`info  server CPU per request, noop / ingest -c 100: ${summary.ingestC100.cpuRatio.toFixed(2)}`)
  console.log(`info  noop -R ${RATE} p99 (the schedule's own share of the -R latency): ${summary.noopFixedRate.p99Ms} ms`)
  console.log(`zero loss and zero non-2xx in every run: ${correctness ? 'yes' : 'NO'}`)
  const socketCost = socketCosts(results)
  for (const c of socketCost) {
    console.log(`sockets: ${c.phase} with ${SOCKETS} sockets / without, median over ${c.ratios.length} round(s): ${c.median.toFixed(2)} throughput (${c.ratios.map((r) => r.toFixed(2)).join(', ')}), server CPU per request ${c.cpuMedian.toFixed(2)}×;` +
      ` delivering the events took ${c.liveUsPerReq.toFixed(1)} µs of the server's time per request (${c.serverUsPerReq} µs without sockets)`)
  }
  for (const l of live) console.log(`  ${l.phase} round ${l.round}: ${l.connected}/${SOCKETS} connected throughout (${l.disconnects} dropped); events received: ${Object.entries(l.events).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`)
  for (const r of results) if (r.reconciliation && !r.reconciliation.ok) console.log(`  ${r.phase} round ${r.round}: ${r.reconciliation.problems.join('; ')}`)
  console.log(`-R runs: autocannon sends each connection's per-second quota as a burst at the start of each second
(mcollina/autocannon#174), so -R latency is a bursty pattern, not an open-loop schedule.`)

  await mkdir(RESULTS_DIR, { recursive: true })
  const file = `${RESULTS_DIR}ingest-ratio-${started.toISOString().replaceAll(':', '-').replace(/\..+/, '')}.json`
  await writeFile(file, JSON.stringify({
    started,
    label: args.label || null,
    api: API,
    node: process.version,
    cores: cpus().length,
    settings: { durationS: DURATION, warmupS: WARMUP, rounds: ROUNDS, rate: RATE, rateConnections: RATE_CONNECTIONS, serverEnv: args.env },
    goals: GOALS,
    summary,
    goalResults: goals,
    correctness,
    serverExitCode: exitCode,
    ...(SOCKETS > 0 ? { sockets: SOCKETS, socketCost, live } : {}),
    results
  }, null, 2))
  console.log(`\nwritten ${file}`)
  if (!correctness || exitCode !== 0 || (args.strict && goals.some((g) => !g.met))) process.exitCode = 1
}

main().catch((err) => {
  console.error(err)
  process.exitCode = 1
})
