// The container without Docker: the files the Dockerfile's runtime stage copies, and nothing else,
// its dist/ compiled by `npm run build` as the build stage does, started with the image's CMD
// (`node dist/server.js`, no TypeScript at run time) and the compose api's kind of environment;
// then the seed service's command on the same files. Catches a COPY line that misses something the
// server or seeder needs, and a compiled server that resolves a path only the sources have.
// node_modules is symlinked (the image's is `npm ci --omit=dev`; compose.test.ts checks that every
// imported package is a production dependency). Slow-ish: generous timeouts.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm, stat, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from '../../src/core/db/embedded.js'
import { useTestDatabase } from '../helper.js'
import { exitWithin, readRepoFile, ROOT, signalGroup, start, userEnv, waitForHttp } from './support.js'

const database = useTestDatabase('deploy_image')

function runtimeStage () {
  const lines = readRepoFile('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  const stage = lines.slice(lines.findLastIndex((l) => /^FROM /i.test(l)) + 1)
  const copies = stage.filter((l) => /^COPY /i.test(l) && !l.includes('--from='))
    .map((l) => l.split(/\s+/).slice(1).filter((part) => !part.startsWith('--')))
    .map((parts) => ({ sources: parts.slice(0, -1), target: parts.at(-1)! }))
  const built = stage.filter((l) => /^COPY --from=/i.test(l)).map((l) => l.split(/\s+/)).filter((parts) => parts.at(-1) === './dist')
  const env = Object.fromEntries(stage.filter((l) => /^ENV /i.test(l)).flatMap((l) => l.slice(4).trim().split(/\s+/).map((pair) => pair.split('='))))
  const cmd = JSON.parse(stage.find((l) => /^CMD /i.test(l))!.slice(4)) as string[]
  const workdir = stage.find((l) => /^WORKDIR /i.test(l)) ?? readRepoFile('Dockerfile').match(/^WORKDIR .*/m)![0]
  return { copies, built: built.length > 0, env, cmd, workdir: workdir.split(/\s+/)[1] }
}

test('the runtime stage\'s files start with the image\'s CMD, serve, stop on SIGTERM with exit 0, and seed', { timeout: 180_000 }, async (t) => {
  const image = runtimeStage()
  assert.equal(image.workdir, '/app')
  const app = await mkdtemp(path.join(tmpdir(), 'eriop-image-'))
  t.after(() => rm(app, { recursive: true, force: true }))
  for (const { sources, target } of image.copies) {
    for (const source of sources) {
      const destination = target.endsWith('/') || target === '.' || target === './' ? path.join(app, target, path.basename(source)) : path.join(app, target)
      await cp(path.join(ROOT, source), destination, { recursive: true })
    }
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir')
  // The build stage: `npm run build`, into the copy's dist/ (COPY --from=build /app/dist ./dist).
  assert.ok(image.built, 'the runtime stage copies a compiled dist/')
  await promisify(execFile)('npm', ['run', 'build', '--', '--outDir', path.join(app, 'dist')], { cwd: ROOT, env: userEnv({}) })
  const [command, ...args] = image.cmd
  assert.deepEqual(image.cmd, ['node', 'dist/server.js'], 'the image runs JavaScript, not TypeScript through tsx')
  assert.ok((await stat(path.join(app, args[0]))).isFile(), 'the built entry point exists')

  const port = await freePort()
  // The image's ENV, then the compose api's kind of settings (loopback here: no Docker network).
  // SEED_ON_START: the compiled server seeds from the compiled fixture (src/apis/eriop/fixture/).
  const env = userEnv({ ...image.env, DATABASE_URL: database.url, REDIS_URL: 'none', HOST: '127.0.0.1', PORT: String(port), TRUST_PROXY: 'true', PG_POOL_MAX: '2', SEED_ON_START: 'true' })
  const server = start(command === 'node' ? process.execPath : command, args, { cwd: app, env })
  t.after(() => signalGroup(server, 'SIGKILL'))
  await waitForHttp(`http://127.0.0.1:${port}/health/live`, 120_000, server)
  const ready = await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 10_000, server)
  assert.equal((await ready.json() as { status: string }).status, 'healthy')
  assert.match(server.output(), /load-test fixture created/, 'seeded at start by the compiled server')
  assert.match(server.output(), /migrations applied/)
  assert.doesNotMatch(server.output(), /tsx/, 'no tsx in the server\'s command line or stack')

  // The seed service: `npm run seed` in the same files, once the api has migrated.
  await promisify(execFile)('npm', ['run', 'seed'], { cwd: app, env: userEnv({ DATABASE_URL: database.url, CI: 'true' }) })
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  t.after(() => client.end())
  const { rows } = await client.query("select count(*)::int as n from users u join agencies a on a.id = u.agency_id where a.code = 'LOADTEST'")
  assert.equal(rows[0].n, 350, 'the fixture\'s 350 users')

  // docker stop: SIGTERM to PID 1, which is the server itself.
  process.kill(server.child.pid!, 'SIGTERM')
  assert.equal(await exitWithin(server, 30_000), 0, server.output().slice(-3000))
})
