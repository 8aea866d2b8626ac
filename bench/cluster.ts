// `npm run bench:cluster`: the same closed-loop load against WORKERS=1 and WORKERS=2 (node:cluster),
// on loopback, and the throughput ratio. Bounded: a few seconds per run, then the server is stopped.
//
//   npm run bench:cluster -- [--workers 1,2] [--duration 10] [--connections 50] [--path incidents|health] [--rounds 1]
//
// --rounds N repeats the sequence (1, 2, 1, 2, …) and reports each setting's median, which evens
// out a machine whose load changes during the runs.
// The server uses DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/eriop_bench_cluster
// (created, migrated and seeded by the server itself: SEED_ON_START). autocannon runs in this
// process, on the same machine: on a small machine it takes CPU the workers would otherwise use.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { freePort } from '../src/core/db/embedded.js'
import { DEFAULT_AGENCY_CODE, FIXTURE_PASSWORD, fixtureEmail, fixtureIdentity } from '../src/apis/eriop/fixture/fixture.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url))
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/eriop_bench_cluster'
const LOGIN = { email: fixtureEmail(fixtureIdentity(DEFAULT_AGENCY_CODE), 'dispatcher', 1), password: FIXTURE_PASSWORD }
const PATHS = { incidents: '/api/v1/incidents/active', health: '/health' } as const
const MAX_DURATION_S = 60
const MAX_CONNECTIONS = 1000

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1,2' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    path: { type: 'string', default: 'incidents' },
    rounds: { type: 'string', default: '1' }
  }
})

const workerCounts = values.workers.split(',').map(Number)
const durationS = Math.min(Number(values.duration), MAX_DURATION_S)
const warmupS = Math.min(Number(values.warmup), MAX_DURATION_S)
const connections = Math.min(Number(values.connections), MAX_CONNECTIONS)
const rounds = Math.min(Math.max(Math.trunc(Number(values.rounds)), 1), 5)
if (!(values.path in PATHS)) throw new Error(`--path must be one of ${Object.keys(PATHS).join(', ')}`)
const path = PATHS[values.path as keyof typeof PATHS]
if (workerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 16) || !(durationS > 0) || !(connections > 0)) {
  throw new Error('usage: --workers 1,2 --duration 10 --connections 50 --path incidents|health')
}

interface Run {
  workers: number
  requestsPerSecond: number
  latencyMs: { p50: number, p97_5: number, p99: number, max: number }
  errors: number
  non2xx: number
  exitCode: number | null
}

async function startServer (workers: number, port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
      SEED_ON_START: 'true',
      HOST: '127.0.0.1',
      PORT: String(port),
      WORKERS: String(workers),
      RATE_LIMIT_ENABLED: 'false',
      // Every request reads Postgres and serializes the list: the work workers share, not a cache hit.
      LIST_CACHE_TTL_MS: '0',
      LOG_LEVEL: 'warn'
    },
    stdio: ['ignore', 'inherit', 'inherit']
  })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was ready`)
    if (await fetch(`${origin}/health`).then((r) => r.ok, () => false)) {
      return {
        origin,
        async stop () {
          child.kill('SIGTERM')
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
          const code = await exited
          clearTimeout(timer)
          return code
        }
      }
    }
    await sleep(200)
  }
  child.kill('SIGKILL')
  throw new Error('server not ready within 120 s')
}

async function load (url: string, token: string, seconds: number) {
  return await autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
    timeout: 10
  })
}

async function measure (workers: number): Promise<Run> {
  const server = await startServer(workers, await freePort())
  try {
    const login = await fetch(`${server.origin}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LOGIN)
    })
    if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`)
    const { access_token: token } = await login.json() as { access_token: string }
    if (warmupS > 0) await load(server.origin + path, token, warmupS)
    const result = await load(server.origin + path, token, durationS)
    return {
      workers,
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max },
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      exitCode: null
    }
  } finally {
    const code = await server.stop()
    if (code !== 0) process.exitCode = 1
    process.stderr.write(`WORKERS=${workers}: server stopped with exit code ${code}\n`)
  }
}

const runs: Run[] = []
for (let round = 1; round <= rounds; round++) {
  for (const workers of workerCounts) {
    process.stderr.write(`round ${round}/${rounds}, WORKERS=${workers}: ${warmupS} s warm-up, ${durationS} s of GET ${path} with ${connections} connections…\n`)
    runs.push(await measure(workers))
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
const summary = workerCounts.map((workers) => {
  const mine = runs.filter((r) => r.workers === workers)
  const pick = (f: (r: Run) => number) => median(mine.map(f))
  return {
    workers,
    requestsPerSecond: pick((r) => r.requestsPerSecond),
    all: mine.map((r) => r.requestsPerSecond),
    p50: pick((r) => r.latencyMs.p50),
    p97_5: pick((r) => r.latencyMs.p97_5),
    p99: pick((r) => r.latencyMs.p99),
    errors: mine.reduce((n, r) => n + r.errors, 0),
    non2xx: mine.reduce((n, r) => n + r.non2xx, 0)
  }
})
const base = summary[0].requestsPerSecond
const table = [
  `| WORKERS | requests/s${rounds > 1 ? ' (median)' : ''} | ratio | p50 ms | p97.5 ms | p99 ms | errors | non-2xx |${rounds > 1 ? ' every round |' : ''}`,
  `|---:|---:|---:|---:|---:|---:|---:|---:|${rounds > 1 ? '---|' : ''}`,
  ...summary.map((r) => `| ${r.workers} | ${r.requestsPerSecond} | ${(r.requestsPerSecond / base).toFixed(2)} | ${r.p50} | ${r.p97_5} | ${r.p99} | ${r.errors} | ${r.non2xx} |${rounds > 1 ? ` ${r.all.join(', ')} |` : ''}`)
].join('\n')
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end`
process.stdout.write(`\nGET ${path}, ${connections} connections, ${durationS} s per run, loopback, autocannon on the same machine (${machine})\n\n${table}\n`)

await mkdir(RESULTS, { recursive: true })
const file = `${RESULTS}cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
await writeFile(file, JSON.stringify({ path, connections, durationS, warmupS, rounds, machine, summary, runs }, null, 2) + '\n')
process.stdout.write(`\n${file}\n`)
if (runs.some((r) => r.errors > 0 || r.non2xx > 0)) process.exitCode = 1
