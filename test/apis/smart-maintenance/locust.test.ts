// The smart-maintenance suite's traffic (loadtest/smart-maintenance/locustfile.py), run by real
// Locust against a real server process (API=smart-maintenance) with its fixture: zero failures,
// zero exceptions, every request kind seen, and every answered ingest stored.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { spawnServer } from '../../../bench/server.js'
import { seedFixture } from '../../../src/apis/smart-maintenance/fixture/store.js'
import { freePort } from '../../../src/core/net.js'
import { countReadings, useSmartMaintenanceDatabase } from './support.js'

const LOCUST = '/usr/bin/locust'
const hasLocust = spawnSync(LOCUST, ['--help'], { stdio: 'ignore' }).status === 0
const database = useSmartMaintenanceDatabase('locust')

function parseCsv (text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n')
  const split = (line: string) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((cell) => cell.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"'))
  const keys = split(header)
  return lines.filter(Boolean).map((line) => Object.fromEntries(split(line).map((value, i) => [keys[i], value])))
}

test('the smart-maintenance suite runs with zero failures and zero exceptions', { skip: !hasLocust && 'locust is not installed (apt-get install python3-locust)', timeout: 180_000 }, async (t) => {
  await seedFixture(database.db)
  const before = await countReadings(database.pool)
  const dir = mkdtempSync(join(tmpdir(), 'sm-locust-'))
  const server = await spawnServer({
    cwd: process.cwd(),
    env: { API: 'smart-maintenance', DATABASE_URL: database.url, PORT: String(await freePort()), LOG_LEVEL: 'warn', PG_POOL_MAX: '5', REDIS_KEY_PREFIX: `eriop-test:sm-locust:${process.pid}:` },
    logFile: join(dir, 'server.log'),
    fileLimit: 4096
  })
  t.after(() => server.stop())

  const locust = spawn(LOCUST, [
    '-f', 'loadtest/smart-maintenance/locustfile.py', '--host', server.origin, '--headless', '-u', '50', '-r', '25', '-t', '25s',
    '--csv', join(dir, 'run'), '--only-summary', '--stop-timeout', '10'
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  locust.stderr.on('data', (chunk) => { log += chunk })
  const [code] = await once(locust, 'exit')

  const stats = parseCsv(readFileSync(join(dir, 'run_stats.csv'), 'utf8'))
  const failures = parseCsv(readFileSync(join(dir, 'run_failures.csv'), 'utf8'))
  const exceptions = parseCsv(readFileSync(join(dir, 'run_exceptions.csv'), 'utf8'))
  assert.deepEqual(failures, [], 'no request failed')
  assert.deepEqual(exceptions, [], 'no task raised')
  assert.equal(code, 0, log.slice(-2000))

  const byName = new Map(stats.map((row) => [row.Name, row]))
  const total = byName.get('Aggregated')!
  assert.equal(total['Failure Count'], '0')
  t.diagnostic(`locust: 50 users, 25 s, ${total['Request Count']} requests, 0 failures, p95 ${total['95%']} ms, p99 ${total['99%']} ms`)
  assert.ok(Number(total['Request Count']) > 300, `requests: ${total['Request Count']}`)
  for (const name of ['health_check', 'data_ingest', 'ml_prediction', 'ml_models_list', 'metrics', 'db_query', 'stress_ingest']) {
    assert.ok(byName.has(name), `${name} was exercised (saw: ${[...byName.keys()].join(', ')})`)
  }
  // Every ingest Locust recorded (all 200s: no failures) is a stored row. A few more may be stored:
  // requests Locust cut off while stopping its 50 users, after the server had committed them (seen:
  // up to 60 on a busy machine, so the bound is two per user).
  const ingested = Number(byName.get('data_ingest')!['Request Count']) + Number(byName.get('stress_ingest')!['Request Count'])
  const stored = await countReadings(database.pool) - before
  assert.ok(stored >= ingested && stored <= ingested + 100, `stored ${stored}, recorded ${ingested}`)
})
