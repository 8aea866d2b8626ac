// Every kind of bad input gets a 4xx in DRF's shape and writes nothing; none gets a 500.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EUCORA_MIGRATIONS } from '../../../src/apis/eucora/migrations.js'
import { FIXTURE_DEPLOYMENTS, FIXTURE_PENDING } from '../../../src/apis/eucora/fixture/data.js'
import { eucoraFixture } from '../../../src/apis/eucora/fixture/index.js'
import { build, useTestDatabase } from '../../helper.js'
import { form, login, tableCounts } from './support.js'

const database = useTestDatabase('eucora_bad_input', EUCORA_MIGRATIONS)

type Case = { name: string, method?: 'GET' | 'POST', url: string, as?: 'submitter' | 'cab' | 'publisher' | 'none', payload?: string | object, headers?: Record<string, string>, status: number, body?: unknown }

const json = (payload: unknown) => ({ payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } })
const approved = FIXTURE_DEPLOYMENTS.find((d) => d.status === 'APPROVED')!.correlationId
const approval = FIXTURE_PENDING[0].approvalId
const valid = { app_name: 'nginx-1', version: '1.0.0', target_ring: 'CANARY' }

const CASES: Case[] = [
  { name: 'deployment: empty form', url: '/api/v1/deployments/', ...form({}), status: 400, body: { app_name: ['This field is required.'], version: ['This field is required.'], target_ring: ['This field is required.'] } },
  { name: 'deployment: no body at all', url: '/api/v1/deployments/', status: 400 },
  { name: 'deployment: wrong ring', url: '/api/v1/deployments/', ...form({ ...valid, target_ring: 'MOON' }), status: 400, body: { target_ring: ['"MOON" is not a valid choice.'] } },
  { name: 'deployment: ring in lower case', url: '/api/v1/deployments/', ...form({ ...valid, target_ring: 'canary' }), status: 400 },
  { name: 'deployment: blank app', url: '/api/v1/deployments/', ...form({ ...valid, app_name: '' }), status: 400, body: { app_name: ['This field may not be blank.'] } },
  { name: 'deployment: app name too long', url: '/api/v1/deployments/', ...form({ ...valid, app_name: 'x'.repeat(256) }), status: 400, body: { app_name: ['Ensure this field has no more than 255 characters.'] } },
  { name: 'deployment: NUL in version', url: '/api/v1/deployments/', ...form({ ...valid, version: '1.0\u00000' }), status: 400, body: { version: ['Null characters are not allowed.'] } },
  { name: 'deployment: bad evidence UUID', url: '/api/v1/deployments/', ...form({ ...valid, evidence_pack_id: 'not-a-uuid' }), status: 400, body: { evidence_pack_id: ['Must be a valid UUID.'] } },
  { name: 'deployment: JSON number for a text', url: '/api/v1/deployments/', ...json({ ...valid, app_name: 5 }), status: 400, body: { app_name: ['Not a valid string.'] } },
  { name: 'deployment: JSON list for a text', url: '/api/v1/deployments/', ...json({ ...valid, version: ['1'] }), status: 400 },
  { name: 'deployment: JSON array body', url: '/api/v1/deployments/', ...json([valid]), status: 400, body: { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] } },
  { name: 'deployment: JSON null body', url: '/api/v1/deployments/', ...json(null), status: 400 },
  { name: 'deployment: JSON string body', url: '/api/v1/deployments/', ...json('nginx'), status: 400 },
  { name: 'deployment: broken JSON', url: '/api/v1/deployments/', payload: '{"app_name": ', headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'deployment: empty JSON', url: '/api/v1/deployments/', payload: '', headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'deployment: prototype pollution', url: '/api/v1/deployments/', payload: '{"__proto__": {"x": 1}, "app_name": "a", "version": "1", "target_ring": "LAB"}', headers: { 'content-type': 'application/json' }, status: 400 },
  { name: 'deployment: text/plain', url: '/api/v1/deployments/', payload: 'app_name=x', headers: { 'content-type': 'text/plain' }, status: 415 },
  { name: 'deployment: multipart', url: '/api/v1/deployments/', payload: '--b\r\n\r\n--b--', headers: { 'content-type': 'multipart/form-data; boundary=b' }, status: 415 },
  { name: 'deployment: oversize body', url: '/api/v1/deployments/', ...form({ ...valid, version: 'x'.repeat(20_000) }), status: 413, body: { detail: 'Request body is too large.' } },
  { name: 'deployment: no token', as: 'none', url: '/api/v1/deployments/', ...form(valid), status: 401 },
  { name: 'deployment: token "None"', as: 'none', url: '/api/v1/deployments/', ...form(valid), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer None' }, status: 401 },
  { name: 'deployment: huge token', as: 'none', url: '/api/v1/deployments/', ...form(valid), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${'a'.repeat(6000)}` }, status: 401 },
  { name: 'list: limit not a number', method: 'GET', url: '/api/v1/deployments/?limit=abc', status: 400, body: { limit: ['A valid integer is required.'] } },
  { name: 'list: limit 0', method: 'GET', url: '/api/v1/deployments/?limit=0', status: 400 },
  { name: 'list: limit too big', method: 'GET', url: '/api/v1/deployments/?limit=100000', status: 400 },
  { name: 'list: unknown status', method: 'GET', url: '/api/v1/deployments/?status=LOST', status: 400 },
  { name: 'list: NUL in a filter', method: 'GET', url: '/api/v1/deployments/?ring=%00', status: 400 },
  { name: 'detail: not a UUID', method: 'GET', url: '/api/v1/deployments/12345/', status: 404, body: { detail: 'Not found.' } },
  { name: 'detail: NUL in the id', method: 'GET', url: '/api/v1/deployments/%00/', status: 404 },
  { name: 'detail: id longer than any', method: 'GET', url: `/api/v1/deployments/${'a'.repeat(300)}/`, status: 400 },
  { name: 'detail: broken percent-encoding', method: 'GET', url: '/api/v1/deployments/%E0%A4%A/', status: 400 },
  { name: 'cab: limit not a number', method: 'GET', as: 'cab', url: '/api/v1/cab/pending/?limit=many', status: 400 },
  { name: 'cab: approve a malformed id', as: 'cab', url: '/api/v1/cab/xyz/approve/', ...form({ comments: 'x' }), status: 404 },
  { name: 'cab: comments too long', as: 'cab', url: `/api/v1/cab/${approval}/approve/`, ...form({ comments: 'x'.repeat(10_001) }), status: 400 },
  { name: 'cab: conditions a number', as: 'cab', url: `/api/v1/cab/${approval}/approve/`, ...json({ conditions: 3 }), status: 400, body: { conditions: ['Expected a list of at most 50 texts or a dictionary of at most 50 scalar values.'] } },
  { name: 'cab: conditions nested', as: 'cab', url: `/api/v1/cab/${approval}/approve/`, ...json({ conditions: { a: { b: 1 } } }), status: 400 },
  { name: 'cab: too many conditions', as: 'cab', url: `/api/v1/cab/${approval}/approve/`, ...form({ conditions: Array.from({ length: 51 }, (_, i) => `c${i}`) }), status: 400 },
  { name: 'cab: NUL in a condition', as: 'cab', url: `/api/v1/cab/${approval}/approve/`, ...json({ conditions: ['ok\u0000'] }), status: 400 },
  { name: 'cab: reject with a number for comments', as: 'cab', url: `/api/v1/cab/${approval}/reject/`, ...json({ comments: 1 }), status: 400 },
  { name: 'cab: a submitter deciding', as: 'submitter', url: `/api/v1/cab/${approval}/approve/`, ...form({ comments: 'x' }), status: 403 },
  { name: 'publish: nothing', as: 'publisher', url: '/api/v1/connectors/publish/', ...form({}), status: 400 },
  { name: 'publish: unknown plane', as: 'publisher', url: '/api/v1/connectors/publish/', ...form({ deployment_id: approved, target_plane: 'AZURE' }), status: 400 },
  { name: 'publish: bad deployment id', as: 'publisher', url: '/api/v1/connectors/publish/', ...form({ deployment_id: 'abc', target_plane: 'JAMF' }), status: 400 },
  { name: 'publish: nested config', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: { ring: { x: 1 } } }), status: 400 },
  { name: 'publish: config a text', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: 'ring' }), status: 400 },
  { name: 'publish: NUL in a config key', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: { 'a\u0000': 1 } }), status: 400, body: { config: ['Expected a dictionary of at most 50 scalar values or a list of at most 50 texts.'] } },
  { name: 'publish: empty config key', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: { '': 1 } }), status: 400, body: { config: ['Expected a dictionary of at most 50 scalar values or a list of at most 50 texts.'] } },
  { name: 'publish: nested value under a newline key', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: { 'a\nb': { deep: [1] } } }), status: 400, body: { config: ['Expected a dictionary of at most 50 scalar values or a list of at most 50 texts.'] } },
  { name: 'publish: config key too long', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: { ['k'.repeat(101)]: 1 } }), status: 400 },
  { name: 'publish: too many config keys', as: 'publisher', url: '/api/v1/connectors/publish/', ...json({ deployment_id: approved, target_plane: 'JAMF', config: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }), status: 400 },
  { name: 'cab: nested condition under a newline key', as: 'cab', url: `/api/v1/cab/${approval}/approve/`, ...json({ conditions: { 'x\ny': { a: 1 } } }), status: 400 },
  { name: 'publish: a submitter', as: 'submitter', url: '/api/v1/connectors/publish/', ...form({ deployment_id: approved, target_plane: 'JAMF' }), status: 403 },
  { name: 'status: not a UUID', method: 'GET', as: 'publisher', url: '/api/v1/connectors/status/abc/', status: 404 },
  { name: 'remediate: unknown action', as: 'publisher', url: '/api/v1/connectors/remediate/', ...form({ deployment_id: approved, action: 'NUKE' }), status: 400 },
  { name: 'remediate: reason too long', as: 'publisher', url: '/api/v1/connectors/remediate/', ...form({ deployment_id: approved, reason: 'r'.repeat(2001) }), status: 400 },
  { name: 'login: username too long', as: 'none', url: '/api/v1/auth/login/', ...form({ username: 'u'.repeat(151), password: 'test123' }), status: 400 },
  { name: 'login: NUL in the password', as: 'none', url: '/api/v1/auth/login/', ...form({ username: 'loadtest_user', password: 'test\u0000123' }), status: 400, body: { password: ['Null characters are not allowed.'] } },
  { name: 'login: username a list', as: 'none', url: '/api/v1/auth/login/', ...json({ username: ['a'], password: 'test123' }), status: 400 },
  { name: 'login: a burst name with a JSON number password', as: 'none', url: '/api/v1/auth/login/', ...json({ username: 'burst_user_abcdef01', password: 123 }), status: 400 },
  { name: 'unknown route', method: 'GET', url: '/api/v1/nothing-here/', status: 404, body: { detail: 'Not found.' } },
  { name: 'wrong method', method: 'GET', as: 'publisher', url: '/api/v1/connectors/publish/', status: 404 }
]

test('bad input: 4xx in DRF\'s shape, nothing written, never a 500', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora', BODY_LIMIT: 16_384 })
  const tokens = { submitter: await login(app, 'loadtest_user'), cab: await login(app, 'cab_approver'), publisher: await login(app, 'publisher_user') }
  const before = await tableCounts(database.db)

  for (const c of CASES) {
    const as = c.as ?? 'submitter'
    const headers = { ...(as === 'none' ? {} : { authorization: `Bearer ${tokens[as]}` }), ...c.headers }
    const res = await app.inject({ method: c.method ?? 'POST', url: c.url, payload: c.payload as string | undefined, headers })
    assert.equal(res.statusCode, c.status, `${c.name}: ${res.statusCode} ${res.body.slice(0, 300)}`)
    const body = res.json()
    assert.ok(body && typeof body === 'object' && !Array.isArray(body), `${c.name}: an object`)
    const drfShape = typeof body.detail === 'string' || Object.values(body).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string'))
    assert.ok(drfShape, `${c.name}: DRF's shape: ${res.body}`)
    if (c.body) assert.deepEqual(body, c.body, c.name)
  }
  assert.deepEqual(await tableCounts(database.db), before, 'nothing was written')
  const { rows } = await database.pool.query('select decision from eucora.cab_approvals where id = $1', [approval])
  assert.equal(rows[0].decision, 'PENDING')
})

