// The short-lived cache of GET /incidents/active, /alerts/pending and /resources/available.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { alerts, incidents, resources } from '../../src/apis/eriop/db/schema/index.js'
import type { App } from '../../src/app.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../helper.js'

const database = useTestDatabase('list_cache')

const LISTS = ['/api/v1/incidents/active', '/api/v1/alerts/pending', '/api/v1/resources/available']
// Long enough that nothing in a test expires by itself: what changes a list here is an invalidation.
const LONG_TTL = { LIST_CACHE_TTL_MS: 60_000 }

type Team = Awaited<ReturnType<typeof createTeam>>

/** An incident, an alert and a resource written straight into the database, behind the API's back. */
async function insertBehindTheApi (team: Team, tag: string) {
  const agencyId = team.agency.id
  const [incident] = await database.db.insert(incidents).values({
    agencyId, incidentNumber: `INC-${tag}`, category: 'fire', title: `Incident ${tag}`, latitude: 45.5, longitude: -73.5
  }).returning()
  const [alert] = await database.db.insert(alerts).values({ agencyId, source: 'manual', alertType: 'smoke', title: `Alert ${tag}` }).returning()
  const [resource] = await database.db.insert(resources).values({ agencyId, resourceType: 'vehicle', name: `Truck ${tag}`, callSign: `V-${tag}` }).returning()
  return { incident, alert, resource }
}

const ids = async (app: App, url: string, token: string) => {
  const res = await app.inject({ url, headers: bearer(token) })
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`)
  return (res.json() as Array<{ id: string }>).map((item) => item.id)
}

function cacheCount (metrics: string, list: string, result: string): number {
  const match = new RegExp(`list_cache_requests_total\\{list="${list}",result="${result}"\\} (\\d+)`).exec(metrics)
  return match ? Number(match[1]) : 0
}

test('within the TTL a list is answered from the cache, byte for byte what the route serializes', async (t) => {
  const cached = await build(t, database.url, LONG_TTL)
  const uncached = await build(t, database.url, { LIST_CACHE_TTL_MS: 0 })
  const team = await createTeam(cached, database.db, 'CACHE1')
  await insertBehindTheApi(team, 'C1A')

  for (const url of LISTS) {
    const first = await cached.inject({ url, headers: bearer(team.responder.token) })
    const again = await cached.inject({ url, headers: bearer(team.responder.token) })
    const direct = await uncached.inject({ url, headers: bearer(team.responder.token) })
    assert.equal(first.statusCode, 200)
    assert.equal(again.body, first.body, url)
    assert.equal(direct.body, first.body, `${url}: the cached body is the route's own serialization`)
    assert.equal(again.headers['content-type'], direct.headers['content-type'])
    assert.equal(again.headers['content-type'], 'application/json; charset=utf-8')
    assert.equal(first.json().length, 1)
  }

  // Rows written behind the API's back are not seen until the entry expires (LIST_CACHE_TTL_MS)...
  const hidden = await insertBehindTheApi(team, 'C1B')
  assert.ok(!(await ids(cached, LISTS[0], team.responder.token)).includes(hidden.incident.id))
  assert.ok(!(await ids(cached, LISTS[1], team.responder.token)).includes(hidden.alert.id))
  assert.ok(!(await ids(cached, LISTS[2], team.responder.token)).includes(hidden.resource.id))
  // ...while LIST_CACHE_TTL_MS=0 reads the database every time.
  assert.ok((await ids(uncached, LISTS[0], team.responder.token)).includes(hidden.incident.id))
  assert.ok((await ids(uncached, LISTS[1], team.responder.token)).includes(hidden.alert.id))
  assert.ok((await ids(uncached, LISTS[2], team.responder.token)).includes(hidden.resource.id))

  const metrics = (await cached.inject({ url: '/metrics' })).body
  assert.equal(cacheCount(metrics, 'incidents:active', 'miss'), 1)
  assert.equal(cacheCount(metrics, 'incidents:active', 'hit'), 2)
  assert.equal(cacheCount(metrics, 'alerts:pending', 'hit'), 2)
})

