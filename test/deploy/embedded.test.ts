// The embedded Postgres of `npm start` without DATABASE_URL: data and port kept under DATA_DIR,
// a taken port avoided, a server left behind by a killed run cleaned up, a live one respected.
// Slow-ish (initdb, a server start): generous timeouts.
import assert from 'node:assert/strict'
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import type { FastifyBaseLogger } from 'fastify'
import pg from 'pg'
import { freePort, runningEmbeddedUrl, startEmbeddedPostgres } from '../../src/core/db/embedded.js'
import { exitWithin, processesMentioning, ROOT, signalGroup, start, userEnv, waitForHttp } from './support.js'

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

async function tempDataDir (t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'eriop-embedded-'))
  await chmod(dir, 0o755) // as root, Postgres runs as `postgres` and must reach it
  t.after(async () => {
    for (const pid of processesMentioning(dir)) { try { process.kill(pid, 'SIGKILL') } catch {} }
    await rm(dir, { recursive: true, force: true })
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
  assert.deepEqual(processesMentioning(first.pgdata), [])
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
  const pgdata = path.join(dataDir, 'postgres')

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
  assert.deepEqual(processesMentioning(pgdata), [])
})
