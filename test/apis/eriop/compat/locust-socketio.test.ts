// The Socket.IO Locust user (Debian's python3-socketio client) run by real Locust against a real
// server: it logs in, connects, joins incident rooms and reports event latency; zero failures.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { seedFixture } from '../../../../src/apis/eriop/fixture/index.js'
import { useTestDatabase } from '../../../helper.js'
import { LOCUST, parseCsv, skipWithoutLocust, startServer } from '../../../locust.js'
import { runs, skipUnless } from '../../../tools.js'

const database = useTestDatabase('locust_socketio')
const skip = skipWithoutLocust() || skipUnless(runs('/usr/bin/python3', ['-c', 'import socketio, websocket']),
  'python3-socketio is not installed (apt-get install python3-socketio python3-websocket)')

test('the Socket.IO Locust user: events arrive, acks answer, zero failures and exceptions', { skip, timeout: 180_000 }, async (t) => {
  await seedFixture(database.db)
  const { server, dir } = await startServer(t, { DATABASE_URL: database.url }, 'eriop-sio')

  const locust = spawn(LOCUST, [
    '-f', 'loadtest/eriop/socketio_user.py', '--host', server.origin, '--headless', '-u', '30', '-r', '15', '-t', '20s',
    '--csv', join(dir, 'run'), '--only-summary', '--stop-timeout', '10'
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  locust.stderr.on('data', (chunk) => { log += chunk })
  const [code] = await once(locust, 'exit')

  const stats = parseCsv(readFileSync(join(dir, 'run_stats.csv'), 'utf8'))
  assert.deepEqual(parseCsv(readFileSync(join(dir, 'run_failures.csv'), 'utf8')), [], 'no request or event failed')
  assert.deepEqual(parseCsv(readFileSync(join(dir, 'run_exceptions.csv'), 'utf8')), [], 'no task raised')
  assert.equal(code, 0, log.slice(-2000))
  const byName = new Map(stats.map((row) => [`${row.Type} ${row.Name}`, row]))
  for (const name of ['SIO connect', 'SIO incident:created', 'SIO join_incident', 'SIO incident:updated', 'SIO incident:updated (room)', 'SIO leave_incident', 'POST POST /incidents']) {
    assert.ok(Number(byName.get(name)?.['Request Count'] ?? 0) > 0, `${name} was recorded (saw: ${[...byName.keys()].join(', ')})`)
  }
  assert.equal(byName.get('SIO connect')!['Request Count'], '30', 'every user connected')
  const created = byName.get('SIO incident:created')!
  t.diagnostic(`locust: ${byName.get(' Aggregated')?.['Request Count']} requests and events, 0 failures; incident:created p50 ${created['50%']} ms, p95 ${created['95%']} ms`)
})
