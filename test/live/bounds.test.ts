// LIVE_ALERT_CREATED thins alert:created deterministically; LIVE_FLUSH_MS writes a busy spell's
// events to each client together; a client that stops reading has its events dropped and counted
// instead of buffered without limit; /metrics shows it all.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { alertCreatedSelected, parseAlertCreated } from '../../src/core/live/sampling.js'
import { loadConfig } from '../../src/config.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../helper.js'
import { connect, emitWithAck, listen, metricValue } from './support.js'

const database = useTestDatabase('live_bounds')

test('LIVE_ALERT_CREATED accepts all, off and sample:P (0 ≤ P ≤ 1) and nothing else', () => {
  for (const ok of ['all', 'off', 'sample:0', 'sample:0.01', 'sample:1', 'sample:1.0']) assert.doesNotThrow(() => loadConfig({ LIVE_ALERT_CREATED: ok }), ok)
  for (const bad of ['some', 'sample:', 'sample:2', 'sample:-1', 'sample:0.5x', 'sample:1.5']) assert.throws(() => loadConfig({ LIVE_ALERT_CREATED: bad }), bad)
  assert.throws(() => parseAlertCreated('sample:3'))
  const half = parseAlertCreated('sample:0.5')
  const ids = Array.from({ length: 2000 }, (_, i) => `0190f3c2-0000-7000-8000-${String(i).padStart(12, '0')}`)
  const chosen = ids.filter((id) => alertCreatedSelected(half, id)).length
  assert.ok(chosen > 850 && chosen < 1150, `about half chosen (${chosen})`)
  assert.deepEqual(ids.filter((id) => alertCreatedSelected(half, id)), ids.filter((id) => alertCreatedSelected(parseAlertCreated('sample:0.5'), id)), 'the same ids every time')
})

for (const setting of ['sample:0.3', 'off']) {
  test(`LIVE_ALERT_CREATED=${setting}: exactly the alerts the setting selects are pushed`, async (t) => {
    const app = await build(t, database.url, { LIVE_ALERT_CREATED: setting })
    const url = await listen(app)
    const team = await createTeam(app, database.db, `LB${setting === 'off' ? 'OFF' : 'SAMPLE'}`)
    const client = await connect(t, url, team.dispatcher.token)
    const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest/batch', headers: bearer(team.alert_system.token), payload: Array.from({ length: 60 }, () => validAlert()) })
    assert.equal(res.statusCode, 201)
    const marker = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(team.dispatcher.token), payload: validIncident() })).json().id
    await client.waitFor((r) => r.payload.id === marker)
    const policy = parseAlertCreated(setting)
    const expected = (res.json().ids as string[]).filter((id) => alertCreatedSelected(policy, id))
    if (setting === 'off') assert.equal(expected.length, 0)
    else assert.ok(expected.length > 5 && expected.length < 40, `a share of the 60 (${expected.length})`)
    assert.deepEqual(client.ids('alert:created'), expected)
  })
}

test('LIVE_FLUSH_MS: an event after a quiet spell goes out at once; the events of a busy spell reach each client in one write, in order, one packet each', async (t) => {
  const flushMs = 2000
  const app = await build(t, database.url, { LIVE_FLUSH_MS: flushMs })
  const url = await listen(app)
  const team = await createTeam(app, database.db, 'LBFLUSH')
  const client = await connect(t, url, team.dispatcher.token, { transports: ['websocket'] })
  const [server] = app.live.of('/').sockets.values()
  // Counts the server's writes to this client's TCP connection.
  const tcp = (server.conn.transport as unknown as { socket: { _socket: import('node:net').Socket } }).socket._socket
  let writes = 0
  const write = tcp.write
  tcp.write = function (this: typeof tcp, ...args: Parameters<typeof write>) { writes++; return write.apply(this, args) } as typeof write
  const create = async () => (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(team.dispatcher.token), payload: validIncident() })).json().id as string

  const first = await create()
  const committed = Date.now()
  const arrived = await client.waitFor((r) => r.payload.id === first)
  assert.ok(arrived.at - committed < flushMs / 2, `the first event was not held for the window (${arrived.at - committed} ms)`)
  assert.equal(writes, 1)

  const burst = [await create(), await create(), await create(), await create()]
  await client.waitFor((r) => r.payload.id === burst.at(-1), flushMs * 3)
  assert.deepEqual(client.ids('incident:created'), [first, ...burst], 'every event, in order, each its own Socket.IO packet')
  assert.equal(writes, 2, 'the four events of the busy spell went out in one write')
})

