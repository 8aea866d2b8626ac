// /ws/dashboard with a real WebSocket client: auth, actions, pushes (across replicas through
// Redis), heartbeats, the connection cap, and the bound on a slow reader.
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { test, type TestContext } from 'node:test'
import WebSocket from 'ws'
import { DashboardHub } from '../../../src/apis/pggit/live/hub.js'
import type { App } from '../../../src/app.js'
import { buildPggit, pggitDatabase, SUITE_TOKEN } from './support.js'

const database = pggitDatabase('pggit_websocket')

interface Client { ws: WebSocket, messages: Array<Record<string, unknown>>, next (type: string, timeoutMs?: number): Promise<Record<string, unknown>> }

async function listen (app: App): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws/dashboard`
}

async function connect (t: TestContext, url: string): Promise<Client> {
  const ws = new WebSocket(url)
  const messages: Client['messages'] = []
  const waiters: Array<() => void> = []
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()))
    for (const wake of waiters.splice(0)) wake()
  })
  t.after(() => ws.terminate())
  await once(ws, 'open')
  return {
    ws,
    messages,
    async next (type, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = messages.findIndex((m) => m.type === type)
        if (found >= 0) return messages.splice(found, 1)[0]
        if (Date.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms (got ${messages.map((m) => m.type).join(', ')})`)
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50) })
      }
    }
  }
}

const refusal = (url: string) => new Promise<number>((resolve, reject) => {
  const ws = new WebSocket(url)
  ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!))
  ws.on('open', () => { ws.terminate(); reject(new Error('opened')) })
  ws.on('error', () => {})
})

test('no token or a bad one: 401 before the upgrade; past the cap: 503', async (t) => {
  const app = await buildPggit(t, database.url, { PGGIT_WS_MAX_CLIENTS: 1 })
  const url = await listen(app)
  assert.equal(await refusal(url), 401)
  assert.equal(await refusal(`${url}?token=nonsense`), 401)
  await connect(t, `${url}?token=${SUITE_TOKEN}`)
  assert.equal(await refusal(`${url}?token=${SUITE_TOKEN}`), 503)
})

test('subscribe, unsubscribe, ping; pushes reach the subscribed sockets of every replica', async (t) => {
  const app = await buildPggit(t, database.url, { PGGIT_WS_METRICS_INTERVAL_MS: 200, PGGIT_WS_HEARTBEAT_MS: 300 })
  const replica = await buildPggit(t, database.url, { REDIS_KEY_PREFIX: app.config.REDIS_KEY_PREFIX })
  const url = `${await listen(app)}?token=${SUITE_TOKEN}`
  const otherUrl = `${await listen(replica)}?token=${SUITE_TOKEN}`

  const all = await connect(t, url)
  all.ws.send(JSON.stringify({ action: 'subscribe', types: ['metrics', 'alerts', 'webhooks'] }))
  assert.deepEqual((await all.next('subscription_confirmed')).subscriptions, ['metrics', 'alerts', 'webhooks'])
  const metrics = (await all.next('metrics_update')).data as Record<string, number>
  assert.deepEqual(Object.keys(metrics).sort(), ['average_response_time_ms', 'cache_hit_rate_percent', 'error_rate_percent', 'p50_latency_ms', 'p95_latency_ms', 'p99_latency_ms'])
  const heartbeat = await all.next('heartbeat')
  assert.equal(heartbeat.active_connections, 1)

  const elsewhere = await connect(t, otherUrl)
  elsewhere.ws.send(JSON.stringify({ action: 'subscribe', types: ['alerts'] }))
  await elsewhere.next('subscription_confirmed')
  const metricsOnly = await connect(t, url)
  metricsOnly.ws.send(JSON.stringify({ action: 'unsubscribe', types: ['alerts', 'webhooks'] }))
  assert.deepEqual((await metricsOnly.next('unsubscribe_confirmed')).subscriptions, ['metrics'])

  const alert = { alert_id: 7, webhook_id: 1, alert_type: 'anomaly_detected', severity: 'WARNING', message: 'm' }
  app.events.publish('pggit:alert_new', [alert])
  assert.deepEqual((await all.next('alert_new')).data, alert)
  assert.deepEqual((await elsewhere.next('alert_new')).data, alert, 'through Redis to the other replica\'s socket')
  await assert.rejects(metricsOnly.next('alert_new', 500), /no alert_new/)

  const change = { webhook_id: 3, webhook_name: 'Merge bot', health_status: 'DEGRADED', success_rate_percent: 85, active: true }
  replica.events.publish('pggit:webhook_status_changed', [change])
  assert.deepEqual((await all.next('webhook_status_changed')).data, change)

  all.ws.send(JSON.stringify({ action: 'ping' }))
  assert.equal(((await all.next('pong')).data as { total_connections: number }).total_connections, 2)
  all.ws.send('not json')
  assert.equal((await all.next('error')).message, 'Invalid JSON')
  all.ws.send(JSON.stringify({ action: 'dance' }))
  assert.equal((await all.next('error')).message, 'Unknown action: dance')
})

test('a write that switches a webhook off is seen live', async (t) => {
  const { pggitFixture } = await import('../../../src/apis/pggit/fixture/store.js')
  await pggitFixture.seed(database.db)
  const app = await buildPggit(t, database.url)
  const client = await connect(t, `${await listen(app)}?token=${SUITE_TOKEN}`)
  const res = await app.inject({ method: 'PUT', url: '/api/v1/webhooks/2', headers: { authorization: `Bearer ${SUITE_TOKEN}` }, payload: { is_active: false } })
  assert.equal(res.statusCode, 200)
  const change = (await client.next('webhook_status_changed')).data as { webhook_id: number, active: boolean }
  assert.deepEqual([change.webhook_id, change.active], [2, false])
})

test('a reader that does not read: its messages are dropped past the limit, and it is cut off after a while', () => {
  const sent: string[] = []
  const socket = { OPEN: 1, readyState: 1, bufferedAmount: 0, send: (text: string) => sent.push(text), terminate () { this.readyState = 3 } }
  const hub = new DashboardHub(1000, 30)
  hub.add(socket as unknown as WebSocket, 'slow')
  hub.heartbeat()
  assert.equal(sent.length, 1)
  socket.bufferedAmount = 5000
  hub.heartbeat()
  hub.push('alert_new', { alert_id: 1 })
  assert.equal(sent.length, 1, 'nothing more is queued while it is over the limit')
  assert.equal(hub.counters.dropped, 2)
  const until = Date.now() + 40
  while (Date.now() < until) { /* past the slow limit */ }
  hub.heartbeat()
  assert.equal(socket.readyState, 3, 'terminated')
  assert.equal(hub.size, 0)
  assert.equal(hub.counters.closedSlow, 1)
})
