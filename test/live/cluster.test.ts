// WORKERS=2 carries WebSocket upgrades and every worker's sockets get every worker's events
// (through Redis); the compose proxy passes upgrades on for /socket.io/ and keeps polling sticky.
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { test } from 'node:test'
import { createAgency, createUser, REDIS_URL, useTestDatabase, validIncident } from '../helper.js'
import { freePort } from '../../src/core/net.js'
import { readRepoFile, ROOT, signalGroup, start, userEnv, exitWithin } from '../deploy/support.js'
import { connect } from './support.js'

const database = useTestDatabase('live_cluster')

/** A POST on a connection of its own, so the cluster hands it to the next worker. */
function freshConnectionPost (url: string, token: string, body: unknown): Promise<{ status: number, json: { id: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
      let text = ''
      res.on('data', (chunk) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

test('WORKERS=2: WebSocket clients on both workers get the incidents created through either', { timeout: 180_000 }, async (t) => {
  const agency = await createAgency(database.db, 'CLUSTERLIVE')
  await createUser(database.db, agency.id, 'dispatcher', 'dispatcher@clusterlive.test.eriop.local')
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: userEnv({
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKERS: '2',
      REDIS_URL,
      REDIS_KEY_PREFIX: `eriop-test:live-cluster:${process.pid}:`,
      PG_POOL_MAX: '2',
      RATE_LIMIT_ENABLED: 'false'
    })
  })
  t.after(async () => {
    signalGroup(server, 'SIGTERM')
    await exitWithin(server, 20_000)
  })
  await server.waitForLog(/cluster: 2 workers listening/, 150_000)
  const login = await fetch(`${origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'dispatcher@clusterlive.test.eriop.local', password: 'TestPass123456!' }) })
  const token = (await login.json() as { access_token: string }).access_token

  // Each connection goes to the next worker: six sockets, three on each.
  const clients = []
  for (let i = 0; i < 6; i++) clients.push(await connect(t, origin, token, { transports: ['websocket'] }))
  const ids: string[] = []
  for (let i = 0; i < 4; i++) {
    const res = await freshConnectionPost(`${origin}/api/v1/incidents`, token, validIncident())
    assert.equal(res.status, 201)
    ids.push(res.json.id)
  }
  for (const client of clients) {
    for (const id of ids) await client.waitFor((r) => r.event === 'incident:created' && r.payload.id === id)
  }
})

test('the compose proxy passes WebSocket upgrades on for /socket.io/ and keeps polling sticky', () => {
  const nginx = readRepoFile('deploy/nginx.conf')
  const location = /location \/socket\.io\/ \{([^}]*)\}/.exec(nginx)
  assert.ok(location, 'a location for /socket.io/')
  assert.match(location[1], /proxy_http_version 1\.1;/)
  assert.match(location[1], /proxy_set_header Upgrade \$http_upgrade;/)
  assert.match(location[1], /proxy_set_header Connection \$connection_upgrade;/)
  assert.match(nginx, /map \$http_upgrade \$connection_upgrade \{\s*default upgrade;\s*'' close;\s*\}/)
  const upstream = /proxy_pass http:\/\/(\w+);/.exec(location[1])![1]
  const block = new RegExp(`upstream ${upstream} \\{([^}]*)\\}`).exec(nginx)
  assert.ok(block, `upstream ${upstream} is defined`)
  assert.match(block[1], /hash \$remote_addr consistent;/, 'polling requests of one client reach one replica')
  assert.ok(Number(/proxy_read_timeout (\d+)s;/.exec(location[1])![1]) > 45, 'longer than ping interval + timeout')
})
