// Our re-creation of pgGit's public Locust suite (loadtest/pggit/locustfile.py, the same requests)
// run by real Locust against a real server process with the simulator on: zero failures, zero
// exceptions, every request kind seen, its WebSocket users connected and reading, and the figures
// moving meanwhile.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { spawnServer } from '../../../bench/server.js'
import { freePort } from '../../../src/core/net.js'
import { pggitFixture } from '../../../src/apis/pggit/fixture/store.js'
import { PGGIT_MIGRATIONS } from '../../../src/apis/pggit/migrations.js'
import { useTestDatabase } from '../../helper.js'
import { LOCUST, parseCsv, skipWithoutLocust } from '../../locust.js'
import { runs, skipUnless } from '../../tools.js'
import { canUnshareNetwork, runInNamespace } from './namespace.js'

const database = useTestDatabase('pggit_locust', PGGIT_MIGRATIONS)
// With CI=true each missing piece fails the file instead of skipping it (.ci/run installs them).
const skip = skipWithoutLocust() ||
  skipUnless(runs('/usr/bin/python3', ['-c', 'import websockets']), 'the suite imports websockets (apt-get install python3-websockets)') ||
  skipUnless(canUnshareNetwork(), 'needs `unshare -n` (root) and iproute2 to give the suite its own localhost:8000')

test('pgGit\'s Locust traffic runs with zero failures and zero exceptions', { skip, timeout: 180_000 }, async (t) => {
  await pggitFixture.seed(database.db)
  const counts = async () => (await database.db.execute<{ alerts: number, deliveries: number }>(sql`
    select (select count(*)::int from pggit.alert_delivery_queue) as alerts, (select count(*)::int from pggit.webhook_deliveries) as deliveries`)).rows[0]
  const before = await counts()

  const dir = mkdtempSync(join(tmpdir(), 'pggit-locust-'))
  const port = await freePort()
  const server = await spawnServer({
    cwd: process.cwd(),
    env: {
      API: 'pggit',
      DATABASE_URL: database.url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      PG_POOL_MAX: '5',
      REDIS_KEY_PREFIX: `eriop-test:pggit-locust:${process.pid}:`,
      PGGIT_SIMULATOR_RATE: '2',
      PGGIT_WS_METRICS_INTERVAL_MS: '2000'
    },
    logFile: join(dir, 'server.log'),
    fileLimit: 4096
  })
  t.after(() => server.stop())

  const users = 30
  const run = await runInNamespace({
    dir,
    cwd: process.cwd(),
    port: 8000,
    target: { host: '127.0.0.1', port },
    command: LOCUST,
    args: ['-f', 'loadtest/pggit/locustfile.py', '--host', 'http://localhost:8000', '--headless', '-u', String(users), '-r', '10', '-t', '25s',
      '--csv', join(dir, 'run'), '--only-summary', '--stop-timeout', '10']
  })
  t.after(() => run.stop())
  let log = ''
  run.child.stderr!.on('data', (chunk) => { log += chunk })
  run.child.stdout!.on('data', (chunk) => { log += chunk })
  const code = await run.exited

  const stats = parseCsv(readFileSync(join(dir, 'run_stats.csv'), 'utf8'))
  const failures = parseCsv(readFileSync(join(dir, 'run_failures.csv'), 'utf8'))
  const exceptions = parseCsv(readFileSync(join(dir, 'run_exceptions.csv'), 'utf8'))
  assert.deepEqual(failures, [], 'no request failed')
  assert.deepEqual(exceptions, [], 'no task raised (e.g. a list body that is not an object)')
  assert.equal(code, 0, log.slice(-3000))

  const byName = new Map(stats.map((row) => [row.Name, row]))
  const total = byName.get('Aggregated')!
  assert.equal(total['Failure Count'], '0')
  assert.ok(Number(total['Request Count']) > 100, `requests: ${total['Request Count']}`)
  for (const name of [
    '/api/v1/webhooks', '/api/v1/webhooks/1', '/api/v1/alerts?limit=50&offset=0', '/api/v1/alerts/1', '/api/v1/alerts/stats/summary',
    '/api/v1/alerts/1/ack', '/api/v1/dashboard', '/api/v1/dashboard/performance', '/api/v1/dashboard/webhooks', '/api/v1/dashboard/anomalies',
    '/api/v1/cache/stats', '/api/v1/cache/invalidate/alerts?alert_id=1&event_type=alert_updated', '/health', '/health/deep'
  ]) assert.ok(byName.has(name), `${name} was exercised (saw: ${[...byName.keys()].join(', ')})`)

  // The WebSocket user reports only to the log. Each of its sessions runs an asyncio loop inside a
  // gevent greenlet, so a session starting while another user's is open fails in the client
  // ("Cannot run the event loop while another loop is running") before it connects, whatever the
  // server: those are the suite's own collisions. Every other session must connect and read.
  const connected = log.match(/dashboard socket read (\d+) messages/g) ?? []
  const collisions = (log.match(/dashboard socket session could not run: Cannot run the event loop while another loop is running/g) ?? []).length
  assert.ok(connected.length > 0, `the WebSocket users connected:\n${log.slice(-3000)}`)
  const otherErrors = log.split('\n').filter((line) => /ERROR\/locustfile: dashboard socket/.test(line) && !/another loop is running/.test(line))
  assert.deepEqual(otherErrors, [], 'no WebSocket session failed on the server\'s side')
  assert.ok(connected.some((line) => Number(/(\d+) messages/.exec(line)![1]) > 1), 'sockets received pushes after the confirmation')

  const after = await counts()
  assert.ok(after.alerts > before.alerts && after.deliveries > before.deliveries, `the simulator delivered meanwhile: ${JSON.stringify({ before, after })}`)
  t.diagnostic(`locust: ${users} users, 25 s, ${total['Request Count']} requests, 0 failures, 0 exceptions, p95 ${total['95%']} ms, p99 ${total['99%']} ms; ${connected.length} WebSocket sessions read pushes, ${collisions} collided in the client`)
})
