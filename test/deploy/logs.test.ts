// What the server writes to its terminal or log collector: never a password (connection strings
// are redacted wherever they appear), JSON when the output is a pipe or file, human-readable
// lines on a terminal. The real server process, started as a user starts it.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { freePort } from '../../src/core/db/embedded.js'
import { redactUrlPasswords } from '../../src/core/redact.js'
import { databaseUrl, useTestDatabase } from '../helper.js'
import { exitWithin, ROOT, signalGroup, start, userEnv, waitForHttp } from './support.js'

const database = useTestDatabase('deploy_logs')
const PASSWORD = 's3cretPW'

/** The test database's URL with a password in it (the machine's Postgres trusts local connections, so any works). */
function withPassword (url: string): string {
  const parsed = new URL(url)
  parsed.password = PASSWORD
  return parsed.toString()
}

test('redactUrlPasswords hides the password of any connection string in a text', () => {
  assert.equal(redactUrlPasswords('psql postgres://postgres:s3cretPW@127.0.0.1:5432/db now'), 'psql postgres://postgres:***@127.0.0.1:5432/db now')
  assert.equal(redactUrlPasswords('{"url":"redis://:pw%40x@h:6379/0"}'), '{"url":"redis://:***@h:6379/0"}')
  assert.equal(redactUrlPasswords('http://localhost:8000/docs and postgres://u@h/db'), 'http://localhost:8000/docs and postgres://u@h/db', 'no password, nothing changed')
})

test('with a password in DATABASE_URL, the server\'s output never shows it, and is JSON when not a terminal', { timeout: 120_000 }, async (t) => {
  const port = await freePort()
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: userEnv({ DATABASE_URL: withPassword(database.url), REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${await freePort()}`, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'debug' })
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 60_000, server)
  // The hint names DATABASE_URL (no fixture in this database), the announce line names the database.
  await server.waitForLog(/npm run seed/, 10_000)
  process.kill(server.child.pid!, 'SIGTERM')
  assert.equal(await exitWithin(server, 30_000), 0, server.output().slice(-3000))

  const output = server.output()
  assert.ok(!output.includes(PASSWORD), `the password is in the output:\n${output}`)
  assert.match(output, /postgres:\*\*\*@127\.0\.0\.1/, 'the URL is shown, without its password')
  const lines = output.split('\n').filter(Boolean)
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`)
})

test('a server that cannot reach its database says so in one line, without the password', { timeout: 60_000 }, async () => {
  const unreachable = new URL(withPassword(databaseUrl('nowhere')))
  unreachable.port = String(await freePort())
  const server = start(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: userEnv({ DATABASE_URL: unreachable.toString(), REDIS_URL: 'none', PORT: String(await freePort()), HOST: '127.0.0.1' })
  })
  assert.equal(await exitWithin(server, 30_000), 1)
  assert.ok(!server.output().includes(PASSWORD), server.output())
  const fatal = server.logs().find((line) => line.level === 60)
  assert.ok(fatal, server.output())
  assert.match(fatal.msg!, /^could not start: /)
  assert.doesNotMatch(fatal.msg!, /\n/)
})

test('on a terminal, the start-up lines are human-readable, not JSON', { timeout: 120_000 }, async (t) => {
  const port = await freePort()
  // script(1) runs the server with a pseudo-terminal as its stdout, as a user's shell does.
  const command = `${process.execPath} --import tsx src/server.ts`
  const server = start('script', ['-qfec', command, '/dev/null'], {
    cwd: ROOT,
    env: userEnv({ DATABASE_URL: withPassword(database.url), REDIS_URL: 'none', PORT: String(port), HOST: '127.0.0.1', TERM: 'dumb' })
  })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await waitForHttp(`http://127.0.0.1:${port}/health/live`, 60_000, server)
  await server.waitForLog(/eriop-target ready on/, 10_000)
  signalGroup(server, 'SIGTERM')
  await exitWithin(server, 30_000)
  const output = server.output()
  assert.match(output, /INFO.*eriop-target ready on http:\/\/127\.0\.0\.1:\d+/)
  assert.doesNotMatch(output, /\{"level":/, 'no JSON line')
  assert.ok(!output.includes(PASSWORD), output)
})
