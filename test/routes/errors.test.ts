// Every error status of the contract, with its body, and the promise that no input produces a 500.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { count, eq } from 'drizzle-orm'
import { alerts, incidents } from '../../src/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validIncident } from '../helper.js'

const database = useTestDatabase('errors')

test('400 for a non-UUID id, 404 for an unknown one, 404 for an unknown route', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERR1')
  const headers = bearer(team.dispatcher.token)
  for (const domain of ['incidents', 'alerts', 'resources', 'buildings', 'users', 'agencies']) {
    const bad = await app.inject({ url: `/api/v1/${domain}/not-a-uuid`, headers })
    assert.equal(bad.statusCode, 400, domain)
    assert.deepEqual(bad.json(), { detail: 'Invalid id: expected a UUID', code: 'INVALID_ID' })
    const unknown = await app.inject({ url: `/api/v1/${domain}/${randomUUID()}`, headers })
    assert.equal(unknown.statusCode, 404, domain)
    assert.equal(unknown.json().code, 'NOT_FOUND')
    assert.match(unknown.json().detail, /not found$/)
  }
  const route = await app.inject({ url: '/api/v1/nothing-here', headers })
  assert.equal(route.statusCode, 404)
  assert.deepEqual(route.json(), { detail: 'Not Found', code: 'ROUTE_NOT_FOUND' })
  const slash = await app.inject({ url: '/api/v1/incidents/active/', headers })
  assert.equal(slash.statusCode, 404, 'no trailing slashes')
})

test('422 lists every problem location as {loc, msg, type}', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERR2')
  const headers = bearer(team.dispatcher.token)
  const cases: Array<[unknown, (string | number)[], string]> = [
    [{ ...validIncident(), category: 'volcano' }, ['body', 'category'], 'enum'],
    [{ ...validIncident(), priority: 6 }, ['body', 'priority'], 'less_than_equal'],
    [{ ...validIncident(), priority: '3' }, ['body', 'priority'], 'type_error'],
    [{ ...validIncident(), title: 'abc' }, ['body', 'title'], 'string_too_short'],
    [{ ...validIncident(), title: 'x'.repeat(201) }, ['body', 'title'], 'string_too_long'],
    [{ ...validIncident(), location: { latitude: 91, longitude: 0 } }, ['body', 'location', 'latitude'], 'less_than_equal'],
    [{ ...validIncident(), location: undefined }, ['body', 'location'], 'missing'],
    [[1, 2], ['body'], 'type_error']
  ]
  for (const [payload, loc, type] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: payload as object })
    assert.equal(res.statusCode, 422, JSON.stringify(payload))
    const body = res.json()
    assert.equal(body.code, 'VALIDATION_ERROR')
    assert.ok(Array.isArray(body.detail))
    assert.deepEqual(body.detail[0].loc, loc)
    assert.equal(body.detail[0].type, type)
    assert.equal(typeof body.detail[0].msg, 'string')
  }
  const query = await app.inject({ url: '/api/v1/incidents?page_size=101', headers })
  assert.equal(query.statusCode, 422)
  assert.deepEqual(query.json().detail[0].loc, ['query', 'page_size'])

  const malformed = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"category": ' })
  assert.equal(malformed.statusCode, 422)
  assert.deepEqual(malformed.json(), { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }], code: 'VALIDATION_ERROR' })

  const [{ n }] = await database.db.select({ n: count() }).from(incidents).where(eq(incidents.agencyId, team.agency.id))
  assert.equal(n, 0, 'bad input changes nothing')
})

test('413 for a body over BODY_LIMIT, 415 for anything but JSON', async (t) => {
  const app = await build(t, database.url, { BODY_LIMIT: 2048 })
  const team = await createTeam(app, database.db, 'ERR3')
  const headers = bearer(team.dispatcher.token)
  const big = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: { ...validIncident(), description: 'x'.repeat(4096) } })
  assert.equal(big.statusCode, 413)
  assert.deepEqual(big.json(), { detail: 'Request body is too large', code: 'BODY_TOO_LARGE' })
  for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { ...headers, 'content-type': type }, payload: 'a=b' })
    assert.equal(res.statusCode, 415, type)
    assert.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE')
  }
})

