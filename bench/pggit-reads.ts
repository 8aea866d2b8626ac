// `npm run bench -- pggit-reads [--cache on|off|both] [--ws N] [--duration S] [--connections N]`:
// the PGGIT suite's read mix (its GET tasks, in its weights) against a real pggit server process,
// with the Redis response cache on and off: requests/s and p95. With --ws N, N dashboard
// WebSocket clients stay open (subscribed to everything, heartbeats every 5 s) while the REST mix
// runs, and the server's memory per socket is reported. Bounded: one run per cache setting.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import WebSocket from 'ws'
import { pggitFixture } from '../src/apis/pggit/fixture/store.js'
import { SUITE_TOKEN } from '../src/apis/pggit/index.js'
import { PGGIT_MIGRATIONS } from '../src/apis/pggit/migrations.js'
import { createDb, createPool } from '../src/core/db/client.js'
import { prepareDatabase } from '../src/core/db/migrate.js'
import { freePort } from '../src/core/net.js'
import { ensureFileLimit } from './fdlimit.js'
import { spawnServer, type SpawnedServer } from './server.js'

const USAGE = `Usage: npm run bench -- pggit-reads [options]
  --cache on|off|both   the pggit response cache (default both: two runs, compared)
  --ws N                hold N /ws/dashboard clients open during each run (default 0)
  --duration S          seconds per run (default 15)
  --connections N       HTTP connections (default 50)
  --database-url URL    default postgres://postgres@127.0.0.1:5432/eriop_bench_pggit`

/** The suite's GET tasks with their weights (3, 2, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1), interleaved. */
const MIX: Array<[string, number]> = [
  ['/api/v1/webhooks', 3], ['/api/v1/webhooks/1', 2], ['/api/v1/alerts?limit=50&offset=0', 4], ['/api/v1/alerts/1', 2],
  ['/api/v1/alerts/stats/summary', 1], ['/api/v1/dashboard', 3], ['/api/v1/dashboard/performance', 2], ['/api/v1/dashboard/webhooks', 2],
  ['/api/v1/dashboard/anomalies', 1], ['/api/v1/cache/stats', 1], ['/health', 1], ['/health/deep', 1]
]

function interleaved (): string[] {
  const left = MIX.map(([path, weight]) => ({ path, weight }))
  const order: string[] = []
  while (left.some((e) => e.weight > 0)) for (const e of left) if (e.weight-- > 0) order.push(e.path)
  return order
}

function percentile (sorted: number[], q: number): number {
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] * 10) / 10 : 0
}

interface RunResult { cache: string, rps: number, p50: number, p95: number, p99: number, requests: number, non2xx: number, errors: number, sockets?: number, heartbeats?: number, rssPerSocketKb?: number }

async function openSockets (server: SpawnedServer, n: number) {
  const url = `${server.origin.replace('http', 'ws')}/ws/dashboard?token=${SUITE_TOKEN}`
  const sockets: WebSocket[] = []
  const counts = { heartbeats: 0, messages: 0, failed: 0 }
  const before = server.sample()?.rssMb ?? 0
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => new Promise<void>((resolve) => {
      const ws = new WebSocket(url)
      ws.on('open', () => { ws.send(JSON.stringify({ action: 'subscribe', types: ['metrics', 'alerts', 'webhooks'] })); sockets.push(ws); resolve() })
      ws.on('message', (data) => {
        counts.messages++
        if (data.toString().includes('"heartbeat"')) counts.heartbeats++
      })
      ws.on('error', () => { counts.failed++; resolve() })
    })))
  }
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const after = server.sample()?.rssMb ?? 0
  return { sockets, counts, rssDeltaMb: after - before }
}