test('writes through the API show in the next read at once: the writer reads its own writes', async (t) => {
  const app = await build(t, database.url, LONG_TTL)
  const team = await createTeam(app, database.db, 'CACHE2')
  const dispatcher = bearer(team.dispatcher.token)
  const { alert, resource } = await insertBehindTheApi(team, 'C2A')
  for (const url of LISTS) assert.equal((await ids(app, url, team.responder.token)).length, 1, url)

  // POST /incidents
  const created = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: dispatcher, payload: validIncident() })).json()
  assert.ok((await ids(app, LISTS[0], team.responder.token)).includes(created.id))

  // PATCH /incidents/:id: a closed incident leaves the active list.
  const closed = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${created.id}`, headers: dispatcher, payload: { status: 'closed' } })
  assert.equal(closed.statusCode, 200)
  assert.ok(!(await ids(app, LISTS[0], team.responder.token)).includes(created.id))

  // POST /incidents/:id/assign: the resource is no longer available.
  const other = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: dispatcher, payload: validIncident() })).json()
  await ids(app, LISTS[0], team.responder.token)
  const assigned = await app.inject({ method: 'POST', url: `/api/v1/incidents/${other.id}/assign`, headers: dispatcher, payload: { resource_ids: [resource.id] } })
  assert.equal(assigned.statusCode, 200, assigned.body)
  assert.deepEqual(await ids(app, LISTS[2], team.responder.token), [])
  const active = (await app.inject({ url: LISTS[0], headers: bearer(team.responder.token) })).json()
  assert.equal(active.find((i: { id: string }) => i.id === other.id).status, 'assigned')

  // PATCH /resources/:id: available again.
  const freed = await app.inject({ method: 'PATCH', url: `/api/v1/resources/${resource.id}`, headers: dispatcher, payload: { status: 'available' } })
  assert.equal(freed.statusCode, 200)
  assert.deepEqual(await ids(app, LISTS[2], team.responder.token), [resource.id])

  // POST /alerts/:id/acknowledge and /dismiss leave the pending list.
  const ingested = (await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })).json()
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge`, headers: dispatcher, payload: {} })).statusCode, 200)
  const pending = await ids(app, LISTS[1], team.responder.token)
  assert.ok(!pending.includes(alert.id))
  assert.ok(pending.includes(ingested.id), 'the refreshed list also has what was ingested meanwhile')
  assert.equal((await app.inject({ method: 'POST', url: `/api/v1/alerts/${ingested.id}/dismiss`, headers: dispatcher, payload: {} })).statusCode, 200)
  assert.deepEqual(await ids(app, LISTS[1], team.responder.token), [])
})

test('ingested alerts reach /alerts/pending once the entry expires; agencies and queries never share an entry', async (t) => {
  const app = await build(t, database.url, { LIST_CACHE_TTL_MS: 50 })
  const a = await createTeam(app, database.db, 'CACHE3A')
  const b = await createTeam(app, database.db, 'CACHE3B')
  await insertBehindTheApi(a, 'C3A')
  for (const url of LISTS) {
    assert.equal((await ids(app, url, a.responder.token)).length, 1, url)
    assert.deepEqual(await ids(app, url, b.responder.token), [], `${url}: agency B never gets agency A's cached list`)
  }

  const alerts = []
  for (let i = 0; i < 3; i++) {
    alerts.push((await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(a.alert_system.token), payload: validAlert() })).json().id)
  }
  await sleep(120)
  const pending = await ids(app, LISTS[1], a.responder.token)
  assert.equal(pending.length, 4)
  for (const id of alerts) assert.ok(pending.includes(id))
  assert.equal((await ids(app, `${LISTS[1]}?limit=2`, a.responder.token)).length, 2, 'the limit is part of the key')
  assert.equal((await ids(app, `${LISTS[1]}?limit=500`, a.responder.token)).length, 4)
  assert.equal((await app.inject({ url: `${LISTS[2]}?resource_type=personnel`, headers: bearer(a.responder.token) })).json().length, 0)
  assert.equal((await app.inject({ url: `${LISTS[2]}?resource_type=vehicle`, headers: bearer(a.responder.token) })).json().length, 1)
})

test('concurrent misses of one list share a single database read', async (t) => {
  const app = await build(t, database.url, LONG_TTL)
  const team = await createTeam(app, database.db, 'CACHE4')
  await insertBehindTheApi(team, 'C4A')
  const answers = await Promise.all(Array.from({ length: 8 }, () => app.inject({ url: LISTS[1], headers: bearer(team.responder.token) })))
  assert.ok(answers.every((res) => res.statusCode === 200 && res.body === answers[0].body))
  const metrics = (await app.inject({ url: '/metrics' })).body
  assert.equal(cacheCount(metrics, 'alerts:pending', 'miss'), 1)
  assert.equal(cacheCount(metrics, 'alerts:pending', 'shared') + cacheCount(metrics, 'alerts:pending', 'hit'), 7)
})
