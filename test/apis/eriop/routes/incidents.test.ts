import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq, inArray } from 'drizzle-orm'
import { incidents, resources } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validIncident } from '../../../helper.js'

const database = useTestDatabase('incidents')

test('concurrent creates get distinct sequence numbers, never a collision', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'INC1')
  const headers = bearer(team.dispatcher.token)
  const results = await Promise.all(Array.from({ length: 40 }, () =>
    app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: validIncident() })))
  assert.ok(results.every((r) => r.statusCode === 201))
  const numbers = results.map((r) => r.json().incident_number)
  assert.equal(new Set(numbers).size, 40)
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '')
  assert.ok(numbers.every((n) => n.startsWith(`INC-${today}-`)))
})

test('create with a building of the agency; unknown building → 404', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'INC2')
  const headers = bearer(team.dispatcher.token)
  const unknown = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: { ...validIncident(), building_id: '00000000-0000-4000-8000-000000000000' } })
  assert.equal(unknown.statusCode, 404)
  assert.equal(unknown.json().detail, 'Building not found')
})

test('PATCH: transitions stamp their times, priority and notes change, empty body is 422', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'INC3')
  const headers = bearer(team.dispatcher.token)
  const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: validIncident() })).json()
  const url = `/api/v1/incidents/${incident.id}`

  const enRoute = await app.inject({ method: 'PATCH', url, headers, payload: { status: 'en_route', priority: 1, notes: 'Two units rolling' } })
  assert.equal(enRoute.statusCode, 200)
  assert.equal(enRoute.json().status, 'en_route')
  assert.equal(enRoute.json().priority, 1)
  assert.equal(enRoute.json().notes, 'Two units rolling')
  assert.ok(enRoute.json().updated_at > incident.updated_at)
  await app.inject({ method: 'PATCH', url, headers, payload: { status: 'on_scene' } })
  await app.inject({ method: 'PATCH', url, headers, payload: { status: 'resolved' } })
  const [row] = await database.db.select().from(incidents).where(eq(incidents.id, incident.id))
  assert.ok(row.dispatchedAt && row.arrivedAt && row.resolvedAt)
  assert.equal(row.closedAt, null)

  assert.equal((await app.inject({ method: 'PATCH', url, headers, payload: {} })).statusCode, 422)
  assert.equal((await app.inject({ method: 'PATCH', url, headers, payload: { status: 'exploded' } })).statusCode, 422)
})

test('assign marks available resources assigned, all or nothing', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'INC4')
  const headers = bearer(team.dispatcher.token)
  const made = await database.db.insert(resources).values([
    { agencyId: team.agency.id, resourceType: 'vehicle', name: 'Engine 1', callSign: 'V-001' },
    { agencyId: team.agency.id, resourceType: 'personnel', name: 'Officer 1', callSign: 'P-001' },
    { agencyId: team.agency.id, resourceType: 'equipment', name: 'Pump', callSign: 'E-001', status: 'out_of_service' }
  ]).returning()
  const [engine, officer, pump] = made
  const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: validIncident() })).json()
  const url = `/api/v1/incidents/${incident.id}/assign`

  const refused = await app.inject({ method: 'POST', url, headers, payload: { resource_ids: [engine.id, pump.id] } })
  assert.equal(refused.statusCode, 409)
  const [stillFree] = await database.db.select().from(resources).where(eq(resources.id, engine.id))
  assert.equal(stillFree.status, 'available', 'all or nothing')

  const ok = await app.inject({ method: 'POST', url, headers, payload: { resource_ids: [engine.id, officer.id] } })
  assert.equal(ok.statusCode, 200, ok.body)
  assert.equal(ok.json().status, 'assigned')
  assert.deepEqual(ok.json().assigned_units.sort(), [engine.id, officer.id].sort())
  const rows = await database.db.select().from(resources).where(inArray(resources.id, [engine.id, officer.id]))
  assert.ok(rows.every((r) => r.status === 'assigned' && r.currentIncidentId === incident.id))
  const again = await app.inject({ method: 'POST', url, headers, payload: { resource_ids: [engine.id] } })
  assert.equal(again.statusCode, 200, 'assigning a unit already on this incident is idempotent')
  assert.equal(again.json().assigned_units.length, 2)

  const available = (await app.inject({ url: '/api/v1/resources/available', headers })).json()
  assert.deepEqual(available, [])
  const released = await app.inject({ method: 'PATCH', url: `/api/v1/resources/${engine.id}`, headers, payload: { status: 'available', latitude: 45.6, longitude: -73.6 } })
  assert.equal(released.statusCode, 200)
  assert.equal(released.json().current_incident_id, null)
  assert.equal(released.json().latitude, 45.6)
  const dispatched = await app.inject({ method: 'PATCH', url: `/api/v1/resources/${engine.id}`, headers, payload: { status: 'dispatched' } })
  assert.equal(dispatched.json().status, 'assigned', 'the original\'s `dispatched` is stored as assigned')
  assert.equal((await app.inject({ method: 'POST', url, headers, payload: { resource_ids: [] } })).statusCode, 422)
})
