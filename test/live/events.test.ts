// Socket.IO at /socket.io/: authentication, the five events with the REST objects as payloads,
// incident rooms with the original's acks, both transports, the SSE stream beside it.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { createSigner } from 'fast-jwt'
import { resources } from '../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../helper.js'
import { connect, emitWithAck, listen, refusal } from './support.js'

const database = useTestDatabase('live_events')

async function setup (t: import('node:test').TestContext) {
  const app = await build(t, database.url)
  const url = await listen(app)
  const team = await createTeam(app, database.db, `LV${Math.random().toString(36).slice(2, 8).toUpperCase()}`)
  return { app, url, team }
}

test('a connection needs a valid access token in auth.token', async (t) => {
  const { app, url, team } = await setup(t)
  assert.match(await refusal(url, {}), /Authentication required/)
  assert.match(await refusal(url, { auth: { token: '' } }), /Authentication required/)
  assert.match(await refusal(url, { auth: { token: 'not-a-jwt' } }), /Invalid or expired token/)
  const forged = createSigner({ key: 'another-secret-of-at-least-32-chars!!' })({
    sub: team.dispatcher.id, type: 'access', user_id: team.dispatcher.id, email: team.dispatcher.email, role: 'dispatcher', agency_id: team.agency.id
  })
  assert.match(await refusal(url, { auth: { token: forged } }), /Invalid or expired token/)
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: team.dispatcher.email, password: 'TestPass123456!' } })
  assert.match(await refusal(url, { auth: { token: login.json().refresh_token } }), /Invalid or expired token/)
  assert.equal(app.live.of('/').sockets.size, 0, 'no refused connection became a socket')
})

test('a stock client connects (polling then websocket), joins authenticated and its agency', async (t) => {
  const { app, url, team } = await setup(t)
  const client = await connect(t, url, team.dispatcher.token)
  if (client.socket.io.engine.transport.name !== 'websocket') await new Promise((resolve) => client.socket.io.engine.once('upgrade', resolve))
  assert.equal(client.socket.io.engine.transport.name, 'websocket')
  const [server] = await app.live.local.fetchSockets()
  assert.ok(server.rooms.has('authenticated'))
  assert.ok(server.rooms.has(`agency:${team.agency.id}`))
  for (const transports of [['polling'], ['websocket']]) {
    const only = await connect(t, url, team.responder.token, { transports })
    assert.equal(only.socket.io.engine.transport.name, transports[0])
  }
})