test('409 for a forbidden status transition', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERR4')
  const headers = bearer(team.dispatcher.token)
  const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: validIncident() })).json()
  assert.equal((await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, headers, payload: { status: 'closed' } })).statusCode, 200)
  const reopen = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, headers, payload: { status: 'on_scene' } })
  assert.equal(reopen.statusCode, 409)
  assert.deepEqual(reopen.json(), { detail: 'Cannot change incident status from closed to on_scene', code: 'CONFLICT' })
})

test('503 with Retry-After, not 500, when Postgres is unreachable; health/ready says unhealthy', async (t) => {
  const app = await build(t, 'postgres://postgres@127.0.0.1:1/nowhere', { DB_CONNECT_TIMEOUT_MS: 500 })
  const token = app.jwt.sign({ sub: randomUUID(), type: 'access', user_id: randomUUID(), email: 'x@y.local', role: 'dispatcher', agency_id: randomUUID() })
  for (const url of ['/api/v1/incidents/active', '/api/v1/alerts?page=1', `/api/v1/resources/${randomUUID()}`]) {
    const res = await app.inject({ url, headers: bearer(token) })
    assert.equal(res.statusCode, 503, url)
    assert.deepEqual(res.json(), { detail: 'Database unavailable, retry shortly', code: 'DATABASE_UNAVAILABLE' })
    assert.equal(res.headers['retry-after'], '1')
  }
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@b.local', password: 'x' } })
  assert.equal(login.statusCode, 503)
  const ready = await app.inject({ url: '/health/ready' })
  assert.equal(ready.statusCode, 503)
  assert.equal(ready.json().status, 'unhealthy')
  assert.equal((await app.inject({ url: '/health' })).statusCode, 200, 'liveness does not depend on the database')
})

test('no input sweep produces a 500', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERR5')
  const headers = bearer(team.admin.token)
  const id = randomUUID()
  const routes: Array<['GET' | 'POST' | 'PATCH', string]> = [
    ['POST', '/api/v1/auth/login'], ['POST', '/api/v1/auth/refresh'], ['GET', '/api/v1/auth/me'],
    ['GET', '/api/v1/incidents/active'], ['GET', '/api/v1/incidents'], ['POST', '/api/v1/incidents'],
    ['PATCH', `/api/v1/incidents/${id}`], ['POST', `/api/v1/incidents/${id}/assign`],
    ['POST', '/api/v1/alerts/ingest'], ['POST', '/api/v1/alerts/ingest/batch'], ['GET', '/api/v1/alerts/pending'],
    ['GET', '/api/v1/alerts'], ['POST', `/api/v1/alerts/${id}/acknowledge`], ['POST', `/api/v1/alerts/${id}/dismiss`],
    ['GET', '/api/v1/resources/available'], ['GET', '/api/v1/resources'], ['PATCH', `/api/v1/resources/${id}`],
    ['GET', '/api/v1/buildings'], ['GET', '/api/v1/users'], ['GET', '/api/v1/agencies/current']
  ]
  const bodies: unknown[] = ['', 'null', '[]', '{}', '"x"', '1e309', '{"__proto__": {"admin": true}}', '{"a":' + '['.repeat(5000), '\u0000', JSON.stringify({ title: '\ud800', location: { latitude: 'NaN' } })]
  const queries = ['', '?page=0', '?page=-1', '?page_size=0', '?page=abc', '?limit=100000', '?status=nope', '?page=1&page=2', '?building_id=zzz', '?priority=1.5']
  for (const [method, url] of routes) {
    for (const payload of bodies) {
      const res = await app.inject({ method, url, headers: { ...headers, 'content-type': 'application/json' }, payload: payload as string })
      assert.ok(res.statusCode < 500, `${method} ${url} ${String(payload).slice(0, 40)} → ${res.statusCode} ${res.body}`)
    }
    for (const q of queries) {
      const res = await app.inject({ method, url: url + q, headers })
      assert.ok(res.statusCode < 500, `${method} ${url}${q} → ${res.statusCode} ${res.body}`)
    }
  }
  const [{ n }] = await database.db.select({ n: count() }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.equal(n, 0)
})
