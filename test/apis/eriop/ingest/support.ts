// Shared by the ingest tests: blocking the alerts table, a Postgres that can be switched off and
// on, the real server as a child process, and a client burst that records what was acknowledged.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import type { App } from '../../../../src/app.js'
import { PG_SERVER_URL, REDIS_URL } from '../../../helper.js'
import { freePort } from '../../../../src/core/net.js'
import { metricSum, parsePrometheusText } from '../../../../bench/prometheus.js'

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url))

/** Polls until `check` is true; fails with `what` after `timeoutMs` (generous: the box is shared). */
export async function waitFor (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

/**
 * Blocks every INSERT into alerts (SHARE mode conflicts with the inserters' ROW EXCLUSIVE) until
 * `release()`: a Postgres that is up but not getting anywhere, without depending on timing.
 */
export async function blockAlertInserts (databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query('begin')
  await client.query('lock table alerts in share mode')
  return {
    async release () {
      await client.query('commit')
      await client.end()
    }
  }
}

/** Terminates every other session on the database, as an administrator or a failover would. */
export async function terminateBackends (databaseName: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_SERVER_URL })
  await client.connect()
  try {
    const { rowCount } = await client.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [databaseName])
    return rowCount ?? 0
  } finally {
    await client.end()
  }
}

/**
 * A TCP relay in front of the test Postgres. `down()` stops listening and cuts every relayed
 * connection (new connections are refused, like a stopped server); `up()` listens again on the
 * same port. The app under test is pointed at the relay and never restarted.
 */
export async function switchablePostgres () {
  const target = new URL(PG_SERVER_URL)
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const up = () => new Promise<void>((resolve, reject) => {
    server = createServer((inbound) => {
      const outbound = connect(Number(target.port || 5432), target.hostname)
      for (const s of [inbound, outbound]) {
        sockets.add(s)
        s.on('close', () => sockets.delete(s))
        s.on('error', () => {})
      }
      inbound.pipe(outbound).pipe(inbound)
    })
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const down = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    sockets.clear()
    if (!server) return resolve()
    server.close(() => resolve())
    server = undefined
  })
  await up()
  return {
    port,
    /** `databaseUrl` with host and port replaced by the relay's. */
    url (databaseUrl: string) {
      const url = new URL(databaseUrl)
      url.hostname = '127.0.0.1'
      url.port = String(port)
      return url.toString()
    },
    up,
    down
  }
}

export interface SpawnedServer { child: ChildProcess, base: string, output: () => string, exited: Promise<number | null> }

/** The real server (`src/server.ts`), its own process, on a free loopback port. */
export async function spawnServer (databaseUrl: string, env: Record<string, string> = {}): Promise<SpawnedServer> {
  const port = await freePort()
  // node --import tsx rather than the tsx CLI: the child must BE the server, so signals reach it directly.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: `eriop-test:${process.pid}:${port}:`,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PG_POOL_MAX: '4',
      RATE_LIMIT_ENABLED: 'false',
      WORKERS: '1',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const chunks: string[] = []
  child.stdout!.on('data', (c: Buffer) => chunks.push(c.toString()))
  child.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${base}/health/live`)).ok) return { child, base, output: () => chunks.join(''), exited }
    } catch {}
    await sleep(100)
  }
  child.kill('SIGKILL')
  throw new Error(`server did not start:\n${chunks.join('')}`)
}

export async function loginOver (base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password })
  })
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { access_token: string }).access_token
}

export interface BurstResult {
  /** Ids answered 201: the server promised these are committed. */
  acknowledged: string[]
  statuses: Map<number, number>
  /** Requests that got no HTTP answer (connection refused or cut). */
  unanswered: number
}

/**
 * `concurrency` clients each POST alerts back to back until `stop()`, or until their request gets
 * no answer (the server is gone). Every 201's id is recorded.
 */
export function burst (base: string, token: string, concurrency: number, body: (n: number) => unknown) {
  const result: BurstResult = { acknowledged: [], statuses: new Map(), unanswered: 0 }
  const run = { stopped: false, sent: 0 }
  const client = async () => {
    while (!run.stopped) {
      let res: Response
      try {
        res = await fetch(`${base}/api/v1/alerts/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body(run.sent++))
        })
      } catch {
        result.unanswered++
        return
      }
      result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1)
      const text = await res.text().catch(() => '')
      if (res.status === 201) result.acknowledged.push((JSON.parse(text) as { id: string }).id)
    }
  }
  const done = Promise.all(Array.from({ length: concurrency }, client))
  return {
    result,
    done,
    stop () { run.stopped = true }
  }
}

/** Alerts matching `where`, counted on a connection of its own (the server under test may hold the pool). */
async function countAlerts (databaseUrl: string, where: string, params: unknown[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from alerts where ${where}`, params)
    return Number(rows[0].n)
  } finally {
    await client.end()
  }
}

/** How many of `ids` are stored. */
export const countStored = (databaseUrl: string, ids: string[]) => countAlerts(databaseUrl, 'id = any($1::uuid[])', [ids])

/** How many alerts an agency has. */
export const countAgencyAlerts = (databaseUrl: string, agencyId: string) => countAlerts(databaseUrl, 'agency_id = $1', [agencyId])

/** The value of a Prometheus series (summed over label sets containing `labels`). */
export async function metric (app: App, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricSum(parsePrometheusText(await app.metrics.metrics()), name, labels) ?? 0
}
