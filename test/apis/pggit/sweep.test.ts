// Bad input on every route: a 4xx in FastAPI's shape, never a 500, and nothing written.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { pggitFixture } from '../../../src/apis/pggit/fixture/store.js'
import { auth, buildPggit, pggitDatabase } from './support.js'

const database = pggitDatabase('pggit_sweep')

const json = { ...auth, 'content-type': 'application/json' }
const long = (n: number) => 'x'.repeat(n)
const valid = { name: 'ok name', url: 'https://example.com/hook' }

type Case = { method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: string, headers?: Record<string, string> }

const cases: Case[] = []
const bodies: unknown[] = [
  [], null, 'text', 42, true, {}, { name: '' }, { name: 'n', url: 'short' }, { ...valid, name: long(256) }, { ...valid, url: `https://${long(2050)}` },
  { ...valid, name: 'nul\u0000byte' }, { ...valid, events: 'all' }, { ...valid, events: [long(101)] }, { ...valid, events: Array(51).fill('e') },
  { ...valid, active: 'yes' }, { ...valid, is_active: 1 }, { ...valid, description: long(1001) }, { ...valid, retry_policy: { max_retries: 99 } },
  { ...valid, retry_policy: 'fast' }, { ...valid, timeout_seconds: 0 }, { ...valid, timeout_seconds: 1e9 }, { ...valid, ssl_verify: 'no' }, { ...valid, name: 5 }
]
for (const body of bodies) {
  cases.push({ method: 'POST', url: '/api/v1/webhooks', body: JSON.stringify(body) })
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length > 0) {
    cases.push({ method: 'PUT', url: '/api/v1/webhooks/1', body: JSON.stringify({ ...body, name: (body as { name?: unknown }).name ?? '' }) })
  }
}
for (const body of ['{', '{"name": "a",}', 'null', '[]', '"notes"', '{"notes": 5}', `{"notes": "${long(501)}"}`, '{"notes": "a\\u0000b"}']) {
  cases.push({ method: 'POST', url: '/api/v1/alerts/1/ack', body })
}
cases.push({ method: 'POST', url: '/api/v1/webhooks', body: 'name=x', headers: { ...auth, 'content-type': 'text/plain' } })
cases.push({ method: 'POST', url: '/api/v1/webhooks', body: '{"name": "x"', headers: json })
for (const id of ['abc', '0', '-1', '1.5', '99999999999', '1e3', '%00', long(90)]) {
  cases.push({ method: 'GET', url: `/api/v1/webhooks/${id}` }, { method: 'GET', url: `/api/v1/alerts/${id}` })
  cases.push({ method: 'PUT', url: `/api/v1/webhooks/${id}`, body: JSON.stringify(valid) }, { method: 'POST', url: `/api/v1/alerts/${id}/ack`, body: '{}' })
  cases.push({ method: 'DELETE', url: `/api/v1/webhooks/${id}` })
}
for (const query of ['page=0', 'page=abc', 'page_size=0', 'page_size=101', 'limit=-1', 'limit=1000', 'offset=-5', 'offset=x', 'page=99999999999']) {
  cases.push({ method: 'GET', url: `/api/v1/webhooks?${query}` }, { method: 'GET', url: `/api/v1/alerts?${query}` })
}
for (const url of [
  '/api/v1/alerts?status_filter=lost', '/api/v1/alerts?severity_filter=critical', '/api/v1/dashboard/webhooks?limit=0', '/api/v1/dashboard/webhooks?limit=101',
  '/api/v1/dashboard/anomalies?days=0', '/api/v1/dashboard/anomalies?days=31', '/api/v1/dashboard/anomalies?days=x'
]) cases.push({ method: 'GET', url })
for (const url of ['/api/v1/cache/invalidate/alerts', '/api/v1/cache/invalidate/alerts?alert_id=x', '/api/v1/cache/invalidate/webhooks?webhook_id=0', '/api/v1/cache/invalidate/everything', `/api/v1/cache/invalidate/alerts?alert_id=1&event_type=${long(101)}`]) {
  cases.push({ method: 'POST', url })
}
for (const authorization of ['', 'Bearer', 'Bearer a.b', 'Bearer \u00ff', `Bearer ${long(5000)}`]) {
  cases.push({ method: 'GET', url: '/api/v1/webhooks', headers: { authorization } }, { method: 'POST', url: '/api/v1/webhooks', body: JSON.stringify(valid), headers: { authorization, 'content-type': 'application/json' } })
}

async function snapshot () {
  const { rows } = await database.db.execute(sql`
    select (select count(*) from pggit.webhooks) as webhooks, (select count(*) from pggit.alert_delivery_queue) as alerts,
           (select count(*) from pggit.webhook_deliveries) as deliveries,
           (select row_to_json(w) from pggit.webhooks w where id = 1) as webhook_1,
           (select row_to_json(a) from pggit.alert_delivery_queue a where alert_id = 1) as alert_1`)
  return rows[0]
}

test(`${cases.length} bad requests: each a 4xx with FastAPI's {detail}, none a 500, nothing written`, async (t) => {
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url)
  const before = await snapshot()
  for (const c of cases) {
    const res = await app.inject({ method: c.method, url: c.url, payload: c.body, headers: c.headers ?? (c.body === undefined ? auth : json) })
    const label = `${c.method} ${c.url.slice(0, 80)} ${String(c.body).slice(0, 60)}`
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${label}: ${res.statusCode} ${res.body.slice(0, 200)}`)
    const body = res.json()
    assert.ok(typeof body.detail === 'string' || Array.isArray(body.detail), `${label}: ${res.body.slice(0, 200)}`)
    if (res.statusCode === 422 && Array.isArray(body.detail)) {
      for (const issue of body.detail) assert.ok(['body', 'query', 'path'].includes(issue.loc[0]) && issue.msg && issue.type, `${label}: ${JSON.stringify(issue)}`)
    }
  }
  assert.deepEqual(await snapshot(), before, 'no row added or changed')
})
