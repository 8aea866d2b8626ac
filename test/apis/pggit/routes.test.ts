// The REST routes as the suite and a FastAPI client use them: shapes, statuses, what is stored.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'drizzle-orm'
import { pggitFixture } from '../../../src/apis/pggit/fixture/store.js'
import { auth, buildPggit, pggitDatabase } from './support.js'
import { UNREACHABLE_DB_SECRET } from '../../helper.js'

const database = pggitDatabase('pggit_routes')

const SUITE_WEBHOOK = {
  name: 'webhook_load_test_1',
  url: 'https://example.com/webhook/1',
  description: 'Load test webhook',
  is_active: true,
  retry_policy: { max_retries: 3, backoff_base: 2, max_backoff: 3600 },
  timeout_seconds: 30,
  ssl_verify: true
}

test('webhooks: list, get, create (201, unknown fields ignored), update, delete', async (t) => {
  await pggitFixture.clean(database.db)
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { PGGIT_CACHE_ENABLED: false })

  const list = await app.inject({ url: '/api/v1/webhooks', headers: auth })
  assert.equal(list.statusCode, 200)
  const body = list.json()
  assert.deepEqual(Object.keys(body).sort(), ['page', 'page_size', 'pages', 'total', 'webhooks'])
  assert.equal(body.total, 5)
  assert.equal(body.page_size, 20)
  assert.equal(typeof body.webhooks[0].id, 'number')

  const paged = (await app.inject({ url: '/api/v1/webhooks?page=2&page_size=2', headers: auth })).json()
  assert.deepEqual([paged.page, paged.page_size, paged.pages, paged.webhooks.length], [2, 2, 3, 2])
  const offset = (await app.inject({ url: '/api/v1/webhooks?limit=2&offset=2', headers: auth })).json()
  assert.deepEqual(offset.webhooks.map((w: { id: number }) => w.id), paged.webhooks.map((w: { id: number }) => w.id), 'limit/offset select the same rows')

  const one = await app.inject({ url: '/api/v1/webhooks/1', headers: auth })
  assert.equal(one.statusCode, 200)
  assert.equal(one.json().name, 'Ops alerts')
  assert.ok(one.json().total_deliveries >= 0 && ['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'UNKNOWN'].includes(one.json().health_status))
  const missing = await app.inject({ url: '/api/v1/webhooks/999999', headers: auth })
  assert.equal(missing.statusCode, 404)
  assert.equal(missing.json().detail, 'Webhook 999999 not found')

  const created = await app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: auth, payload: { ...SUITE_WEBHOOK, surprise: 'ignored' } })
  assert.equal(created.statusCode, 201, created.body)
  const webhook = created.json()
  assert.equal(webhook.id, 6, 'ids continue after the fixture\'s')
  assert.equal(webhook.active, true)
  assert.deepEqual(webhook.events, ['*'])
  const [stored] = (await database.db.execute<{ retry_policy: unknown, timeout_seconds: number, ssl_verify: boolean, created_by: string }>(sql`
    select retry_policy, timeout_seconds, ssl_verify, created_by from pggit.webhooks where id = ${webhook.id}`)).rows
  assert.deepEqual(stored, { retry_policy: SUITE_WEBHOOK.retry_policy, timeout_seconds: 30, ssl_verify: true, created_by: 'test-user' })

  const updated = await app.inject({ method: 'PUT', url: `/api/v1/webhooks/${webhook.id}`, headers: auth, payload: { name: 'renamed', is_active: false, description: 'Updated via load test' } })
  assert.equal(updated.statusCode, 200)
  assert.deepEqual([updated.json().name, updated.json().active, updated.json().url], ['renamed', false, SUITE_WEBHOOK.url])
  assert.equal((await app.inject({ method: 'PUT', url: '/api/v1/webhooks/999999', headers: auth, payload: { name: 'x' } })).statusCode, 404)

  assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${webhook.id}`, headers: auth })).statusCode, 204)
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${webhook.id}`, headers: auth })).statusCode, 404)
})

