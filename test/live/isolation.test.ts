// A socket only ever receives its own agency's events, even in a room named after another agency's incident.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { resources } from '../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../helper.js'
import { connect, emitWithAck, listen } from './support.js'

const database = useTestDatabase('live_isolation')

test('the other agency\'s events, emitted first, never reach our socket', async (t) => {
  const app = await build(t, database.url)
  const url = await listen(app)
  const ours = await createTeam(app, database.db, 'LIVEOURS')
  const theirs = await createTeam(app, database.db, 'LIVETHEIRS')
  const ourSocket = await connect(t, url, ours.dispatcher.token)
  const theirSocket = await connect(t, url, theirs.dispatcher.token)
  const auth = bearer(theirs.dispatcher.token)

  // Their writes, every kind of event: an incident (created, then updated twice), an alert (created,
  // acknowledged), a resource, with our socket in the room named after their incident.
  const theirIncident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth, payload: validIncident() })).json()
  assert.deepEqual(await emitWithAck(ourSocket.socket, 'join_incident', theirIncident.id), { status: 'joined', room: `incident:${theirIncident.id}` })
  assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${theirIncident.id}`, headers: auth, payload: { status: 'assigned' } })).statusCode, 200)
  const [theirResource] = await database.db.insert(resources).values({ agencyId: theirs.agency.id, resourceType: 'personnel', name: 'Theirs', callSign: 'T-1' }).returning()
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/incidents/${theirIncident.id}/assign`, headers: auth, payload: { resource_ids: [theirResource.id] } })).statusCode, 200)
  const theirAlert = (await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(theirs.alert_system.token), payload: validAlert() })).json()
  const batch = (await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest/batch', headers: bearer(theirs.alert_system.token), payload: [validAlert(), validAlert()] })).json()
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/alerts/${theirAlert.id}/acknowledge`, headers: auth, payload: {} })).statusCode, 200)
  assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/resources/${theirResource.id}`, headers: auth, payload: { status: 'available' } })).statusCode, 200)
  const theirIds = new Set([theirIncident.id, theirResource.id, theirAlert.id, ...batch.ids])

  // Then one of ours; once it is here, everything emitted before it has been delivered too.
  const ourIncident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(ours.dispatcher.token), payload: validIncident() })).json()
  await ourSocket.waitFor((r) => r.event === 'incident:created' && r.payload.id === ourIncident.id)
  await theirSocket.waitFor((r) => r.event === 'resource:updated' && r.payload.id === theirResource.id)

  assert.deepEqual(ourSocket.received.filter((r) => theirIds.has(r.payload.id)), [], 'none of their events reached our socket')
  assert.deepEqual(ourSocket.received.map((r) => [r.event, r.payload.id]), [['incident:created', ourIncident.id]])
  // Their socket did get them all (the test is not passing because nothing was emitted), and none of ours.
  const theirEvents = theirSocket.received.map((r) => `${r.event} ${r.payload.id}`).sort()
  assert.deepEqual(theirEvents, [
    `alert:created ${theirAlert.id}`, `alert:created ${batch.ids[0]}`, `alert:created ${batch.ids[1]}`,
    `alert:updated ${theirAlert.id}`,
    `incident:created ${theirIncident.id}`, `incident:updated ${theirIncident.id}`, `incident:updated ${theirIncident.id}`,
    `resource:updated ${theirResource.id}`
  ].sort())
})