test('the five events carry the REST objects; incident rooms get incident:updated a second time', async (t) => {
  const { app, url, team } = await setup(t)
  const client = await connect(t, url, team.responder.token)
  const auth = bearer(team.dispatcher.token)

  const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth, payload: validIncident() })
  assert.equal(created.statusCode, 201)
  const incident = created.json()
  assert.deepEqual((await client.waitFor((r) => r.event === 'incident:created' && r.payload.id === incident.id)).payload, incident)

  assert.deepEqual(await emitWithAck(client.socket, 'join_incident', incident.id), { status: 'joined', room: `incident:${incident.id}` })
  const patched = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, headers: auth, payload: { priority: 1 } })
  assert.equal(patched.statusCode, 200)
  await client.waitFor((r) => r.event === 'incident:updated' && r.payload.priority === 1)
  const updates = () => client.received.filter((r) => r.event === 'incident:updated' && r.payload.id === incident.id)
  await client.waitFor(() => updates().length === 2)
  assert.deepEqual(updates().map((r) => r.payload), [patched.json(), patched.json()], 'once to the agency, once to the incident room')

  assert.deepEqual(await emitWithAck(client.socket, 'leave_incident', incident.id), { status: 'left', room: `incident:${incident.id}` })
  const [resource] = await database.db.insert(resources).values({ agencyId: team.agency.id, resourceType: 'vehicle', name: 'Engine 9', callSign: `E-${incident.id.slice(0, 6)}` }).returning()
  const assigned = await app.inject({ method: 'POST', url: `/api/v1/incidents/${incident.id}/assign`, headers: auth, payload: { resource_ids: [resource.id] } })
  assert.equal(assigned.statusCode, 200)
  await client.waitFor((r) => r.event === 'incident:updated' && (r.payload.assigned_units as unknown[]).length === 1)

  const ingested = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })
  assert.equal(ingested.statusCode, 201)
  const alertId = ingested.json().id
  const alertEvent = await client.waitFor((r) => r.event === 'alert:created' && r.payload.id === alertId)
  const stored = await app.inject({ url: `/api/v1/alerts/${alertId}`, headers: auth })
  for (const [key, value] of Object.entries(alertEvent.payload)) assert.deepEqual(value, stored.json()[key], `alert:created.${key} as GET /alerts/{id}`)

  const acked = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alertId}/acknowledge`, headers: auth, payload: { notes: 'seen' } })
  assert.equal(acked.statusCode, 200)
  assert.deepEqual((await client.waitFor((r) => r.event === 'alert:updated' && r.payload.id === alertId)).payload, acked.json())

  const moved = await app.inject({ method: 'PATCH', url: `/api/v1/resources/${resource.id}`, headers: auth, payload: { status: 'available', latitude: 45.5, longitude: -73.6 } })
  assert.equal(moved.statusCode, 200)
  assert.deepEqual((await client.waitFor((r) => r.event === 'resource:updated' && r.payload.id === resource.id)).payload, moved.json())

  const dismissedAlert = (await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })).json().id
  const dismissed = await app.inject({ method: 'POST', url: `/api/v1/alerts/${dismissedAlert}/dismiss`, headers: auth, payload: { reason: 'false alarm' } })
  assert.deepEqual((await client.waitFor((r) => r.event === 'alert:updated' && r.payload.id === dismissedAlert)).payload, dismissed.json())

  // A refused write publishes nothing.
  const before = client.received.length
  const refused = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, headers: auth, payload: { priority: 9 } })
  assert.equal(refused.statusCode, 422)
  const marker = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth, payload: validIncident() })).json().id
  await client.waitFor((r) => r.payload.id === marker)
  assert.deepEqual(client.received.slice(before).map((r) => r.payload.id), [marker])
})

test('join_incident and leave_incident answer {error} for a missing or oversized id, and without an ack nothing breaks', async (t) => {
  const { url, team } = await setup(t)
  const client = await connect(t, url, team.dispatcher.token)
  for (const bad of [undefined, '', 42, { id: 'x' }, 'x'.repeat(101)]) {
    assert.match(((await emitWithAck(client.socket, 'join_incident', bad)) as { error: string }).error, /incident_id required/)
    assert.match(((await emitWithAck(client.socket, 'leave_incident', bad)) as { error: string }).error, /incident_id required/)
  }
  client.socket.emit('join_incident', 'no-ack-wanted')
  client.socket.emit('unknown_event', 1, 2, 3)
  assert.deepEqual(await emitWithAck(client.socket, 'join_incident', 'still-here'), { status: 'joined', room: 'incident:still-here' })
})

test('the SSE stream keeps working beside Socket.IO, from the same bus', async (t) => {
  const { app, url, team } = await setup(t)
  const client = await connect(t, url, team.dispatcher.token)
  const sse = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request(`${url}/api/v1/alerts/stream`, { headers: bearer(team.dispatcher.token) }, resolve)
    req.on('error', reject)
    req.end()
  })
  t.after(() => sse.destroy())
  assert.equal(sse.statusCode, 200)
  let text = ''
  sse.on('data', (chunk: Buffer) => { text += chunk.toString() })
  const ingested = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })
  const id = ingested.json().id
  await client.waitFor((r) => r.event === 'alert:created' && r.payload.id === id)
  const deadline = Date.now() + 5000
  while (!text.includes(`id: ${id}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  assert.ok(text.includes(`id: ${id}\nevent: alert:created\n`), 'the SSE stream has the alert too')
})

test('upgrades for other paths are left to their owner (destroyUpgrade: false)', async (t) => {
  const { app, url } = await setup(t)
  // Another WebSocket server on the same port (the PGGIT API's /ws/dashboard is one) answers its own path.
  app.server.on('upgrade', (req, socket) => {
    if (req.url === '/ws/other') socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello')
  })
  const port = new URL(url).port
  const { Socket } = await import('node:net')
  const socket = new Socket()
  t.after(() => socket.destroy())
  let answer = ''
  socket.on('data', (chunk) => { answer += chunk.toString() })
  await new Promise<void>((resolve) => socket.connect(Number(port), '127.0.0.1', resolve))
  socket.write('GET /ws/other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  assert.match(answer, /^HTTP\/1.1 101/)
  assert.match(answer, /hello$/)
})
