import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { deleteRunRows, fetchRunRows, probeCommitMs } from './database.js'
import { clearFaults, injections, phaseFaults, postSchedule, type AdminClient } from './faults.js'
import { ensureFixture, login, usersFor } from './fixture.js'
import type { LoaderJob, LoaderUser } from './loader.js'
import { defaultLoaders, runLoaders } from './loaders.js'
import type { BenchOptions } from './options.js'
import { pacedConnections } from './pacing.js'
import {
  assignPersonas, INGEST_ENDPOINT, offeredRate, PERSONAS, personaEndpoints, type Endpoint, type PersonaName
} from './personas.js'
import { deltas, parsePrometheusText, processView, routeStats, serverActivity, type Sample } from './prometheus.js'
import type { Progress } from './progress.js'
import { reconcile, unverified } from './reconcile.js'
import { renderHtmlReport } from './report-html.js'
import { freePort, spawnServer, type SpawnedServer } from './server.js'
import {
  errorCheck, latencyChecks, liveChecks, MACHINE_BUSY, pacedChecks, stressOutcome, throughputCheck, verdict
} from './slo.js'
import type { BenchResult, LiveReport, LossReport, MachineInfo, PhaseResult, SloCheck } from './types.js'
import { liveReport, startProbes, startSwarm, TRAILING_MS, type LiveInputs, type Swarm } from './live.js'
import type { SwarmJob } from './live-swarm.js'
import { DEFAULT_CONNECTIONS } from './options.js'

/** LIVE_ALERT_CREATED of the server the live bench starts (--server-env to change). */
export const LIVE_BENCH_ALERT_CREATED = 'sample:0.01'

/** A persona phase answered below this share of its offered rate was over capacity (latency ate the think time). */
const OVER_CAPACITY_SHARE = 0.8
/** How long to wait for a server with a backlog to go quiet after a phase. */
const QUIET_MAX_MS = 30_000
/** Event-loop utilisation above which the loader could not send on time (CPU-bound or starved of CPU). */
export const LOADER_ELU_LIMIT = 0.95

export interface RunIo {
  /** Project root: where src/server.ts and seed/cli.ts are. */
  cwd: string
  progress: Progress
}

export interface RunOutput {
  result: BenchResult
  files: { json: string, html: string, serverLog?: string }
}

interface Target {
  origin: string
  server: SpawnedServer | null
}

type PhaseSpec = Pick<LoaderJob, 'connections' | 'warmupS' | 'durationS' | 'timeoutS' | 'rampMs' | 'pacing'> & {
  name: string
  kind: PhaseResult['kind']
  targetRate: number | null
  personas?: Record<string, number>
  endpoints: Endpoint[]
  persona (index: number): PersonaName
}

export function newRunId (now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

export function machineInfo (): MachineInfo {
  const cpus = os.cpus()
  return {
    hostname: os.hostname(),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100)
  }
}

/**
 * After the loader stops, a server with a backlog is still answering and committing: wait until
 * its counters hold still for a second (or `maxMs` pass), so the server's view and the loss check
 * see everything. Returns the last scrape.
 */
async function waitForQuiet (origin: string, maxMs: number): Promise<{ quiet: boolean, waitedS: number, samples: Sample[] }> {
  const started = performance.now()
  let previous = ''
  let stable = 0
  let samples: Sample[] = []
  while (performance.now() - started < maxMs) {
    await sleep(500)
    samples = await scrape(origin)
    const activity = serverActivity(samples).join('/')
    stable = activity === previous ? stable + 1 : 0
    previous = activity
    if (stable >= 2) return { quiet: true, waitedS: (performance.now() - started) / 1000, samples }
  }
  return { quiet: false, waitedS: (performance.now() - started) / 1000, samples }
}

async function scrape (origin: string): Promise<Sample[]> {
  try {
    const res = await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) })
    return res.ok ? parsePrometheusText(await res.text()) : []
  } catch {
    return []
  }
}

