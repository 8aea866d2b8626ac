// The seed suite's three personas, end to end, as the Locust file drives them (seed-clients.md §1.3).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import { alerts, incidents } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../../../helper.js'

const database = useTestDatabase('personas')

test('dispatcher: login → lists → create incident → acknowledge → details → me', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'PERSONA1')
  const dispatcher = bearer(team.dispatcher.token)
  const ingester = bearer(team.alert_system.token)

  for (let i = 0; i < 3; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: ingester, payload: validAlert({ severity: i === 1 ? 'critical' : 'low' }) })
    assert.equal(res.statusCode, 201, res.body)
  }

  for (const url of ['/api/v1/incidents/active', '/api/v1/alerts/pending', '/api/v1/resources/available']) {
    const res = await app.inject({ url, headers: dispatcher })
    assert.equal(res.statusCode, 200, `${url}: ${res.body}`)
    assert.ok(Array.isArray(res.json()), `${url} returns a bare array`)
  }

  const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: dispatcher, payload: validIncident() })
  assert.equal(created.statusCode, 201, created.body)
  const incident = created.json()
  assert.match(incident.incident_number, /^INC-\d{8}-\d{5}$/)
  assert.equal(incident.status, 'new')
  assert.equal(incident.incident_type, 'fire')
  assert.deepEqual(incident.location, { latitude: 45.5017, longitude: -73.5673, address: '1234 Test Street', building_info: null })
  assert.deepEqual(incident.assigned_units, [])

  const pending = (await app.inject({ url: '/api/v1/alerts/pending', headers: dispatcher })).json()
  assert.equal(pending.length, 3)
  assert.equal(pending[0].severity, 'critical', 'critical first')
  const ack = await app.inject({
    method: 'POST', url: `/api/v1/alerts/${pending[0].id}/acknowledge`, headers: dispatcher, payload: { notes: 'Acknowledged during load test' }
  })
  assert.equal(ack.statusCode, 200, ack.body)
  assert.equal(ack.json().status, 'acknowledged')
  assert.equal(ack.json().acknowledged_by, team.dispatcher.id)
  assert.equal(ack.json().acknowledgment_notes, 'Acknowledged during load test')
  const [stored] = await database.db.select().from(alerts).where(eq(alerts.id, pending[0].id))
  assert.equal(stored.status, 'acknowledged')
  assert.ok(stored.acknowledgedAt instanceof Date)

  const again = await app.inject({ method: 'POST', url: `/api/v1/alerts/${pending[0].id}/acknowledge`, headers: dispatcher, payload: { notes: null } })
  assert.equal(again.statusCode, 200, 'acknowledging twice is not a failure (two dispatchers race for the first pending alert)')

  for (const url of ['/api/v1/incidents?page=1&page_size=50', '/api/v1/alerts?page=1&page_size=50']) {
    const res = await app.inject({ url, headers: dispatcher })
    assert.equal(res.statusCode, 200)
    const body = res.json()
    assert.deepEqual(Object.keys(body).sort(), ['items', 'page', 'page_size', 'total', 'total_pages'])
    assert.equal(body.page, 1)
    assert.equal(body.page_size, 50)
  }

  const detail = await app.inject({ url: `/api/v1/incidents/${incident.id}`, headers: dispatcher })
  assert.equal(detail.statusCode, 200)
  assert.deepEqual(detail.json(), incident)

  const me = await app.inject({ url: '/api/v1/auth/me', headers: dispatcher })
  assert.equal(me.statusCode, 200)
  assert.deepEqual(me.json(), {
    id: team.dispatcher.id,
    email: team.dispatcher.email,
    full_name: 'dispatcher',
    role: 'dispatcher',
    agency_id: team.agency.id,
    badge_number: null,
    is_verified: true,
    mfa_enabled: false
  })
})

test('responder: active → incident detail, pending → alert detail, resources page, me', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'PERSONA2')
  const responder = bearer(team.responder.token)
  await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(team.dispatcher.token), payload: validIncident() })
  await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })

  const active = (await app.inject({ url: '/api/v1/incidents/active', headers: responder })).json()
  assert.equal(active.length, 1)
  const incident = await app.inject({ url: `/api/v1/incidents/${active[0].id}`, headers: responder })
  assert.equal(incident.statusCode, 200)

  const pending = (await app.inject({ url: '/api/v1/alerts/pending', headers: responder })).json()
  const alert = await app.inject({ url: `/api/v1/alerts/${pending[0].id}`, headers: responder })
  assert.equal(alert.statusCode, 200)
  const sent = validAlert()
  const body = alert.json()
  assert.equal(body.source, sent.source)
  assert.equal(body.alert_type, sent.alert_type)
  assert.deepEqual(body.location, sent.location)
  assert.equal(body.confidence, sent.confidence)
  assert.equal(body.peak_level_db, sent.peak_level_db)
  assert.equal(body.background_level_db, sent.background_level_db)

  const page = await app.inject({ url: '/api/v1/resources?page=1&page_size=50', headers: responder })
  assert.equal(page.statusCode, 200)
  assert.deepEqual(page.json(), { items: [], total: 0, page: 1, page_size: 50, total_pages: 0 })

  const me = await app.inject({ url: '/api/v1/auth/me', headers: responder })
  assert.equal(me.json().role, 'responder')

  // Reads are open to responders; writes are not.
  const write = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: responder, payload: validIncident() })
  assert.equal(write.statusCode, 403)
  assert.equal((await database.db.select().from(incidents).where(eq(incidents.agencyId, team.agency.id))).length, 1)
})

test('alert ingestion: login → ingest returns 201 {id, status, received_at} after commit', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'PERSONA3')
  const res = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })
  assert.equal(res.statusCode, 201)
  const body = res.json()
  assert.deepEqual(Object.keys(body).sort(), ['id', 'received_at', 'status'])
  assert.equal(body.status, 'pending')
  assert.ok(!Number.isNaN(Date.parse(body.received_at)))
  const [row] = await database.db.select().from(alerts).where(eq(alerts.id, body.id))
  assert.ok(row, 'the acknowledged alert is in the database')
  assert.equal(row.agencyId, team.agency.id)
  assert.equal(row.ingestedBy, team.alert_system.id)
})