test('alerts: list (limit/offset), get, stats computed in Postgres, acknowledge idempotently', async (t) => {
  await pggitFixture.clean(database.db)
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { PGGIT_CACHE_ENABLED: false })

  const list = (await app.inject({ url: '/api/v1/alerts?limit=50&offset=0', headers: auth })).json()
  assert.equal(list.alerts.length, 50)
  assert.equal(list.total, 400)
  assert.equal(list.alerts[0].id, 400, 'newest first')
  const failed = (await app.inject({ url: '/api/v1/alerts?status_filter=failed&page_size=100', headers: auth })).json()
  assert.ok(failed.alerts.every((a: { delivery_status: string }) => a.delivery_status === 'failed'))

  const [expected] = (await database.db.execute<Record<string, number>>(sql`
    select count(*)::int as total_alerts, (count(*) filter (where delivery_status = 'pending'))::int as pending_alerts,
           (count(*) filter (where acknowledged))::int as acknowledged_alerts, (count(*) filter (where severity = 'CRITICAL'))::int as critical_count
      from pggit.alert_delivery_queue`)).rows
  const stats = (await app.inject({ url: '/api/v1/alerts/stats/summary', headers: auth })).json()
  for (const key of Object.keys(expected)) assert.equal(stats[key], expected[key], key)
  assert.equal(failed.total, stats.failed_alerts)
  assert.ok(stats.avg_pending_hours > 0 && typeof stats.oldest_pending_alert === 'string')

  const alert = await app.inject({ url: '/api/v1/alerts/1', headers: auth })
  assert.equal(alert.statusCode, 200)
  assert.equal(alert.json().acknowledged, false)
  assert.equal((await app.inject({ url: '/api/v1/alerts/999999', headers: auth })).statusCode, 404)

  const first = await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', headers: auth, payload: { acknowledged_by: 'load_test' } })
  assert.equal(first.statusCode, 200)
  assert.equal(first.json().acknowledged, true)
  const second = await app.inject({ method: 'POST', url: '/api/v1/alerts/1/ack', headers: auth, payload: { acknowledged_by: 'someone else' } })
  assert.equal(second.statusCode, 200)
  assert.equal(second.json().acknowledged_at, first.json().acknowledged_at, 'the first acknowledgement stands')
  const [row] = (await database.db.execute<{ acknowledged_by: string }>(sql`select acknowledged_by from pggit.alert_delivery_queue where alert_id = 1`)).rows
  assert.equal(row.acknowledged_by, 'test-user', 'the token\'s subject, not the body\'s acknowledged_by')
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/alerts/999999/ack', headers: auth, payload: {} })).statusCode, 404)
})

test('dashboard: overview, webhook health and anomalies match the deliveries; performance from the request metrics', async (t) => {
  await pggitFixture.clean(database.db)
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url, { PGGIT_CACHE_ENABLED: false })
  for (let i = 0; i < 5; i++) await app.inject({ url: '/api/v1/webhooks/999999', headers: auth })

  const dashboard = (await app.inject({ url: '/api/v1/dashboard', headers: auth })).json()
  const [overview] = (await database.db.execute<{ total: number, pending: number }>(sql`
    select count(*)::int as total, (count(*) filter (where delivery_status = 'pending'))::int as pending
      from pggit.alert_delivery_queue where created_at >= now() - interval '24 hours'`)).rows
  assert.equal(dashboard.overview.total_deliveries, overview.total)
  assert.equal(dashboard.overview.pending_deliveries, overview.pending)
  assert.equal(dashboard.overview.active_webhooks, 4)
  assert.equal(dashboard.cache_hit, false)

  const health = (await app.inject({ url: '/api/v1/dashboard/webhooks', headers: auth })).json() as Array<{ id: number, total_deliveries: number, successful_deliveries: number, success_rate_percent: number }>
  const [three] = (await database.db.execute<{ total: number, ok: number }>(sql`
    select count(*)::int as total, (count(*) filter (where success))::int as ok from pggit.webhook_deliveries where webhook_id = 3 and created_at >= now() - interval '24 hours'`)).rows
  const row = health.find((w) => w.id === 3)!
  assert.deepEqual([row.total_deliveries, row.successful_deliveries], [three.total, three.ok])
  assert.ok(!health.some((w) => w.id === 5), 'inactive webhooks are not listed')

  const anomalies = (await app.inject({ url: '/api/v1/dashboard/anomalies?days=7', headers: auth })).json()
  assert.equal(anomalies.total_anomalies, anomalies.critical_anomalies + anomalies.warning_anomalies)
  assert.ok(anomalies.total_anomalies > 0, 'the fixture\'s log-normal latencies have outliers')

  const performance = (await app.inject({ url: '/api/v1/dashboard/performance', headers: auth })).json()
  assert.ok(performance.p50_latency_ms > 0 && performance.p95_latency_ms >= performance.p50_latency_ms && performance.p99_latency_ms >= performance.p95_latency_ms)
  assert.ok(performance.error_rate_percent > 0, 'the 404s count as errors, as the original counted status >= 400')
  assert.ok(performance.average_response_time_ms > 0)
})

test('health: the original\'s bodies; deep health is 503 when Postgres is unreachable', async (t) => {
  const app = await buildPggit(t, database.url)
  const health = await app.inject({ url: '/health' })
  assert.equal(health.statusCode, 200)
  assert.deepEqual(Object.keys(health.json()).sort(), ['service', 'status', 'version'])
  assert.equal(health.json().service, 'pggit-api')
  const deep = await app.inject({ url: '/health/deep' })
  assert.equal(deep.statusCode, 200, deep.body)
  assert.equal(deep.json().schema.tables_validated, 4)

  const down = await buildPggit(t, 'postgres://postgres@127.0.0.1:1/nowhere', { DB_CONNECT_TIMEOUT_MS: 200, JWT_SECRET: UNREACHABLE_DB_SECRET })
  const unhealthy = await down.inject({ url: '/health/deep' })
  assert.equal(unhealthy.statusCode, 503)
  assert.equal(unhealthy.json().status, 'unhealthy')
  assert.equal(unhealthy.json().database.status, 'unhealthy')
})
