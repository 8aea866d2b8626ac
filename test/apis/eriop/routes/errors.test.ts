// Every error status of the contract, with its body, and the promise that no input produces a 500.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { connect, type AddressInfo } from 'node:net'
import { test } from 'node:test'
import { count, eq } from 'drizzle-orm'
import type { FastifyError } from 'fastify'
import pg from 'pg'
import { agencies, alerts, incidents } from '../../../../src/apis/eriop/db/schema/index.js'
import { toErrorReply } from '../../../../src/core/errors/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident, UNREACHABLE_DB_SECRET } from '../../../helper.js'

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
  // JWT_SECRET: without it, the signing key is read from the database, which this app never reaches.
  const app = await build(t, 'postgres://postgres@127.0.0.1:1/nowhere', { DB_CONNECT_TIMEOUT_MS: 500, JWT_SECRET: UNREACHABLE_DB_SECRET })
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

test('NUL characters are a 422 at their own loc, in bodies and query strings, and nothing is written', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERRNUL')
  const dispatcher = bearer(team.dispatcher.token)
  const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: dispatcher, payload: validIncident() })
  assert.equal(created.statusCode, 201)
  const incident = created.json()
  const nul = 'fire \u0000 alarm'
  const cases: Array<[string, string, Record<string, string>, unknown, (string | number)[]]> = [
    ['POST', '/api/v1/auth/login', {}, { email: 'a\u0000@b.local', password: 'x' }, ['body', 'email']],
    ['POST', '/api/v1/incidents', dispatcher, { ...validIncident(), title: nul }, ['body', 'title']],
    ['POST', '/api/v1/incidents', dispatcher, { ...validIncident(), location: { ...validIncident().location, address: nul } }, ['body', 'location', 'address']],
    ['PATCH', `/api/v1/incidents/${incident.id}`, dispatcher, { notes: nul }, ['body', 'notes']],
    ['POST', `/api/v1/alerts/${randomUUID()}/acknowledge`, dispatcher, { notes: nul }, ['body', 'notes']],
    ['POST', `/api/v1/alerts/${randomUUID()}/dismiss`, dispatcher, { reason: nul }, ['body', 'reason']],
    ['POST', '/api/v1/alerts/ingest', bearer(team.alert_system.token), { ...validAlert(), title: nul }, ['body', 'title']],
    ['GET', '/api/v1/alerts?alert_type=%00', dispatcher, undefined, ['query', 'alert_type']]
  ]
  for (const [method, url, headers, payload, loc] of cases) {
    const res = await app.inject({ method: method as 'GET', url, headers, payload: payload as object })
    assert.equal(res.statusCode, 422, `${method} ${url}: ${res.body}`)
    // The e-mail's own pattern (no spaces, one @) refuses it first.
    const issue = loc[1] === 'email'
      ? { loc, msg: res.json().detail[0].msg, type: 'string_pattern_mismatch' }
      : { loc, msg: 'Text must not contain NUL (\\u0000) characters', type: 'string_nul' }
    assert.deepEqual(res.json(), { detail: [issue], code: 'VALIDATION_ERROR' })
  }
  const [{ n }] = await database.db.select({ n: count() }).from(incidents).where(eq(incidents.agencyId, team.agency.id))
  assert.equal(n, 1)
  const [row] = await database.db.select().from(incidents).where(eq(incidents.id, incident.id))
  assert.equal(row.notes, null)
  const [{ a }] = await database.db.select({ a: count() }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.equal(a, 0)
})