async function run (databaseUrl: string, cache: 'on' | 'off', opts: { duration: number, connections: number, ws: number }): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pggit-bench-'))
  const server = await spawnServer({
    cwd: process.cwd(),
    env: {
      API: 'pggit',
      DATABASE_URL: databaseUrl,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      REDIS_KEY_PREFIX: `eriop-bench:pggit:${process.pid}:${cache}:`,
      PGGIT_CACHE_ENABLED: String(cache === 'on'),
      PGGIT_WS_HEARTBEAT_MS: '5000',
      PGGIT_WS_MAX_CLIENTS: String(Math.max(10_000, opts.ws + 100))
    },
    logFile: join(dir, 'server.log'),
    fileLimit: opts.ws + opts.connections + 1024
  })
  try {
    const held = opts.ws > 0 ? await openSockets(server, opts.ws) : undefined
    const latencies: number[] = []
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon({
        url: server.origin,
        connections: opts.connections,
        duration: opts.duration,
        headers: { authorization: `Bearer ${SUITE_TOKEN}` },
        requests: interleaved().map((path) => ({ method: 'GET' as const, path }))
      }, (err, done) => err ? reject(err) : resolve(done))
      instance.on('response', (_client, _status, _bytes, responseTime) => { latencies.push(responseTime) })
    })
    latencies.sort((a, b) => a - b)
    for (const ws of held?.sockets ?? []) ws.terminate()
    return {
      cache,
      rps: Math.round(result.requests.average),
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      ...(held ? { sockets: held.sockets.length, heartbeats: held.counts.heartbeats, rssPerSocketKb: Math.round((held.rssDeltaMb * 1024 / Math.max(1, held.sockets.length)) * 10) / 10 } : {})
    }
  } finally {
    await server.stop()
  }
}

export async function runPggitReads (argv: string[]): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({ args: argv, options: { cache: { type: 'string', default: 'both' }, ws: { type: 'string', default: '0' }, duration: { type: 'string', default: '15' }, connections: { type: 'string', default: '50' }, 'database-url': { type: 'string' }, help: { type: 'boolean' } } }))
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}\n`)
    return 2
  }
  const opts = { duration: Number(values.duration), connections: Number(values.connections), ws: Number(values.ws) }
  if (values.help || !['on', 'off', 'both'].includes(values.cache!) || !(opts.duration > 0 && opts.duration <= 300) || !(opts.connections > 0 && opts.connections <= 2000) || !(opts.ws >= 0 && opts.ws <= 20_000)) {
    process.stdout.write(`${USAGE}\n`)
    return values.help ? 0 : 2
  }
  const limit = ensureFileLimit(opts.ws + opts.connections + 512)
  if (limit.kind === 're-executed') return limit.status
  if (limit.kind === 'too-low') {
    process.stderr.write(`bench: ${opts.ws} sockets need ${opts.ws + opts.connections + 512} open files; the hard limit is ${limit.hard}\n`)
    return 2
  }
  const databaseUrl = values['database-url'] ?? process.env.BENCH_PGGIT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/eriop_bench_pggit'
  await prepareDatabase(databaseUrl, PGGIT_MIGRATIONS)
  const pool = createPool(databaseUrl, { max: 2, connectTimeoutMs: 5000 })
  try {
    const db = createDb(pool)
    await pggitFixture.clean(db)
    await pggitFixture.seed(db)
  } finally {
    await pool.end()
  }
  const settings = values.cache === 'both' ? ['on', 'off'] as const : [values.cache as 'on' | 'off']
  const rows: RunResult[] = []
  for (const cache of settings) {
    process.stderr.write(`pggit-reads: cache ${cache}, ${opts.connections} connections, ${opts.duration} s${opts.ws ? `, ${opts.ws} dashboard sockets held` : ''}…\n`)
    rows.push(await run(databaseUrl, cache, opts))
  }
  process.stdout.write(`\npggit-reads (the suite's GET mix), autocannon -c ${opts.connections} -d ${opts.duration}, ${new Date().toISOString()}\n`)
  console.table(rows.map((r) => ({
    cache: r.cache,
    'req/s': r.rps,
    'p50 ms': r.p50,
    'p95 ms': r.p95,
    'p99 ms': r.p99,
    requests: r.requests,
    'non-2xx': r.non2xx,
    errors: r.errors,
    ...(r.sockets !== undefined ? { sockets: r.sockets, heartbeats: r.heartbeats, 'RSS/socket KiB': r.rssPerSocketKb } : {})
  })))
  if (rows.length === 2) process.stdout.write(`cache on / off: ${(rows[0].rps / rows[1].rps).toFixed(2)}x requests/s, p95 ${rows[0].p95} vs ${rows[1].p95} ms\n`)
  return rows.every((r) => r.non2xx === 0 && r.errors === 0 && (r.sockets === undefined || r.sockets === opts.ws)) ? 0 : 1
}
