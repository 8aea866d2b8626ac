// The seed suite's personas, run by real Locust (Debian's python3-locust) against a real server
// process seeded with the standard fixture: zero failures, zero exceptions, every request kind seen.
// The default configuration is used on purpose (rate limiting on, Redis store): it must not get in the way.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { spawnServer } from '../../../../bench/server.js'
import { seedFixture } from '../../../../src/apis/eriop/fixture/index.js'
import { useTestDatabase } from '../../../helper.js'
import { runs, skipUnless } from '../../../tools.js'
import { parseCsv } from './csv.js'
import { freePort } from '../../../../src/core/net.js'

const LOCUST = '/usr/bin/locust'
const skipLocust = skipUnless(runs(LOCUST, ['--help']), 'locust is not installed (apt-get install python3-locust)')
const database = useTestDatabase('locust')

test('the seed suite\'s Locust personas run with zero failures', { skip: skipLocust, timeout: 240_000 }, async (t) => {
  await seedFixture(database.db)
  const dir = mkdtempSync(join(tmpdir(), 'eriop-locust-'))
  const server = await spawnServer({
    cwd: process.cwd(),
    env: { DATABASE_URL: database.url, PORT: String(await freePort()), LOG_LEVEL: 'warn', PG_POOL_MAX: '5', REDIS_KEY_PREFIX: `eriop-test:locust:${process.pid}:` },
    logFile: join(dir, 'server.log'),
    fileLimit: 4096
  })
  t.after(() => server.stop())
  const host = server.origin

  const locust = spawn(LOCUST, [
    '-f', 'loadtest/eriop/locustfile.py', '--host', host, '--headless', '-u', '80', '-r', '40', '-t', '25s',
    '--csv', join(dir, 'run'), '--only-summary', '--stop-timeout', '10'
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  locust.stderr.on('data', (chunk) => { log += chunk })
  const [code] = await once(locust, 'exit')

  const stats = parseCsv(readFileSync(join(dir, 'run_stats.csv'), 'utf8'))
  const failures = parseCsv(readFileSync(join(dir, 'run_failures.csv'), 'utf8'))
  const exceptions = parseCsv(readFileSync(join(dir, 'run_exceptions.csv'), 'utf8'))
  assert.deepEqual(failures, [], 'no request failed')
  assert.deepEqual(exceptions, [], 'no task raised (e.g. a list that is not a bare array)')
  assert.equal(code, 0, log.slice(-2000))

  const byName = new Map(stats.map((row) => [row.Name, row]))
  const total = byName.get('Aggregated')!
  assert.equal(total['Failure Count'], '0')
  t.diagnostic(`locust: ${total['Request Count']} requests, 0 failures, p95 ${total['95%']} ms, p99 ${total['99%']} ms`)
  assert.ok(Number(total['Request Count']) > 200, `requests: ${total['Request Count']}`)
  for (const name of [
    '/api/v1/auth/login', 'POST /alerts/ingest', 'GET /incidents/active', 'GET /alerts/pending', 'GET /resources/available',
    'POST /incidents', 'POST /alerts/{id}/acknowledge', 'GET /incidents/{id}', 'GET /alerts/{id}'
  ]) assert.ok(byName.has(name), `${name} was exercised (saw: ${[...byName.keys()].join(', ')})`)
})