test('the router\'s and the HTTP parser\'s refusals answer in the contract\'s shape', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERRURL')
  const headers = bearer(team.dispatcher.token)
  const badUrl = await app.inject({ url: '/api/v1/incidents/%E0', headers })
  assert.equal(badUrl.statusCode, 400)
  assert.deepEqual(badUrl.json(), { detail: 'Malformed URL: invalid percent-encoding', code: 'BAD_REQUEST' })
  const longId = await app.inject({ url: `/api/v1/incidents/${'a'.repeat(150)}`, headers })
  assert.equal(longId.statusCode, 400)
  assert.deepEqual(longId.json(), { detail: 'Invalid id: expected a UUID', code: 'INVALID_ID' })

  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const raw = async (request: string) => {
    const socket = connect(port, '127.0.0.1')
    socket.end(request)
    let text = ''
    for await (const chunk of socket) text += String(chunk)
    return text
  }
  const malformed = await raw('GET /health HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n')
  assert.match(malformed, /^HTTP\/1\.1 400 Bad Request\r\n/)
  assert.deepEqual(JSON.parse(malformed.slice(malformed.indexOf('\r\n\r\n') + 4)), { detail: 'Malformed HTTP request', code: 'BAD_REQUEST' })
  const huge = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`)
  assert.match(huge, /^HTTP\/1\.1 431 /)
  assert.equal(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4)).code, 'HEADERS_TOO_LARGE')
})

test('a token whose account was removed meanwhile gets a 401 on writes, never a 500', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERRGONE')
  // What `npm run seed -- clean` does while a load test still holds its tokens.
  await database.db.delete(agencies).where(eq(agencies.id, team.agency.id))
  const expected = { detail: 'The account this token was issued for no longer exists', code: 'INVALID_TOKEN' }
  const incident = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(team.dispatcher.token), payload: validIncident() })
  assert.equal(incident.statusCode, 401, incident.body)
  assert.deepEqual(incident.json(), expected)
  assert.equal(incident.headers['www-authenticate'], 'Bearer')
  const alert = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })
  assert.equal(alert.statusCode, 401, alert.body)
  assert.deepEqual(alert.json(), expected)
  const batch = await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest/batch', headers: bearer(team.alert_system.token), payload: [validAlert(), validAlert()] })
  assert.equal(batch.statusCode, 401, batch.body)
  const list = await app.inject({ url: '/api/v1/incidents/active', headers: bearer(team.dispatcher.token) })
  assert.deepEqual([list.statusCode, list.json()], [200, []], 'reads see an empty agency')
  const [{ n }] = await database.db.select({ n: count() }).from(alerts).where(eq(alerts.agencyId, team.agency.id))
  assert.equal(n, 0)
})

test('roles are checked before the body: a responder gets 403 whatever it sends; ids match in any case', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ERRROLE')
  const responder = bearer(team.responder.token)
  for (const payload of [{}, { title: 1 }, validIncident()]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: responder, payload })
    assert.equal(res.statusCode, 403, JSON.stringify(payload))
  }
  const upper = await app.inject({ url: `/api/v1/agencies/${team.agency.id.toUpperCase()}`, headers: bearer(team.dispatcher.token) })
  assert.equal(upper.statusCode, 200, upper.body)
  assert.equal(upper.json().id, team.agency.id)
})

test('what only Postgres refuses maps to a 4xx or a retryable 503, with no SQL in the body', () => {
  const refused = (code: string, constraint?: string) => {
    const err = Object.assign(new pg.DatabaseError('insert or update on table "x" violates something', 0, 'error'), { code, constraint })
    // As drizzle hands it over: wrapped, with the query and its parameters in the message.
    return toErrorReply(Object.assign(new Error('Failed query: insert into "x" ...', { cause: err })) as FastifyError)
  }
  const cases: Array<[string, string | undefined, number, string]> = [
    ['40P01', undefined, 503, 'DATABASE_BUSY'], // deadlock
    ['40001', undefined, 503, 'DATABASE_BUSY'], // serialization failure
    ['23503', 'incidents_created_by_users_id_fk', 401, 'INVALID_TOKEN'], // the caller's account is gone
    ['23503', 'incidents_building_id_buildings_id_fk', 409, 'CONFLICT'],
    ['23505', undefined, 409, 'CONFLICT'],
    ['53100', undefined, 503, 'DATABASE_UNAVAILABLE'], // disk full
    ['25006', undefined, 503, 'DATABASE_UNAVAILABLE'], // a read-only standby
    ['22003', undefined, 422, 'VALIDATION_ERROR'] // a value out of range
  ]
  for (const [code, constraint, status, errorCode] of cases) {
    const reply = refused(code, constraint)
    assert.deepEqual([reply.status, reply.body.code], [status, errorCode], code)
    if (status === 503) assert.equal(reply.headers?.['retry-after'], '1', code)
    assert.doesNotMatch(JSON.stringify(reply.body), /insert|violates|Failed query/, code)
  }
})
