// The Socket.IO Locust user (Debian's python3-socketio client) run by real Locust against a real
// server: it logs in, connects, joins incident rooms and reports event latency; zero failures.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedFixture } from '../../../../src/apis/eriop/fixture/index.js'
import { useTestDatabase } from '../../../helper.js'
import { runLocustClean, skipWithoutLocust, startServer } from '../../../locust.js'
import { runs, skipUnless } from '../../../tools.js'

const database = useTestDatabase('locust_socketio')
const skip = skipWithoutLocust() || skipUnless(runs('/usr/bin/python3', ['-c', 'import socketio, websocket']),
  'python3-socketio is not installed (apt-get install python3-socketio python3-websocket)')

test('the Socket.IO Locust user: events arrive, acks answer, zero failures and exceptions', { skip, timeout: 180_000 }, async (t) => {
  await seedFixture(database.db)
  const { server, dir } = await startServer(t, { DATABASE_URL: database.url }, 'eriop-sio')

  const { rows, total } = await runLocustClean(server, dir, { file: 'loadtest/eriop/socketio_user.py', users: 30, spawnRate: 15, seconds: 20 })
  const byName = new Map(rows.map((row) => [`${row.Type} ${row.Name}`, row]))
  for (const name of ['SIO connect', 'SIO incident:created', 'SIO join_incident', 'SIO incident:updated', 'SIO incident:updated (room)', 'SIO leave_incident', 'POST POST /incidents']) {
    assert.ok(Number(byName.get(name)?.['Request Count'] ?? 0) > 0, `${name} was recorded (saw: ${[...byName.keys()].join(', ')})`)
  }
  assert.equal(byName.get('SIO connect')!['Request Count'], '30', 'every user connected')
  const created = byName.get('SIO incident:created')!
  t.diagnostic(`locust: ${total['Request Count']} requests and events, 0 failures; incident:created p50 ${created['50%']} ms, p95 ${created['95%']} ms`)
})