/** The phases of a scenario, except stress, whose steps depend on each other's outcome. */
function plannedPhases (o: BenchOptions): PhaseSpec[] {
  const common = { warmupS: o.warmupS, durationS: o.durationS, timeoutS: o.timeoutS, rampMs: 0 }
  const ingester = () => 'ingester' as const

  if (o.scenario === 'ingest') {
    const pacedConns = o.connections ?? pacedConnections(o.rate, o.slo.p95Ms)
    const closedConns = o.connections ?? 100
    return [
      {
        ...common,
        name: `paced ${o.rate.toLocaleString('en-US')}/s`,
        kind: 'paced',
        targetRate: o.rate,
        connections: pacedConns,
        endpoints: [INGEST_ENDPOINT],
        persona: ingester,
        pacing: { kind: 'paced', rate: o.rate }
      },
      {
        ...common,
        name: 'max rate (closed loop)',
        kind: 'closed',
        targetRate: null,
        connections: closedConns,
        endpoints: [INGEST_ENDPOINT],
        persona: ingester,
        pacing: { kind: 'closed' }
      }
    ]
  }
  if (o.scenario === 'baseline' || o.scenario === 'concurrent' || o.scenario === 'live') {
    const connections = o.connections ?? DEFAULT_CONNECTIONS[o.scenario]
    const personas = assignPersonas(connections)
    const counts: Record<string, number> = {}
    for (const p of personas) counts[p] = (counts[p] ?? 0) + 1
    return [{
      ...common,
      name: `personas × ${connections.toLocaleString('en-US')}`,
      kind: 'personas',
      targetRate: null,
      connections,
      personas: counts,
      endpoints: personaEndpoints(),
      rampMs: o.rampS * 1000,
      persona: (i) => personas[i],
      pacing: { kind: 'think' }
    }]
  }
  return []
}

function stressStep (o: BenchOptions, rate: number): PhaseSpec {
  const connections = o.connections ?? pacedConnections(rate, o.slo.p95Ms)
  return {
    name: `step ${rate.toLocaleString('en-US')}/s`,
    kind: 'paced',
    targetRate: rate,
    connections,
    warmupS: o.warmupS,
    durationS: o.stressStepS,
    timeoutS: o.timeoutS,
    rampMs: 0,
    endpoints: [INGEST_ENDPOINT],
    persona: () => 'ingester',
    pacing: { kind: 'paced', rate }
  }
}

/**
 * Runs one scenario end to end: target, fixture, logins, phases with the server's /metrics
 * scraped around each, the loss check, SLOs, and the JSON and HTML reports.
 */
