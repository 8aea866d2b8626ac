// The live bench's socket swarm speaks Socket.IO's protocol itself: against a real server it
// connects with a token, is refused without a valid one, answers pings, counts every event, and
// records each probe's arrival at every socket.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startSwarm } from '../../bench/live.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../helper.js'
import { connect, listen } from '../live/support.js'

const database = useTestDatabase('bench_live_swarm')

test('the swarm connects, is refused a bad token, stays up across pings, and sees every probe at every socket', async (t) => {
  // Pings every 200 ms: the run below outlasts several, which an unanswered ping would not survive.
  const app = await build(t, database.url, { LIVE_FLUSH_MS: 0 })
  const pingMs = 200
  app.live.engine.opts.pingInterval = pingMs
  app.live.engine.opts.pingTimeout = pingMs
  const url = await listen(app)
  const team = await createTeam(app, database.db, 'SWARM')
  const refused = await startSwarm({ origin: url, tokens: ['not-a-token'], sockets: 2, spawnRate: 100, probePrefix: 'probe' })
  refused.kill()
  assert.deepEqual(refused.connected.errors, { 'Invalid or expired token': 2 })
  assert.equal(refused.connected.connected, 0)

  const swarm = await startSwarm({ origin: url, tokens: [team.dispatcher.token, team.responder.token], sockets: 4, spawnRate: 100, probePrefix: 'probe' })
  t.after(() => swarm.kill())
  assert.equal(swarm.connected.connected, 4)
  assert.equal(app.live.of('/').sockets.size, 4)
  // A stock client beside the swarm: once it has the last event, so have the swarm's sockets.
  const reference = await connect(t, url, team.dispatcher.token, { transports: ['websocket'] })
  const auth = bearer(team.dispatcher.token)
  const create = async (title: string) => (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth, payload: { ...validIncident(), title } })).json().id as string
  const probe = await create('probe 1')
  await create('not a probe')
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })).statusCode, 201)
  await reference.waitFor((r) => r.event === 'alert:created')
  // Then a few more ping rounds, which a swarm that did not answer them would not survive.
  await new Promise((resolve) => setTimeout(resolve, 4 * pingMs))

  const result = await swarm.collect()
  assert.equal(result.connected, 4, 'every socket still open after the pings')
  assert.equal(result.disconnects, 0)
  assert.deepEqual(result.events, { 'incident:created': 8, 'alert:created': 4 })
  assert.deepEqual(result.arrivals.map(([id, at]) => [id, at.length]), [[probe, 4]])
})
