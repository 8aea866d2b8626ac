// Nobody ever reads or changes another agency's rows: another agency's id is a 404, lists never mix.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import { alerts, buildings, incidents, resources } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../../../helper.js'

const database = useTestDatabase('isolation')

test('each agency sees only its own rows and gets 404 for the other agency\'s ids', async (t) => {
  const app = await build(t, database.url)
  const a = await createTeam(app, database.db, 'ISO_A')
  const b = await createTeam(app, database.db, 'ISO_B')
  const asA = bearer(a.dispatcher.token)
  const asB = bearer(b.dispatcher.token)

  const incidentB = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: asB, payload: validIncident() })).json()
  const alertB = (await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(b.alert_system.token), payload: validAlert() })).json()
  const [resourceB] = await database.db.insert(resources).values({ agencyId: b.agency.id, resourceType: 'vehicle', name: 'Truck', callSign: 'V-001' }).returning()
  const [buildingB] = await database.db.insert(buildings).values({
    agencyId: b.agency.id, name: 'Tower', streetName: 'Main', city: 'Montreal', provinceState: 'Quebec', fullAddress: '1 Main', latitude: 45.5, longitude: -73.5
  }).returning()

  for (const url of ['/api/v1/incidents/active', '/api/v1/alerts/pending', '/api/v1/resources/available']) {
    assert.deepEqual((await app.inject({ url, headers: asA })).json(), [], url)
    assert.equal((await app.inject({ url, headers: asB })).json().length, 1, url)
  }
  for (const url of ['/api/v1/incidents', '/api/v1/alerts', '/api/v1/resources', '/api/v1/buildings']) {
    assert.equal((await app.inject({ url, headers: asA })).json().total, 0, url)
  }

  const reads = [
    `/api/v1/incidents/${incidentB.id}`, `/api/v1/alerts/${alertB.id}`, `/api/v1/resources/${resourceB.id}`,
    `/api/v1/buildings/${buildingB.id}`, `/api/v1/users/${b.dispatcher.id}`, `/api/v1/agencies/${b.agency.id}`
  ]
  for (const url of reads) {
    const res = await app.inject({ url, headers: asA })
    assert.equal(res.statusCode, 404, url)
    assert.equal((await app.inject({ url, headers: asB })).statusCode, 200, url)
  }

  const writes = [
    { method: 'PATCH' as const, url: `/api/v1/incidents/${incidentB.id}`, payload: { status: 'closed' } },
    { method: 'POST' as const, url: `/api/v1/incidents/${incidentB.id}/assign`, payload: { resource_ids: [resourceB.id] } },
    { method: 'POST' as const, url: `/api/v1/alerts/${alertB.id}/acknowledge`, payload: { notes: 'x' } },
    { method: 'POST' as const, url: `/api/v1/alerts/${alertB.id}/dismiss`, payload: { reason: 'x' } },
    { method: 'PATCH' as const, url: `/api/v1/resources/${resourceB.id}`, payload: { status: 'off_duty' } },
    { method: 'POST' as const, url: '/api/v1/incidents', payload: { ...validIncident(), building_id: buildingB.id } }
  ]
  for (const write of writes) {
    const res = await app.inject({ ...write, headers: asA })
    assert.equal(res.statusCode, 404, `${write.method} ${write.url}: ${res.body}`)
  }
  // B's own assignment of A's resource is refused the same way.
  const [resourceA] = await database.db.insert(resources).values({ agencyId: a.agency.id, resourceType: 'personnel', name: 'Officer', callSign: 'P-001' }).returning()
  const cross = await app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentB.id}/assign`, headers: asB, payload: { resource_ids: [resourceA.id] } })
  assert.equal(cross.statusCode, 404)

  const [incidentRow] = await database.db.select().from(incidents).where(eq(incidents.id, incidentB.id))
  assert.equal(incidentRow.status, 'new')
  const [alertRow] = await database.db.select().from(alerts).where(eq(alerts.id, alertB.id))
  assert.equal(alertRow.status, 'pending')
  const [resourceRow] = await database.db.select().from(resources).where(eq(resources.id, resourceB.id))
  assert.equal(resourceRow.status, 'available')
  const [resourceARow] = await database.db.select().from(resources).where(eq(resources.id, resourceA.id))
  assert.equal(resourceARow.status, 'available')
})