export async function runBench (o: BenchOptions, io: RunIo): Promise<RunOutput> {
  const runId = newRunId()
  const startedAt = new Date()
  const outDir = resolve(io.cwd, o.outDir)
  await mkdir(outDir, { recursive: true })
  const base = join(outDir, `${o.scenario}-${runId}`)
  const notes: string[] = []
  const serverEnv: Record<string, string> = {}
  let target: Target | null = null
  let admin: AdminClient | null = null

  try {
    if (o.url) {
      target = { origin: o.url, server: null }
    } else {
      if (!o.databaseUrl) throw new Error('no database for the server to start on')
      Object.assign(serverEnv, {
        DATABASE_URL: o.databaseUrl,
        PORT: String(await freePort()),
        RATE_LIMIT_ENABLED: String(o.rateLimit),
        LOG_LEVEL: 'warn',
        PG_POOL_MAX: String(o.pgPoolMax),
        REDIS_KEY_PREFIX: 'eriop-bench:',
        // A thousand sockets receiving every ingested alert would be ~700,000 messages/s on this mix.
        ...(o.scenario === 'live' ? { LIVE_ALERT_CREATED: LIVE_BENCH_ALERT_CREATED } : {}),
        ...o.serverEnv
      })
      if (o.faults) {
        const port = await freePort()
        admin = { url: `http://127.0.0.1:${port}`, token: randomBytes(24).toString('hex') }
        Object.assign(serverEnv, { ADMIN_PORT: String(port), ADMIN_TOKEN: admin.token, FAULTS_SEED: `bench-${o.randomSeed}`, ...o.serverEnv })
        notes.push(`Faults from ${o.faults.file} (${o.faults.rules} rules${o.faults.resourceActions.length ? `: ${o.faults.resourceActions.join(', ')} windows` : ''}) were posted when each phase's measured window began; the loader sent every ingest answered 5xx or 429, or not at all, again with the same Idempotency-Key. The error-rate SLO counts genuine errors only (injected faults and failures inside resource-fault windows apart).`)
        if (o.faults.resourceActions.includes('redis-pause')) notes.push('redis-pause freezes the whole Redis server the target uses (CLIENT PAUSE): give the bench a Redis of its own (--server-env REDIS_URL=…).')
      }
      io.progress.line(`starting the server (tsx src/server.ts) on ${o.databaseUrl}`)
      const maxConnections = Math.max(o.connections ?? 0, o.scenario === 'concurrent' ? 10_000 : 0) + (o.scenario === 'live' ? o.sockets + DEFAULT_CONNECTIONS.live : 0)
      const server = await spawnServer({
        cwd: io.cwd, env: serverEnv, logFile: `${base}-server.log`, fileLimit: Math.max(4096, maxConnections + 1024)
      })
      target = { origin: server.origin, server }
      io.progress.line(`server ready at ${server.origin} (pid ${server.pid})`)
    }
    const origin = target.origin

    if (o.seed && o.databaseUrl) {
      const did = await ensureFixture(io.cwd, o.databaseUrl, o.fresh)
      io.progress.line({ seeded: 'LOADTEST fixture created (npm run seed)', reset: 'LOADTEST fixture reset (npm run seed -- reset)', verified: 'LOADTEST fixture verified' }[did])
    } else if (o.seed) {
      notes.push('The fixture was not verified: no --database-url for the target.')
    }

    const specs = o.scenario === 'stress' ? [stressStep(o, o.rate)] : plannedPhases(o)
    const needed = new Map<PersonaName, number>()
    const personaCounts = (spec: PhaseSpec) => {
      const counts = new Map<PersonaName, number>()
      for (let i = 0; i < spec.connections; i++) counts.set(spec.persona(i), (counts.get(spec.persona(i)) ?? 0) + 1)
      return counts
    }
    for (const spec of specs) {
      for (const [p, n] of personaCounts(spec)) needed.set(p, Math.max(needed.get(p) ?? 0, n))
    }
    if (o.scenario === 'stress') needed.set('ingester', PERSONAS.ingester.users)
    const emails = [...needed].flatMap(([p, n]) => usersFor(p, n))
    io.progress.line(`logging in ${emails.length} fixture users`)
    const tokens = await login(origin, emails)

    let swarm: Swarm | null = null
    let swarmJob: SwarmJob | null = null
    let rss: LiveInputs['rss'] = null
    if (o.scenario === 'live') {
      swarmJob = { origin, tokens: [...tokens.values()], sockets: o.sockets, spawnRate: o.spawnRate, probePrefix: `bench-live-probe ${runId}` }
      await sleep(1000)
      const before = target.server?.sample()
      io.progress.line(`opening ${o.sockets.toLocaleString('en-US')} Socket.IO clients at ${o.spawnRate}/s`)
      swarm = await startSwarm(swarmJob)
      await sleep(2000)
      const connected = target.server?.sample()
      if (before && connected) rss = { before: before.rssMb, connected: connected.rssMb }
      const failed = o.sockets - swarm.connected.connected
      io.progress.line(`${swarm.connected.connected.toLocaleString('en-US')} sockets connected${failed ? `, ${failed} failed (${Object.entries(swarm.connected.errors).map(([k, v]) => `${k} × ${v}`).join(', ')})` : ''}`)
    }

    const postgresCommitMs = o.databaseUrl ? await probeCommitMs(o.databaseUrl).catch(() => undefined) : undefined
    const runBefore = await scrape(origin)
    let lastQuiet = null as Awaited<ReturnType<typeof waitForQuiet>> | null
    let live: LiveReport | undefined
    const phases: PhaseResult[] = []
    let faultSeed = ''
    const ledger = { sent: [] as string[], acked: [] as string[], rejected: [] as string[] }

    const runOne = async (spec: PhaseSpec, phaseIndex: number, hooks: { onMeasureStart?(): void, onLoadEnd?(): Promise<void> } = {}): Promise<PhaseResult> => {
      const before = await scrape(origin)
      const firstSample = target!.server?.sample() ?? null
      let lastSample = firstSample
      let lastSampleAt = performance.now()
      const counters = new Map<PersonaName, number>()
      const users = Array.from({ length: spec.connections }, (_, index): LoaderUser => {
        const persona = spec.persona(index)
        const k = counters.get(persona) ?? 0
        counters.set(persona, k + 1)
        const user = PERSONAS[persona].user((k % Math.min(PERSONAS[persona].users, needed.get(persona) ?? 1)) + 1)
        return { index, persona, token: tokens.get(user)! }
      })
      io.progress.phase(spec.name, spec.warmupS + spec.durationS)
      // The server's view covers the measured window too: scraped again when the warm-up ends.
      let measuredBefore = null as Promise<Sample[]> | null
      let goWallMs = Date.now()
      let postedWallMs: number | null = null
      let posting: Promise<void> | null = null
      const job = {
        origin,
        runId,
        phaseIndex,
        randomSeed: o.randomSeed,
        thinkScale: o.thinkScale,
        connections: spec.connections,
        warmupS: spec.warmupS,
        durationS: spec.durationS,
        timeoutS: spec.timeoutS,
        rampMs: spec.rampMs,
        pacing: spec.pacing,
        endpoints: spec.endpoints,
        retry: admin !== null
      }
      const run = await runLoaders(job, users, o.loaders ?? defaultLoaders(spec.connections), {
        onGo: (wallMs) => { goWallMs = wallMs },
        onMeasureStart: () => {
          measuredBefore = scrape(origin)
          if (admin && o.faults) {
            const client = admin
            posting = postSchedule(client, o.faults).then((at) => { postedWallMs = at }, (err: Error) => { notes.push(`"${spec.name}": ${err.message}`) })
          }
          hooks.onMeasureStart?.()
        },
        onSecond: (report) => {
          io.progress.second(report)
          const sample = target!.server?.sample()
          if (!sample) return
          const now = performance.now()
          const serverCpu = lastSample ? (sample.cpuSeconds - lastSample.cpuSeconds) / ((now - lastSampleAt) / 1000) : undefined
          lastSample = sample
          lastSampleAt = now
          return { serverRssMb: sample.rssMb, serverCpu }
        }
      })
      io.progress.done()
      const loadEndWallMs = Date.now()
      // A window still open would hold the drain (and the next phase) under its fault.
      if (admin) {
        await posting
        await clearFaults(admin)
      }
      await hooks.onLoadEnd?.()
      // Let answers still on the wire land and the ingest queue drain before the server is asked.
      const drain = await waitForQuiet(origin, QUIET_MAX_MS)
      const after = drain.samples
      lastQuiet = drain
      const scraped = measuredBefore ? await measuredBefore : []
      const windowBefore = scraped.length ? scraped : before
      if (!scraped.length && spec.warmupS > 0) {
        notes.push(`"${spec.name}": the server's /metrics did not answer when the warm-up ended (too busy), so its view of this phase includes the warm-up.`)
      }
      const endSample = target!.server?.sample() ?? null
      ledger.sent.push(...run.ledger.sent)
      ledger.acked.push(...run.ledger.acked)
      ledger.rejected.push(...run.ledger.rejected)
      const offered = spec.personas ? offeredRate(spec.personas, o.thinkScale) : null
      if (offered !== null && run.total.okPerS < offered * OVER_CAPACITY_SHARE) {
        notes.push(`"${spec.name}": these users offer about ${Math.round(offered).toLocaleString('en-US')} requests/s at their think times if every answer is instant; ${Math.round(run.total.okPerS).toLocaleString('en-US')}/s were answered 2xx, so the target (and the machine it shares with the loader) was over capacity and users waited on it instead of thinking.`)
      }
      const rssSeries = run.timeline.map((p) => p.serverRssMb).filter((v): v is number => v !== undefined)
      const serverCpuSeries = run.timeline.map((p) => p.serverCpu).filter((v): v is number => v !== undefined)
      const measuredCpu = serverCpuSeries.slice(Math.ceil(spec.warmupS))
      let timeline = run.timeline
      let faults: PhaseResult['faults']
      if (admin) {
        try {
          const log = await injections(admin)
          faultSeed = log.seed
          ;({ faults, timeline } = phaseFaults(log.entries, run.timeline, { startWallMs: goWallMs, endWallMs: loadEndWallMs + 1000, warmupS: spec.warmupS, postedWallMs }))
        } catch (err) {
          notes.push(`"${spec.name}": the injected faults could not be read (${(err as Error).message}).`)
        }
      }
      return {
        name: spec.name,
        kind: spec.kind,
        connections: spec.connections,
        targetRate: spec.targetRate,
        warmupS: spec.warmupS,
        durationS: run.durationS,
        startedAt: new Date(Date.now() - (spec.warmupS + run.durationS) * 1000).toISOString(),
        ...(spec.personas ? { personas: spec.personas, ...(offered !== null ? { offeredRate: offered } : {}) } : {}),
        total: run.total,
        endpoints: run.endpoints,
        histogram: run.histogram.toJSON(),
        timeline,
        ...(faults ? { faults } : {}),
        warmup: run.warmup,
        inFlightAtStop: run.inFlightAtStop,
        connectionErrors: run.connectionErrors,
        autocannon: run.autocannon,
        loader: { ...run.loader, saturated: run.loader.cpu >= o.slo.maxLoaderCpu || run.loader.elu >= LOADER_ELU_LIMIT },
        machine: run.machine,
        server: {
          drain: { quiet: drain.quiet, waitedS: drain.waitedS },
          routes: routeStats(windowBefore, after),
          total: routeStats(windowBefore, after, (l) => spec.endpoints.some((e) => e.method === l.method && e.route === l.route) ? { method: '*', route: '*' } : null)[0] ?? null,
          process: processView(windowBefore, after),
          ...(firstSample && endSample
            ? { rssMb: { start: firstSample.rssMb, end: endSample.rssMb, max: Math.max(firstSample.rssMb, endSample.rssMb, ...rssSeries) } }
            : {}),
          ...(measuredCpu.length ? { cpu: measuredCpu.reduce((a, b) => a + b, 0) / measuredCpu.length } : {})
        }
      }
    }

    if (o.scenario === 'stress') {
      for (let rate = o.rate, i = 0; rate <= o.stressMaxRate; rate += o.stressStep, i++) {
        const phase = await runOne(stressStep(o, rate), i)
        phases.push(phase)
        if (!pacedChecks(phase, o.slo).every((c) => c.pass)) break
        await sleep(1000)
      }
    } else if (swarm && swarmJob) {
      // Probes run through the measured window; their events are matched at every socket.
      let probes: ReturnType<typeof startProbes> | null = null
      let written: Awaited<ReturnType<ReturnType<typeof startProbes>['stop']>> = { probes: [], failures: [] }
      let result: Awaited<ReturnType<Swarm['collect']>> | undefined
      let windowStart = 0
      let metricsBefore: Sample[] = []
      const probeToken = tokens.get(PERSONAS.dispatcher.user(1))!
      try {
        phases.push(await runOne(specs[0], 0, {
          onMeasureStart: () => {
            windowStart = performance.timeOrigin + performance.now()
            scrape(origin).then((samples) => { metricsBefore = samples }, () => {})
            probes = startProbes(origin, probeToken, o.probeRate, swarmJob!.probePrefix)
          },
          // Probes end with the load, before the server is left to go quiet.
          onLoadEnd: async () => {
            if (probes) written = await probes.stop()
            await sleep(TRAILING_MS)
            result = await swarm!.collect()
          }
        }))
        if (written.failures.length) notes.push(`${written.failures.length} probe writes failed (${[...new Set(written.failures)].join(', ')}); they are not counted.`)
        if (!result) throw new Error('the socket swarm did not report')
        const metricsAfter = await scrape(origin)
        live = liveReport({
          job: swarmJob,
          swarm,
          result,
          probes: written.probes,
          probeRate: o.probeRate,
          windowStart,
          metricsBefore,
          metricsAfter,
          rss,
          liveAlertCreated: serverEnv.LIVE_ALERT_CREATED ?? 'as configured on the target'
        })
      } finally {
        swarm.kill()
      }
    } else {
      for (const [i, spec] of specs.entries()) phases.push(await runOne(spec, i))
    }

    // Loss check: what Postgres holds for this run against what the loader was told.
    let loss: LossReport
    if (ledger.sent.length === 0) {
      loss = unverified('no alerts were sent')
    } else if (!o.databaseUrl) {
      loss = unverified('no --database-url for the target', { sent: ledger.sent.length, acked: ledger.acked.length, rejected: ledger.rejected.length })
    } else {
      io.progress.line(`loss check: ${ledger.sent.length.toLocaleString('en-US')} alerts sent; reading them back from Postgres`)
      // Only a server the bench started serves nobody else, so only its counter can be held to the
      // rows, and only once it has gone quiet. A request the loader gave up on (a timeout, a fault)
      // may still commit after that: the counter is read on both sides of the query, and the query
      // made again until no commit landed in between.
      const quiet = lastQuiet?.quiet ?? false
      if (target.server && !quiet) notes.push(`The server was still busy ${Math.round(QUIET_MAX_MS / 1000)} s after the last phase: its committed counter was not compared with the rows.`)
      const countCommitted = async () => deltas(runBefore, await scrape(origin), 'ingest_alerts_committed_total')[0]?.value ?? null
      let rows = await fetchRunRows(o.databaseUrl, runId)
      let committed = target.server && quiet ? deltas(runBefore, lastQuiet!.samples, 'ingest_alerts_committed_total')[0]?.value ?? null : null
      for (let attempt = 0; committed !== null && committed !== rows.reqIds.length && attempt < 5; attempt++) {
        const before = await countCommitted()
        rows = await fetchRunRows(o.databaseUrl, runId)
        committed = before !== null && before === await countCommitted() ? before : committed
        if (committed !== rows.reqIds.length) await sleep(1000)
      }
      loss = reconcile(ledger, rows, committed)
      if (rows.mismatchedSourceIds) notes.push(`${rows.mismatchedSourceIds} stored alerts have a source_id that differs from the one sent.`)
      if (!o.keepRows) await deleteRunRows(o.databaseUrl, runId)
    }

    for (const p of phases) {
      if (p.machine.busy >= MACHINE_BUSY) {
        const own = p.loader.cpu + (p.server.cpu ?? 0)
        notes.push(`"${p.name}": the machine's ${os.cpus().length} cores were ${Math.round(p.machine.busy * 100)} % busy, of which the loader${p.server.cpu !== undefined ? ' and the API process' : ''} used ${Math.round(own * 100)} % of one core; Postgres, Redis and anything else running took the rest. Figures from a saturated machine are noisy.`)
      }
    }

    const checks: SloCheck[] = []
    let stress: BenchResult['stress']
    if (o.scenario === 'ingest') {
      checks.push(...pacedChecks(phases[0], o.slo), throughputCheck(phases[1], o.slo), errorCheck(phases[1], o.slo))
    } else if (o.scenario === 'stress') {
      const outcome = stressOutcome(phases, o.slo)
      stress = { sustainedRate: outcome.sustainedRate, breakingRate: outcome.breakingRate, failureMode: outcome.failureMode }
      const check = throughputCheck(phases.find((p) => p.name === outcome.breakingPhase) ?? phases[phases.length - 1], o.slo, outcome.sustainedRate ?? 0)
      checks.push({ ...check, label: 'highest paced rate meeting every SLO' })
    } else {
      checks.push(...latencyChecks(phases[0], o.slo), errorCheck(phases[0], o.slo))
      if (live) checks.push(...liveChecks(live, phases[0].name, o.slo))
    }

    const result: BenchResult = {
      version: 1,
      scenario: o.scenario,
      runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      target: { url: origin, spawned: target.server !== null, ...(target.server ? { serverEnv: redact(serverEnv) } : {}) },
      settings: settingsOf(o),
      slo: o.slo,
      machine: machineInfo(),
      ...(postgresCommitMs ? { postgresCommitMs } : {}),
      phases,
      checks,
      loss,
      ...(stress ? { stress } : {}),
      ...(o.faults ? { faults: { file: o.faults.file, seed: faultSeed, rules: o.faults.rules } } : {}),
      ...(live ? { live } : {}),
      verdict: verdict(checks, loss, phases),
      notes
    }
    const files = { json: `${base}.json`, html: `${base}.html`, ...(target.server ? { serverLog: target.server.logFile } : {}) }
    await writeFile(files.json, JSON.stringify(result, null, 2))
    await writeFile(files.html, renderHtmlReport(result))
    return { result, files }
  } finally {
    io.progress.done()
    if (target?.server) await target.server.stop()
  }
}

function redact (env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, /SECRET|PASSWORD|TOKEN/i.test(k) ? '***' : v.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')]))
}

function settingsOf (o: BenchOptions): Record<string, unknown> {
  return {
    durationS: o.durationS,
    warmupS: o.warmupS,
    rampS: o.rampS,
    spawnRate: o.spawnRate,
    connections: o.connections,
    loaders: o.loaders,
    rate: o.rate,
    ...(o.scenario === 'stress' ? { step: o.stressStep, maxRate: o.stressMaxRate, stepDurationS: o.stressStepS } : {}),
    timeoutS: o.timeoutS,
    thinkScale: o.thinkScale,
    rateLimit: o.rateLimit,
    pgPoolMax: o.url ? null : o.pgPoolMax,
    randomSeed: o.randomSeed,
    fresh: o.fresh,
    faults: o.faults?.file ?? null,
    ...(o.scenario === 'live' ? { sockets: o.sockets, probeRate: o.probeRate } : {})
  }
}
