// Real Locust (Debian's python3-locust) against a real server process, for the tests that run an
// API's suite: start the server, run the Locust file headless, read back its CSV results.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { spawnServer, type SpawnedServer } from '../bench/server.js'
import { freePort } from '../src/core/net.js'
import { runs, skipUnless } from './tools.js'

export const LOCUST = '/usr/bin/locust'

/** node:test's `skip` for a test that needs Locust (with CI=true a missing Locust fails instead). */
export const skipWithoutLocust = (): string | false =>
  skipUnless(runs(LOCUST, ['--help']), 'locust is not installed (apt-get install python3-locust)')

/** Locust's CSV output (--csv). */
export function parseCsv (text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n')
  const split = (line: string) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((cell) => cell.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"'))
  const keys = split(header)
  return lines.filter(Boolean).map((line) => Object.fromEntries(split(line).map((value, i) => [keys[i], value])))
}

/** A server process of the test's own (closed after the test), on a free port. */
export async function startServer (t: TestContext, env: Record<string, string>, label: string): Promise<{ server: SpawnedServer, dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `${label}-locust-`))
  const server = await spawnServer({
    cwd: process.cwd(),
    env: { PORT: String(await freePort()), LOG_LEVEL: 'warn', PG_POOL_MAX: '5', REDIS_KEY_PREFIX: `eriop-test:${label}-locust:${process.pid}:`, ...env },
    logFile: join(dir, 'server.log'),
    fileLimit: 4096
  })
  t.after(() => server.stop())
  return { server, dir }
}

export interface LocustRun {
  /** Locust's stats rows by request name; `Aggregated` is the total. */
  stats: Map<string, Record<string, string>>
  /** The same rows as Locust wrote them (names may repeat across types). */
  rows: Array<Record<string, string>>
  total: Record<string, string>
}

/**
 * Runs `file` headless against `server` for `seconds` with `users` spawned at `spawnRate`, and
 * asserts what every suite here must show: exit 0, no failure, no exception, Aggregated 0 failures.
 */
export async function runLocustClean (server: SpawnedServer, dir: string, o: { file: string, users: number, spawnRate: number, seconds: number }): Promise<LocustRun> {
  const locust = spawn(LOCUST, [
    '-f', o.file, '--host', server.origin, '--headless', '-u', String(o.users), '-r', String(o.spawnRate), '-t', `${o.seconds}s`,
    '--csv', join(dir, 'run'), '--only-summary', '--stop-timeout', '10'
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  locust.stderr.on('data', (chunk) => { log += chunk })
  const [code] = await once(locust, 'exit')

  const rows = parseCsv(readFileSync(join(dir, 'run_stats.csv'), 'utf8'))
  assert.deepEqual(parseCsv(readFileSync(join(dir, 'run_failures.csv'), 'utf8')), [], 'no request failed')
  assert.deepEqual(parseCsv(readFileSync(join(dir, 'run_exceptions.csv'), 'utf8')), [], 'no task or on_start raised')
  assert.equal(code, 0, `${log.slice(-2000)}\n${server.tail(20)}`)
  const stats = new Map(rows.map((row) => [row.Name, row]))
  const total = stats.get('Aggregated')!
  assert.equal(total['Failure Count'], '0')
  return { stats, total, rows }
}