test('a busy spell written together: polling and WebSocket clients get the same events in order; a socket in the incident\'s room gets each update twice in a row', async (t) => {
  const app = await build(t, database.url, { LIVE_FLUSH_MS: 2000 })
  const url = await listen(app)
  const team = await createTeam(app, database.db, 'LBSPELL')
  const inRoom = await connect(t, url, team.dispatcher.token, { transports: ['websocket'] })
  const websocket = await connect(t, url, team.responder.token, { transports: ['websocket'] })
  const polling = await connect(t, url, team.responder.token, { transports: ['polling'] })
  const auth = bearer(team.dispatcher.token)
  const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth, payload: validIncident() })).json().id as string
  for (const client of [inRoom, websocket, polling]) await client.waitFor((r) => r.payload.id === incident)
  assert.deepEqual(await emitWithAck(inRoom.socket, 'join_incident', incident), { status: 'joined', room: `incident:${incident}` })
  const seen = [inRoom, websocket, polling].map((client) => client.received.length)

  // Within one window: update, create another, update again.
  const patch = (priority: number) => app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident}`, headers: auth, payload: { priority } })
  assert.equal((await patch(1)).statusCode, 200)
  const other = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth, payload: validIncident() })).json().id as string
  assert.equal((await patch(2)).statusCode, 200)
  const last = (client: typeof inRoom, times: number) => client.waitFor(() => client.received.filter((r) => r.event === 'incident:updated' && r.payload.priority === 2).length === times, 10_000)
  await Promise.all([last(inRoom, 2), last(websocket, 1), last(polling, 1)])

  const since = (client: typeof inRoom, from: number) => client.received.slice(from).map((r) => `${r.event} ${r.payload.id === incident ? `incident p${String(r.payload.priority)}` : r.payload.id === other ? 'other' : r.payload.id}`)
  const agency = ['incident:updated incident p1', 'incident:created other', 'incident:updated incident p2']
  assert.deepEqual(since(websocket, seen[1]), agency)
  assert.deepEqual(since(polling, seen[2]), agency)
  assert.deepEqual(since(inRoom, seen[0]), ['incident:updated incident p1', 'incident:updated incident p1', 'incident:created other', 'incident:updated incident p2', 'incident:updated incident p2'])
})

test('a client that stops reading: its events are dropped and counted, memory stays bounded, reading again resumes delivery', async (t) => {
  const limit = 20
  // Each committed batch (12 alerts) is one flush, so the backlog's bound is exact.
  const app = await build(t, database.url, { LIVE_SOCKET_BUFFER_MAX: limit, LIVE_FLUSH_MS: 0 })
  const url = await listen(app)
  const team = await createTeam(app, database.db, 'LBSLOW')
  const slow = await connect(t, url, team.dispatcher.token, { transports: ['websocket'] })
  const healthy = await connect(t, url, team.responder.token, { transports: ['websocket'] })
  // Stop reading: the kernel buffers fill, then the server's writes to this socket stop completing.
  const tcp = (slow.socket.io.engine.transport as unknown as { ws: { _socket: import('node:net').Socket } }).ws._socket
  tcp.pause()

  // Large alerts (64 KiB of raw_payload each), far more than the loopback buffers hold.
  const big = { blob: 'x'.repeat(64 * 1024) }
  const sent: string[] = []
  for (let i = 0; i < 12; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest/batch', headers: bearer(team.alert_system.token), payload: Array.from({ length: 12 }, () => validAlert({ raw_payload: big })) })
    assert.equal(res.statusCode, 201)
    sent.push(...res.json().ids)
  }
  await healthy.waitFor((r) => r.payload.id === sent.at(-1), 10_000)
  assert.equal(healthy.ids('alert:created').length, sent.length, 'a reading client gets every event')

  const [server] = [...app.live.of('/').sockets.values()].filter((s) => s.id === slow.socket.id)
  const waiting = (server.conn as unknown as { writeBuffer: Array<{ options?: { liveEvents?: number } }> }).writeBuffer
  const backlog = waiting.reduce((n, packet) => n + (packet.options?.liveEvents ?? 0), 0)
  assert.ok(backlog > 0 && backlog < limit + 12, `the slow socket's backlog stops within one flush of the limit (0 < ${backlog} < ${limit} + 12)`)
  const metrics = (await app.inject({ url: '/metrics' })).body
  const dropped = metricValue(metrics, 'live_events_dropped_total', 'event="alert:created"')
  const written = metricValue(metrics, 'live_events_emitted_total', 'event="alert:created"')
  assert.ok(dropped > 0, 'events to the slow socket were dropped')
  assert.equal(written + dropped, 2 * sent.length, 'each event to each socket was either handed over or counted as dropped')
  assert.equal(metricValue(metrics, 'live_sockets'), 2)

  // Reading again: the backlog drains and new events arrive.
  tcp.resume()
  const marker = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(team.dispatcher.token), payload: validIncident() })).json().id
  await slow.waitFor((r) => r.payload.id === marker, 10_000)
  assert.equal(slow.ids('alert:created').length + dropped, sent.length, 'received + dropped = sent, for the slow socket')
  await sleep(10)
})
