// The real server process under a burst of ingests: killed outright (SIGKILL), nothing it
// acknowledged is missing; asked to stop (SIGTERM), it commits what it accepted and exits 0.
import assert from 'node:assert/strict'
import { Agent, request as httpRequest } from 'node:http'
import { test } from 'node:test'
import { PASSWORD, createAgency, createUser, useTestDatabase, validAlert } from '../../../helper.js'
import { blockAlertInserts, burst, countAgencyAlerts, countStored, loginOver, spawnServer, waitFor } from './support.js'

const database = useTestDatabase('ingest_process')
const CLIENTS = 32

async function ingester (code: string) {
  const agency = await createAgency(database.db, code)
  const email = `ingest@${code.toLowerCase()}.test.eriop.local`
  await createUser(database.db, agency.id, 'alert_system', email)
  return { agency, email }
}

test('SIGKILL in the middle of a burst: every acknowledged alert is in the database', async (t) => {
  const { agency, email } = await ingester('PROCKILL')
  const server = await spawnServer(database.url)
  t.after(() => { server.child.kill('SIGKILL') })
  const token = await loginOver(server.base, email, PASSWORD)

  const load = burst(server.base, token, CLIENTS, (n) => validAlert({ title: `kill ${n}` }))
  await waitFor(() => load.result.acknowledged.length >= 500, '500 acknowledged alerts')
  server.child.kill('SIGKILL')
  await server.exited
  load.stop()
  await load.done

  const acknowledged = load.result.acknowledged
  assert.ok(acknowledged.length >= 500)
  assert.equal(await countStored(database.url, acknowledged), acknowledged.length, 'no acknowledged alert is missing')
  // Anything else stored was committed but never answered: at most one per client in flight.
  const extra = await countAgencyAlerts(database.url, agency.id) - acknowledged.length
  assert.ok(extra >= 0 && extra <= CLIENTS, `${extra} committed but unanswered`)
})

test('SIGTERM in the middle of a burst: accepted alerts are committed and answered, exit code 0', async (t) => {
  const { agency, email } = await ingester('PROCTERM')
  const server = await spawnServer(database.url)
  t.after(() => { server.child.kill('SIGKILL') })
  const token = await loginOver(server.base, email, PASSWORD)

  const load = burst(server.base, token, CLIENTS, (n) => validAlert({ title: `term ${n}` }))
  await waitFor(() => load.result.acknowledged.length >= 500, '500 acknowledged alerts')
  server.child.kill('SIGTERM')
  const code = await server.exited
  load.stop()
  await load.done

  assert.equal(code, 0, `exit code (output: ${server.output()})`)
  const acknowledged = load.result.acknowledged
  assert.equal(await countStored(database.url, acknowledged), acknowledged.length, 'no acknowledged alert is missing')
  // While closing the server answers 503 or closes the connection; it never leaves an accepted
  // alert unanswered, so no row is stored that was not acknowledged... except replies lost on a
  // connection cut after the answer was written, at most one per client.
  const extra = await countAgencyAlerts(database.url, agency.id) - acknowledged.length
  assert.ok(extra >= 0 && extra <= CLIENTS, `${extra} committed but unanswered`)
  const unexpected = [...load.result.statuses.keys()].filter((s) => s !== 201 && s !== 503)
  assert.deepEqual(unexpected, [], `statuses: ${JSON.stringify([...load.result.statuses])}`)
})

test('SIGTERM while Postgres is stuck: the server waits for the accepted alerts, answers them, closes idle keep-alive connections, exits 0', async (t) => {
  const { email } = await ingester('PROCSTUCK')
  const server = await spawnServer(database.url, { CLOSE_GRACE_DELAY_MS: '20000' })
  t.after(() => { server.child.kill('SIGKILL') })
  const token = await loginOver(server.base, email, PASSWORD)
  const metrics = async () => (await fetch(`${server.base}/metrics`)).text()
  const value = (text: string, name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN)

  const lock = await blockAlertInserts(database.url)
  let released = false
  t.after(async () => { if (!released) await lock.release() })
  // A keep-alive client that sends five alerts and then just keeps its connections open.
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 })
  t.after(() => agent.destroy())
  const post = (i: number) => new Promise<{ status: number, body: string }>((resolve, reject) => {
    const req = httpRequest(`${server.base}/api/v1/alerts/ingest`, {
      method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(JSON.stringify(validAlert({ title: `stuck ${i}` })))
  })
  const accepted = Array.from({ length: 5 }, (_, i) => post(i))
  await waitFor(async () => {
    const text = await metrics()
    return value(text, 'ingest_queue_depth') + value(text, 'ingest_alerts_in_flight') === 5
  }, 'the five alerts to be accepted')

  server.child.kill('SIGTERM')
  // Closing: the port stops accepting connections while the five still wait for Postgres.
  await waitFor(async () => {
    try {
      await fetch(`${server.base}/health/live`, { signal: AbortSignal.timeout(1000) })
      return false
    } catch {
      return true
    }
  }, 'the server to stop accepting')
  assert.equal(server.child.exitCode, null, 'still running: the accepted alerts are not written yet')
  await lock.release()
  released = true

  const answers = await Promise.all(accepted)
  for (const a of answers) assert.equal(a.status, 201, a.body)
  assert.equal(await server.exited, 0, server.output())
  const ids = answers.map((a) => JSON.parse(a.body).id as string)
  assert.equal(await countStored(database.url, ids), 5)
})
