// A newcomer's first and second day: a fresh copy of the project, `npm start` with no DATABASE_URL,
// the API answers and a fixture user logs in, Ctrl+C stops everything; the next start reuses the data.
//
// SLOW (npm ci, initdb of the embedded Postgres, two starts). It is a plain *.test.ts, so
// `npm test` runs it like the others; the timeouts below are generous on purpose.
//
// "Fresh clone": `git clone` would miss uncommitted work, so the test copies what a clone of this
// working tree would hold (git's tracked and untracked files, .gitignore applied: no node_modules,
// no .data, no results), then runs `npm ci` in it as the README says, from npm's local cache where
// it can (`--prefer-offline`: the project's own `npm ci` has filled it).
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { embeddedPgdata, freePort, rootClusterDir } from '../../src/core/db/embedded.js'
import { exitWithin, isAlive, login, processesMentioning, ROOT, signalGroup, start, userEnv, waitForHttp } from './support.js'

const execFileAsync = promisify(execFile)
const LOCAL_ONLY = new Set(['node_modules', '.data', '.git', 'dist', '.env'])

/** What a clone would hold: git's tracked and untracked files, .gitignore applied (or, without git, all but the local-only). */
function projectFiles (): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0').filter(Boolean)
  } catch {
    return readdirSync(ROOT, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)))
      .filter((file) => !LOCAL_ONLY.has(file.split(path.sep)[0]) && !file.startsWith(path.join('bench', 'results')))
  }
}

async function freshCopy (): Promise<string> {
  // Left at mkdtemp's mode 700, as a clone in a private home is: as root, the embedded Postgres runs
  // as the `postgres` user, which can enter neither .data nor node_modules there.
  const dir = await mkdtemp(path.join(tmpdir(), 'eriop-newcomer-'))
  for (const file of projectFiles()) {
    const from = path.join(ROOT, file)
    if (!(await stat(from).catch(() => null))?.isFile()) continue // deleted in the working tree
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await copyFile(from, path.join(dir, file))
  }
  try {
    const { stdout, stderr } = await execFileAsync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env: userEnv({}), timeout: 240_000 })
    // npm 11 runs no dependency's install script unless package.json's allowScripts names it, and warns.
    if (/install-scripts|allowScripts/.test(stdout + stderr)) throw new Error(`npm ci warns about install scripts:\n${stdout}${stderr}`)
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return dir
}

test('fresh copy: npm start runs an embedded Postgres, seeds it, serves, stops cleanly, and reuses the data next time', { timeout: 540_000 }, async (t) => {
  const project = await freshCopy()
  const pgdata = embeddedPgdata(path.join(project, '.data'))
  t.after(async () => {
    // Whatever happened, leave no Postgres behind (only ours: matched by its data directory).
    for (const pid of processesMentioning(pgdata)) { try { process.kill(pid, 'SIGKILL') } catch {} }
    await rm(project, { recursive: true, force: true })
    await rm(rootClusterDir(path.join(project, '.data')), { recursive: true, force: true })
  })
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  // A user's shell: no DATABASE_URL, defaults for everything else but the API's port.
  const env = userEnv({ PORT: String(port) })

  // Day one.
  const first = start('npm', ['start'], { cwd: project, env })
  await waitForHttp(`${origin}/health`, 180_000, first)
  const token = await login(origin)
  const active = await fetch(`${origin}/api/v1/incidents/active`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(active.status, 200)
  assert.ok((await active.json() as unknown[]).length > 0, 'the fixture has active incidents')
  const ready = await (await fetch(`${origin}/health/ready`)).json() as { components: Array<{ name: string, status: string }> }
  assert.equal(ready.components.find((c) => c.name === 'database')?.status, 'healthy')

  const logs = first.output()
  assert.match(logs, /embedded Postgres: creating a new cluster/)
  assert.match(logs, /load-test fixture created/)
  assert.match(logs, /log in: curl .*dispatcher1@test\.eriop\.local/, 'tells how to log in')
  assert.match(logs, /Locust: locust -f .* --host http:\/\/localhost:\d+/, 'tells how to point Locust at it')
  const state = JSON.parse(await readFile(path.join(project, '.data', 'embedded-postgres.json'), 'utf8')) as { port: number }
  assert.ok(state.port > 0, 'the embedded Postgres port is recorded under DATA_DIR')
  const serverPid = first.logs().find((line) => line.pid)?.pid
  assert.ok(serverPid, 'the server logs its pid')
  assert.ok(processesMentioning(pgdata).length > 0, 'Postgres runs from .data/postgres (as root: from its directory outside the project)')

  // Ctrl+C: SIGINT to the terminal's whole process group (npm, tsx, the server).
  // npm itself dies of that SIGINT (no exit code, as in a terminal); the server's own clean exit
  // shows in its log and in what is left running.
  signalGroup(first, 'SIGINT')
  const npmCode = await exitWithin(first, 60_000)
  assert.ok(npmCode === 0 || npmCode === null, `npm exited with ${npmCode}:\n${first.output().slice(-3000)}`)
  assert.match(first.output(), /"signal":"SIGINT","msg":"server closing"/)
  assert.match(first.output(), /embedded Postgres: stopped/)
  assert.doesNotMatch(first.output(), /second SIGINT|killed by timeout|"level":50/, 'one clean shutdown, no error')
  assert.equal(isAlive(serverPid), false)
  assert.deepEqual(processesMentioning(pgdata), [], 'no Postgres process left')
  assert.equal((await stat(path.join(pgdata, 'postmaster.pid')).catch(() => null)), null, 'Postgres shut down cleanly (no pid file)')

  // Day two: same data, no initdb, no seeding, the same users.
  const second = start('npm', ['start'], { cwd: project, env })
  await waitForHttp(`${origin}/health`, 120_000, second)
  await login(origin)
  assert.doesNotMatch(second.output(), /creating a new cluster/)
  assert.doesNotMatch(second.output(), /load-test fixture created/)
  // SIGTERM to the server itself (a service manager's stop); npm exits with the server's code.
  const secondPid = second.logs().find((line) => line.pid)?.pid
  assert.ok(secondPid)
  process.kill(secondPid, 'SIGTERM')
  assert.equal(await exitWithin(second, 60_000), 0, second.output().slice(-3000))
  assert.deepEqual(processesMentioning(pgdata), [])
})
