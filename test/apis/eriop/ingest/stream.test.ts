// GET /alerts/stream (Server-Sent Events of alert:created) and ingest without Redis.
import assert from 'node:assert/strict'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { test } from 'node:test'
import type { App } from '../../../../src/app.js'
import { bearer, build, createTeam, useTestDatabase, validAlert } from '../../../helper.js'
import { freePort } from '../../../../src/core/net.js'
import { waitFor } from './support.js'

const database = useTestDatabase('ingest_stream')
const INGEST = '/api/v1/alerts/ingest'

interface SseEvent { event?: string, id?: string, data?: string }

/** Opens the stream on a listening app and parses its frames as they come. */
async function openStream (app: App, token?: string) {
  const { port } = app.server.address() as { port: number }
  const events: SseEvent[] = []
  const state = { status: 0, ended: false, raw: '' }
  const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/alerts/stream', headers: token ? bearer(token) : {} })
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', resolve)
    req.on('error', reject)
  })
  req.end()
  const res = await response
  state.status = res.statusCode ?? 0
  let buffer = ''
  res.setEncoding('utf8')
  res.on('data', (chunk: string) => {
    state.raw += chunk
    buffer += chunk
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event: SseEvent = {}
      for (const line of frame.split('\n')) {
        const colon = line.indexOf(':')
        if (colon <= 0) continue
        const field = line.slice(0, colon) as keyof SseEvent
        event[field] = line.slice(colon + 1).trimStart()
      }
      if (event.event) events.push(event)
    }
  })
  res.on('end', () => { state.ended = true })
  res.on('error', () => {})
  return { res, events, state, close: () => req.destroy() }
}

/** Ingests probe alerts until one shows up on the stream (the Redis subscription is asynchronous). */
async function awaitSubscription (app: App, token: string, events: SseEvent[]) {
  await waitFor(async () => {
    const res = await app.inject({ method: 'POST', url: INGEST, headers: bearer(token), payload: validAlert({ title: 'probe' }) })
    await new Promise((resolve) => setTimeout(resolve, 50))
    return events.some((e) => e.id === res.json().id)
  }, 'the stream subscription')
}

test('the stream sends each committed alert of the caller\'s agency, and only those; close() ends it', async (t) => {
  const app = await build(t, database.url)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const team = await createTeam(app, database.db, 'SSE1')
  const other = await createTeam(app, database.db, 'SSE1OTHER')

  const stream = await openStream(app, team.dispatcher.token)
  t.after(stream.close)
  assert.equal(stream.state.status, 200)
  assert.match(String(stream.res.headers['content-type']), /^text\/event-stream/)
  await awaitSubscription(app, team.alert_system.token, stream.events)
  stream.events.length = 0

  // The other agency's alerts first, committed (and published) before ours; then ours. Events leave
  // in commit order through one channel, so once ours have arrived, theirs would have too: the
  // check below can fail.
  const theirs = await Promise.all(Array.from({ length: 3 }, () =>
    app.inject({ method: 'POST', url: INGEST, headers: bearer(other.alert_system.token), payload: validAlert() })))
  for (const res of theirs) assert.equal(res.statusCode, 201, res.body)
  const ours = await Promise.all(Array.from({ length: 5 }, (_, i) =>
    app.inject({ method: 'POST', url: INGEST, headers: bearer(team.alert_system.token), payload: validAlert({ title: `live ${i}` }) })))
  const ourIds = ours.map((r) => r.json().id as string)
  await waitFor(() => ourIds.every((id) => stream.events.some((e) => e.id === id)), 'our five alerts on the stream')

  const theirIds = new Set(theirs.map((r) => r.json().id as string))
  assert.equal(theirIds.size, 3)
  assert.deepEqual(stream.events.filter((e) => theirIds.has(e.id!)), [], 'no other agency\'s alert')
  assert.equal(stream.events.length, 5, 'exactly ours')
  assert.ok(stream.events.every((e) => e.event === 'alert:created'))
  const first = stream.events.find((e) => e.id === ourIds[0])!
  const sent = JSON.parse(first.data!)
  const stored = (await app.inject({ url: `/api/v1/alerts/${ourIds[0]}`, headers: bearer(team.dispatcher.token) })).json()
  for (const [key, value] of Object.entries(sent)) assert.deepEqual(value, stored[key], `data.${key} as GET /alerts/{id}`)

  await app.close()
  await waitFor(() => stream.state.ended, 'the stream to end when the server closes')
})

test('the stream needs a token', async (t) => {
  const app = await build(t, database.url)
  await app.listen({ host: '127.0.0.1', port: 0 })
  const stream = await openStream(app)
  t.after(stream.close)
  assert.equal(stream.state.status, 401)
})

test('Redis unreachable: ingest goes on, and this process\'s stream still gets its events', async (t) => {
  const app = await build(t, database.url, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const team = await createTeam(app, database.db, 'SSE3')
  const stream = await openStream(app, team.dispatcher.token)
  t.after(stream.close)

  const responses = await Promise.all(Array.from({ length: 20 }, () =>
    app.inject({ method: 'POST', url: INGEST, headers: bearer(team.alert_system.token), payload: validAlert() })))
  for (const res of responses) assert.equal(res.statusCode, 201, res.body)
  const ids = responses.map((r) => r.json().id as string)
  await waitFor(() => ids.every((id) => stream.events.some((e) => e.id === id)), 'the events, delivered in-process')
})