test('a random sweep of fields and values never gets a 500', async (t) => {
  await eucoraFixture.seed(database.db)
  const app = await build(t, database.url, { API: 'eucora' })
  // Staff pass every role check, so each body reaches validation (and, when valid, the database).
  await database.pool.query("update eucora.users set is_staff = true where username = 'publisher_user'")
  const token = await login(app, 'publisher_user')
  const values: unknown[] = ['', 'x', '\u0000', 'x'.repeat(300), 0, -1, 1.5, 1e308, true, null, [], ['a', 'b'], {}, { a: 1 }, { a: { b: [] } }, approved, 'GLOBAL', 'INTUNE', 'REINSTALL']
  const routes = ['/api/v1/deployments/', '/api/v1/connectors/publish/', '/api/v1/connectors/remediate/', `/api/v1/cab/${approval}/reject/`, '/api/v1/auth/login/']
  const fields = ['app_name', 'version', 'target_ring', 'evidence_pack_id', 'deployment_id', 'target_plane', 'config', 'action', 'reason', 'comments', 'conditions', 'username', 'password']
  let seed = 7
  const pick = <T>(list: T[]) => list[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % list.length]
  for (let i = 0; i < 300; i++) {
    const body = Object.fromEntries(Array.from({ length: 1 + (i % 4) }, () => [pick(fields), pick(values)]))
    const url = pick(routes)
    const res = await app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } })
    assert.ok(res.statusCode < 500, `${url} ${JSON.stringify(body)} → ${res.statusCode} ${res.body}`)
  }
  await eucoraFixture.seed(database.db)
})
