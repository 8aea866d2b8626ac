// WORKERS=N: one primary doing the once-only work, N workers sharing the port, graceful stop of all.
// Slow-ish (each start forks workers that load the app): generous timeouts.
import assert from 'node:assert/strict'
import { get } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { embeddedPgdata, freePort, rootClusterDir } from '../../src/core/db/embedded.js'
import { useTestDatabase } from '../helper.js'
import { exitWithin, isAlive, processesLeft, processesMentioning, ROOT, signalGroup, start, userEnv, waitForHttp, type Started } from './support.js'

const database = useTestDatabase('deploy_cluster')

/** A request on a connection of its own, so the cluster hands it to the next worker. */
function freshConnectionGet (url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)) }).on('error', reject)
  })
}

const pidsLogging = (server: Started, pattern: RegExp) =>
  new Set(server.logs().filter((line) => pattern.test(String(line.msg))).map((line) => line.pid))

function startServer (env: Record<string, string>) {
  // As the Dockerfile runs it: `npm start`'s command without npm, so the pid is the primary's.
  return start(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env: userEnv(env) })
}

test('WORKERS=2 with the embedded Postgres: started once by the primary, shared by both workers; a crashed worker is replaced; SIGTERM stops all with exit 0', { timeout: 240_000 }, async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eriop-cluster-'))
  t.after(async () => {
    for (const pid of [...processesMentioning(dataDir), ...processesMentioning(embeddedPgdata(dataDir))]) { try { process.kill(pid, 'SIGKILL') } catch {} }
    await rm(dataDir, { recursive: true, force: true })
    await rm(rootClusterDir(dataDir), { recursive: true, force: true })
  })
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const server = startServer({
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(port),
    HOST: '127.0.0.1',
    WORKERS: '2',
    REDIS_URL: 'none',
    PG_POOL_MAX: '2'
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await server.waitForLog(/cluster: 2 workers listening/, 180_000)
  const primary = server.child.pid!

  const workers = pidsLogging(server, /^Server listening/)
  assert.equal(workers.size, 2, 'two workers listen')
  assert.ok(!workers.has(primary), 'the primary serves nothing itself')
  assert.equal(server.logs().filter((l) => /embedded Postgres: listening/.test(String(l.msg))).length, 1, 'one embedded Postgres')
  assert.deepEqual([...pidsLogging(server, /^migrations applied/)], [primary], 'migrations ran once, in the primary')

  const codes = await Promise.all(Array.from({ length: 12 }, () => freshConnectionGet(`${origin}/health/ready`)))
  assert.deepEqual(new Set(codes), new Set([200]), 'workers reach the primary\'s embedded Postgres')
  // Health routes log only warnings; an unauthenticated API call is logged by whichever worker takes it.
  await Promise.all(Array.from({ length: 12 }, () => freshConnectionGet(`${origin}/api/v1/auth/me`)))
  await sleep(200)
  assert.equal(pidsLogging(server, /^request completed/).size, 2, 'both workers answered')

  // A crash: the primary starts a replacement and the port keeps serving.
  const [victim] = workers
  process.kill(victim!, 'SIGKILL')
  await server.waitForLog(/worker exited unexpectedly: starting a replacement/, 10_000)
  const deadline = Date.now() + 60_000
  while (pidsLogging(server, /^Server listening/).size < 3 && Date.now() < deadline) await sleep(200)
  assert.equal(pidsLogging(server, /^Server listening/).size, 3, 'a third worker started')
  await waitForHttp(`${origin}/health`, 10_000)

  process.kill(primary, 'SIGTERM')
  assert.equal(await exitWithin(server, 60_000), 0, server.output().slice(-3000))
  for (const pid of pidsLogging(server, /^Server listening/)) assert.equal(isAlive(pid!), false, `worker ${pid} exited`)
  assert.equal(pidsLogging(server, /^worker closing/).size, 2, 'the two live workers closed gracefully')
  assert.match(server.output(), /embedded Postgres: stopped/)
  assert.deepEqual(await processesLeft(embeddedPgdata(dataDir)), [], 'no Postgres left')
})

test('WORKERS=2 with DATABASE_URL: Ctrl+C (SIGINT to the whole group) closes every worker once and exits 0', { timeout: 180_000 }, async (t) => {
  const port = await freePort()
  const server = startServer({
    DATABASE_URL: database.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    WORKERS: '2',
    REDIS_KEY_PREFIX: `eriop-test:cluster:${process.pid}:`,
    PG_POOL_MAX: '2'
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await server.waitForLog(/cluster: 2 workers listening/, 150_000)
  assert.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200)
  assert.doesNotMatch(server.output(), /embedded Postgres/, 'the user\'s database, nothing embedded')
  assert.doesNotMatch(server.output(), /load-test fixture created/, 'no seeding into the user\'s database by default')

  // Workers get the terminal's SIGINT and the primary's SIGTERM: one request, not "force exit".
  signalGroup(server, 'SIGINT')
  assert.equal(await exitWithin(server, 60_000), 0, server.output().slice(-3000))
  assert.equal(pidsLogging(server, /^worker closing/).size, 2)
  assert.doesNotMatch(server.output(), /again|killed by timeout|did not close/)
})
