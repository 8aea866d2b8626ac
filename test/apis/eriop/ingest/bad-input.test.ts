// Whatever a client sends to POST /alerts/ingest, the answer is the contract's 4xx in the
// `{detail, code}` shape, never a 500, and nothing is written.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { eq } from 'drizzle-orm'
import { alerts } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'
import { metric } from './support.js'

const database = useTestDatabase('ingest_bad_input')
const INGEST = '/api/v1/alerts/ingest'

const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
const withRaw = (raw: string) => JSON.stringify(validAlert()).replace(/"raw_payload":\{[^}]*\}/, `"raw_payload":${raw}`)

test('bad input sweep: every case is its 4xx in the contract shape, zero rows written, no 5xx', async (t) => {
  const app = await build(t, database.url, { BODY_LIMIT: 64 * 1024 })
  const team = await createTeam(app, database.db, 'BAD1')
  const token = team.alert_system.token
  const json = { ...bearer(token), 'content-type': 'application/json' }
  const [header, payload, signature] = token.split('.')
  const tampered = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`
  const refresh = (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: team.alert_system.email, password: 'TestPass123456!' } })).json().refresh_token

  const cases: { name: string, status: number, headers?: Record<string, string>, body?: string | object, loc?: (string | number)[], code?: string }[] = [
    { name: 'malformed JSON', status: 422, body: '{"source": "manual", "title": ', loc: ['body'] },
    { name: 'empty body', status: 422, body: '' },
    { name: 'JSON null', status: 422, body: 'null' },
    { name: 'JSON array', status: 422, body: '[]' },
    { name: 'JSON string', status: 422, body: '"alert"' },
    { name: 'missing title', status: 422, body: { ...validAlert(), title: undefined }, loc: ['body', 'title'] },
    { name: 'missing source', status: 422, body: { ...validAlert(), source: undefined }, loc: ['body', 'source'] },
    { name: 'unknown source', status: 422, body: validAlert({ source: 'carrier_pigeon' }), loc: ['body', 'source'] },
    { name: 'unknown severity', status: 422, body: validAlert({ severity: 'urgent' }), loc: ['body', 'severity'] },
    { name: 'title is a number', status: 422, body: validAlert({ title: 123 }), loc: ['body', 'title'] },
    { name: 'empty title', status: 422, body: validAlert({ title: '' }), loc: ['body', 'title'] },
    { name: 'title of 201 characters', status: 422, body: validAlert({ title: 'x'.repeat(201) }), loc: ['body', 'title'] },
    { name: 'alert_type of 101 characters', status: 422, body: validAlert({ alert_type: 'x'.repeat(101) }), loc: ['body', 'alert_type'] },
    { name: 'confidence as a string', status: 422, body: validAlert({ confidence: '0.9' }), loc: ['body', 'confidence'] },
    { name: 'confidence above 1', status: 422, body: validAlert({ confidence: 1.01 }), loc: ['body', 'confidence'] },
    { name: 'confidence below 0', status: 422, body: validAlert({ confidence: -0.1 }), loc: ['body', 'confidence'] },
    { name: 'confidence 1e400 (Infinity)', status: 422, body: JSON.stringify(validAlert()).replace('"confidence":0.91', '"confidence":1e400'), loc: ['body', 'confidence'] },
    { name: 'latitude 91', status: 422, body: validAlert({ location: { latitude: 91, longitude: 0 } }), loc: ['body', 'location', 'latitude'] },
    { name: 'longitude -180.5', status: 422, body: validAlert({ location: { latitude: 0, longitude: -180.5 } }), loc: ['body', 'location', 'longitude'] },
    { name: 'location without longitude', status: 422, body: validAlert({ location: { latitude: 1 } }), loc: ['body', 'location', 'longitude'] },
    { name: 'location as text', status: 422, body: validAlert({ location: 'Montreal' }), loc: ['body', 'location'] },
    { name: 'peak_level_db 301', status: 422, body: validAlert({ peak_level_db: 301 }), loc: ['body', 'peak_level_db'] },
    { name: 'background_level_db -101', status: 422, body: validAlert({ background_level_db: -101 }), loc: ['body', 'background_level_db'] },
    { name: 'raw_payload as an array', status: 422, body: validAlert({ raw_payload: [1, 2] }), loc: ['body', 'raw_payload'] },
    { name: 'raw_payload with 201 properties', status: 422, body: validAlert({ raw_payload: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, i])) }), loc: ['body', 'raw_payload'] },
    { name: 'raw_payload nested 10,000 deep', status: 422, body: withRaw(`{"deep":${nested(10_000)}}`), loc: ['body', 'raw_payload'] },
    { name: 'building_id not a UUID', status: 422, body: validAlert({ building_id: 'building-7' }), loc: ['body', 'building_id'] },
    { name: 'NUL character in the title', status: 422, body: validAlert({ title: 'nul \u0000 here' }), loc: ['body', 'title'] },
    { name: 'NUL character in a raw_payload key', status: 422, body: validAlert({ raw_payload: { 'k\u0000': 1 } }), loc: ['body'] },
    { name: 'unpaired surrogate in the description', status: 422, body: JSON.stringify(validAlert()).replace('"Load test alert"', '"half \\ud83d emoji"'), loc: ['body'] },
    { name: 'prototype poisoning', status: 422, body: JSON.stringify(validAlert()).replace('{', '{"__proto__":{"polluted":true},') },
    { name: 'body over BODY_LIMIT', status: 413, body: validAlert({ description: 'x'.repeat(70 * 1024) }), code: 'BODY_TOO_LARGE' },
    { name: 'text/plain', status: 415, headers: { ...bearer(token), 'content-type': 'text/plain' }, body: JSON.stringify(validAlert()), code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'form-encoded', status: 415, headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' }, body: 'source=manual&title=x', code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'no token', status: 401, headers: { 'content-type': 'application/json' }, body: validAlert(), code: 'NOT_AUTHENTICATED' },
    { name: 'Basic credentials', status: 401, headers: { 'content-type': 'application/json', authorization: 'Basic YTpi' }, body: validAlert() },
    { name: 'tampered token', status: 401, headers: { ...bearer(tampered), 'content-type': 'application/json' }, body: validAlert(), code: 'INVALID_TOKEN' },
    { name: 'refresh token as access token', status: 401, headers: { ...bearer(refresh), 'content-type': 'application/json' }, body: validAlert(), code: 'INVALID_TOKEN' },
    { name: 'responder role', status: 403, headers: { ...bearer(team.responder.token), 'content-type': 'application/json' }, body: validAlert(), code: 'FORBIDDEN' }
  ]

  for (const c of cases) {
    const res = await app.inject({
      method: 'POST',
      url: INGEST,
      headers: c.headers ?? json,
      payload: typeof c.body === 'string' ? c.body : JSON.stringify(c.body)
    })
    assert.equal(res.statusCode, c.status, `${c.name}: ${res.statusCode} ${res.body}`)
    const body = res.json()
    assert.ok(typeof body.code === 'string' && body.code.length > 0, `${c.name}: a code`)
    assert.ok(typeof body.detail === 'string' || Array.isArray(body.detail), `${c.name}: a detail`)
    if (c.code) assert.equal(body.code, c.code, c.name)
    if (c.status === 422) assert.equal(body.code, 'VALIDATION_ERROR', c.name)
    if (c.loc) assert.deepEqual(body.detail[0].loc, c.loc, c.name)
    if (c.status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer', c.name)
  }

  assert.equal((await database.db.select().from(alerts).where(eq(alerts.agencyId, team.agency.id))).length, 0, 'zero rows written')
  assert.equal(await metric(app, 'http_requests_total', { status_code: '500' }), 0)
  assert.equal(await metric(app, 'ingest_alerts_committed_total'), 0)

  // And the same app still ingests a good alert.
  const good = await app.inject({ method: 'POST', url: INGEST, headers: json, payload: JSON.stringify(validAlert()) })
  assert.equal(good.statusCode, 201)
})
