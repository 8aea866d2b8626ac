// Pagination bounds, the capped bare-array lists and their ordering.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { alerts, buildings, incidents, resources } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase } from '../../../helper.js'

const database = useTestDatabase('lists')

test('paginated lists: totals, last page, beyond the last page, page_size bounds', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'LIST1')
  const headers = bearer(team.responder.token)
  await database.db.insert(resources).values(Array.from({ length: 23 }, (_, i) => ({
    agencyId: team.agency.id,
    resourceType: 'vehicle' as const,
    name: `Vehicle ${i}`,
    callSign: `V-${String(i).padStart(3, '0')}`,
    status: i % 2 === 0 ? 'available' as const : 'off_duty' as const
  })))

  const first = (await app.inject({ url: '/api/v1/resources?page=1&page_size=10', headers })).json()
  assert.equal(first.total, 23)
  assert.equal(first.total_pages, 3)
  assert.equal(first.items.length, 10)
  assert.equal(first.items[0].call_sign, 'V-000')
  const last = (await app.inject({ url: '/api/v1/resources?page=3&page_size=10', headers })).json()
  assert.equal(last.items.length, 3)
  const beyond = (await app.inject({ url: '/api/v1/resources?page=4&page_size=10', headers })).json()
  assert.deepEqual(beyond.items, [])
  assert.equal(beyond.total, 23)
  const defaults = (await app.inject({ url: '/api/v1/resources', headers })).json()
  assert.equal(defaults.page, 1)
  assert.equal(defaults.page_size, 50)
  const filtered = (await app.inject({ url: '/api/v1/resources?status=available&resource_type=vehicle', headers })).json()
  assert.equal(filtered.total, 12)

  for (const q of ['page=0', 'page_size=0', 'page_size=101', 'page=x']) {
    const res = await app.inject({ url: `/api/v1/resources?${q}`, headers })
    assert.equal(res.statusCode, 422, q)
  }
  assert.equal((await app.inject({ url: '/api/v1/resources?page_size=100', headers })).statusCode, 200)

  const available = (await app.inject({ url: '/api/v1/resources/available?limit=5', headers })).json()
  assert.equal(available.length, 5)
  assert.ok(available.every((r: { status: string }) => r.status === 'available'))
})

test('/incidents/active: active only, priority then newest, capped by limit (default 100, max 500)', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'LIST2')
  const headers = bearer(team.responder.token)
  const base = Date.UTC(2026, 0, 1)
  const statuses = ['new', 'assigned', 'en_route', 'on_scene', 'resolved', 'closed'] as const
  await database.db.insert(incidents).values(Array.from({ length: 120 }, (_, i) => ({
    agencyId: team.agency.id,
    incidentNumber: `INC-LIST2-${i}`,
    category: 'fire' as const,
    priority: (i % 5) + 1,
    status: statuses[i % 6],
    title: `Incident ${i}`,
    latitude: 45.5,
    longitude: -73.5,
    createdAt: new Date(base + i * 1000)
  })))
  const active = (await app.inject({ url: '/api/v1/incidents/active', headers })).json()
  assert.equal(active.length, 80, '4 of every 6 are active')
  assert.ok(active.every((i: { status: string }) => ['new', 'assigned', 'en_route', 'on_scene'].includes(i.status)))
  for (let i = 1; i < active.length; i++) {
    const [a, b] = [active[i - 1], active[i]]
    assert.ok(a.priority < b.priority || (a.priority === b.priority && a.created_at >= b.created_at), `order at ${i}`)
  }
  assert.equal((await app.inject({ url: '/api/v1/incidents/active?limit=7', headers })).json().length, 7)
  assert.equal((await app.inject({ url: '/api/v1/incidents/active?limit=501', headers })).statusCode, 422)

  const page = (await app.inject({ url: '/api/v1/incidents?page=1&page_size=5&status=closed', headers })).json()
  assert.equal(page.total, 20)
  assert.deepEqual(page.items.map((i: { title: string }) => i.title), ['Incident 119', 'Incident 113', 'Incident 107', 'Incident 101', 'Incident 95'])
})

test('/alerts/pending: pending only, critical first then newest; /alerts filters', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'LIST3')
  const headers = bearer(team.responder.token)
  const severities = ['info', 'low', 'medium', 'high', 'critical'] as const
  const base = Date.UTC(2026, 0, 1)
  await database.db.insert(alerts).values(Array.from({ length: 30 }, (_, i) => ({
    agencyId: team.agency.id,
    source: 'manual' as const,
    severity: severities[i % 5],
    status: i < 20 ? 'pending' as const : 'acknowledged' as const,
    alertType: i % 2 ? 'gunshot' : 'scream',
    title: `Alert ${i}`,
    createdAt: new Date(base + i * 1000)
  })))
  const pending = (await app.inject({ url: '/api/v1/alerts/pending', headers })).json()
  assert.equal(pending.length, 20)
  assert.deepEqual(pending.slice(0, 4).map((a: { title: string }) => a.title), ['Alert 19', 'Alert 14', 'Alert 9', 'Alert 4'])
  assert.equal(pending[0].severity, 'critical')
  assert.equal(pending.at(-1).severity, 'info')
  assert.equal(pending[0].location, null, 'no coordinates → location null')
  const filtered = (await app.inject({ url: '/api/v1/alerts?status=pending&severity=critical&alert_type=scream', headers })).json()
  assert.equal(filtered.total, 2)
})

test('buildings: list by name and detail', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'LIST4')
  const headers = bearer(team.responder.token)
  await database.db.insert(buildings).values(['Zeta', 'Alpha', 'Mid'].map((name, i) => ({
    agencyId: team.agency.id,
    name,
    streetName: 'Test Street',
    city: 'Montreal',
    provinceState: 'Quebec',
    fullAddress: `${1000 + i} Test Street`,
    latitude: 45.5 + i / 100,
    longitude: -73.56,
    hasFireAlarm: true,
    hazardLevel: 'moderate' as const
  })))
  const list = (await app.inject({ url: '/api/v1/buildings?page=1&page_size=2', headers })).json()
  assert.deepEqual(list.items.map((b: { name: string }) => b.name), ['Alpha', 'Mid'])
  assert.equal(list.total_pages, 2)
  const detail = (await app.inject({ url: `/api/v1/buildings/${list.items[0].id}`, headers })).json()
  assert.equal(detail.full_address, '1001 Test Street')
  assert.equal(detail.has_fire_alarm, true)
  assert.equal(detail.hazard_level, 'moderate')
  assert.equal(detail.country, 'Canada')
})
