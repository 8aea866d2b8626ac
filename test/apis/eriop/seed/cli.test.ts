// The CLI as a user runs it: exit codes, usage on bad input (nothing written), clear database errors.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import pg from 'pg'
import { databaseUrl, dropDatabase, PG_SERVER_URL, useTestDatabase } from '../../../helper.js'
import { agencyIdOf, ROOT, runCli } from './support.js'

const database = useTestDatabase('seed_cli')
// Created by the CLI itself in the happy-path test.
const freshName = `eriop_test_seed_cli_new_${process.pid}`
const outFile = join(tmpdir(), `eriop-seed-cli-${process.pid}.json`)
after(async () => {
  await dropDatabase(freshName)
  await rm(outFile, { force: true })
})

async function databaseExists (name: string) {
  const client = new pg.Client({ connectionString: PG_SERVER_URL })
  await client.connect()
  try {
    return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1
  } finally {
    await client.end()
  }
}

test('bad input: usage on stderr, exit 2, nothing written', async () => {
  // The parser's every case is covered in fixture.test.ts; these are the ones the issue names.
  const missing = `eriop_test_seed_cli_never_${process.pid}`
  const cases = [['bogus'], ['--bogus'], ['--scale', '0'], ['--scale', 'abc'], ['export', '--format', 'xml', '--out', outFile]]
  // A database that does not exist: if anything were written, the seeder would have created it.
  const results = await Promise.all(cases.map((args) => runCli(args, { DATABASE_URL: databaseUrl(missing) })))
  results.forEach((result, i) => {
    const args = cases[i].join(' ')
    assert.equal(result.code, 2, `${args}: ${result.stderr}`)
    assert.equal(result.stdout, '', args)
    assert.match(result.stderr, /^seed: .+\n\nUsage: npm run seed -- \[command\] \[options\]/, args)
  })
  assert.match(results[0].stderr, /unknown command "bogus"/)
  assert.match(results[1].stderr, /Unknown option '--bogus'/)
  assert.match(results[2].stderr, /invalid scale "0"/)
  assert.match(results[3].stderr, /invalid scale "abc"/)
  assert.match(results[4].stderr, /invalid --format "xml"/)
  assert.equal(await databaseExists(missing), false)
  assert.equal(existsSync(outFile), false)
  // On a migrated database: still nothing.
  const bad = await runCli(['--scale', '-1'], { DATABASE_URL: database.url })
  assert.equal(bad.code, 2)
  assert.equal(await agencyIdOf(database.pool, 'LOADTEST'), undefined)
})

test('--help: usage on stdout, exit 0', async () => {
  const result = await runCli(['--help'], {})
  assert.equal(result.code, 0)
  assert.match(result.stdout, /^Usage: npm run seed/)
  assert.match(result.stdout, /--agency CODE/)
})

test('database unreachable: one line naming DATABASE_URL, exit 1', async () => {
  const result = await runCli([], { DATABASE_URL: 'postgres://postgres:s3cret@127.0.0.1:1/eriop' })
  assert.equal(result.code, 1)
  assert.equal(result.stdout, '')
  const lines = result.stderr.trimEnd().split('\n')
  assert.equal(lines.length, 1, result.stderr)
  assert.match(lines[0], /^seed: cannot connect to the database in DATABASE_URL \(postgres:\/\/postgres:\*\*\*\*@127\.0\.0\.1:1\/eriop\): .*ECONNREFUSED/)
  assert.ok(!result.stderr.includes('s3cret'), 'the password is not printed')
})

test('DATABASE_URL unset and no embedded Postgres running: one clear line, exit 1', async () => {
  const result = await runCli(['verify'], { DATABASE_URL: undefined, DATA_DIR: mkdtempSync(join(tmpdir(), 'eriop-seed-nodata-')) })
  assert.equal(result.code, 1)
  assert.match(result.stderr, /^seed: DATABASE_URL is not set/)
  assert.equal(result.stderr.trimEnd().split('\n').length, 1)
})

test('seed → verify → export → clean → verify, on a database the seeder creates', async () => {
  const env = { DATABASE_URL: databaseUrl(freshName) }
  await dropDatabase(freshName)

  const seeded = await runCli([], env)
  assert.equal(seeded.code, 0, seeded.stderr)
  assert.match(seeded.stdout, /^Seeded LOADTEST \(scale 1\) in [\d.]+ s: 350 users, 50 buildings, 100 resources, 50 incidents, 100 alerts\.\n/)
  assert.equal(seeded.stderr, '', 'no progress bars when not on a terminal')
  assert.ok(!seeded.stdout.includes('\x1b'), 'no terminal escapes')

  const verified = await runCli(['verify'], env)
  assert.equal(verified.code, 0, verified.stderr)
  assert.match(verified.stdout, /✓ users able to log in\s+350 \/ 350/)
  assert.match(verified.stdout, /LOADTEST fixture OK/)

  const exported = await runCli(['export', '--format', 'json', '--tokens', '--out', outFile], { ...env, JWT_SECRET: 'cli-test-secret-0123456789' })
  assert.equal(exported.code, 0, exported.stderr)
  const users = JSON.parse(await readFile(outFile, 'utf8'))
  assert.equal(users.length, 350)
  assert.deepEqual(Object.keys(users[0]), ['email', 'password', 'role', 'user_id', 'agency_id', 'access_token', 'expires_at'])
  assert.match(exported.stdout, /Wrote 350 LOADTEST credentials \(json, tokens valid until .+\) to /)

  const cleaned = await runCli(['clean'], env)
  assert.equal(cleaned.code, 0, cleaned.stderr)
  assert.match(cleaned.stdout, /^Removed LOADTEST in [\d.]+ s: 350 users/)

  const gone = await runCli(['verify'], env)
  assert.equal(gone.code, 1)
  assert.match(gone.stdout, /problem: agency LOADTEST does not exist/)
  assert.match(gone.stdout, /LOADTEST fixture: 1 problem\.\n$/)
})

test('clean on a database that has no tables yet: nothing to clean, exit 0', async () => {
  const empty = `eriop_test_seed_cli_empty_${process.pid}`
  const admin = new pg.Client({ connectionString: PG_SERVER_URL })
  await admin.connect()
  await admin.query(`create database ${empty}`)
  await admin.end()
  try {
    const result = await runCli(['clean'], { DATABASE_URL: databaseUrl(empty) })
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'Nothing to clean: no agency LOADTEST.\n')
  } finally {
    await dropDatabase(empty)
  }
})

test('progress bars on a terminal, none in CI on the same terminal', async () => {
  // `script` gives the CLI a pseudo-terminal for stdout and stderr, as an interactive shell does.
  const onTerminal = (agency: string, ci: string | undefined) => new Promise<{ code: number, output: string }>((resolve) => {
    const command = `${process.execPath} --import tsx seed/cli.ts --agency ${agency}`
    const env = Object.fromEntries(Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', DATABASE_URL: database.url, CI: ci })
      .filter(([, v]) => v !== undefined)) as Record<string, string>
    execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env, timeout: 120_000 }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout })
    })
  })
  const interactive = await onTerminal('TTYBARS', undefined)
  assert.equal(interactive.code, 0, interactive.output)
  assert.match(interactive.output, /seed\s+users\s+\[[█░]+\] \d+\/350/, 'a bar per table while it fills')
  assert.match(interactive.output, /Seeded TTYBARS/)
  const ci = await onTerminal('TTYQUIET', 'true')
  assert.equal(ci.code, 0, ci.output)
  assert.doesNotMatch(ci.output, /[█░]/)
  assert.match(ci.output, /Seeded TTYQUIET/)
})
