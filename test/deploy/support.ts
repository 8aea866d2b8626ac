// Helpers of the deploy tests: the repository's files, processes started like a user starts them.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

export function readRepoFile (path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
}

export function packageJson (): { scripts: Record<string, string>, dependencies: Record<string, string>, devDependencies: Record<string, string> } {
  return JSON.parse(readRepoFile('package.json'))
}

export interface Started {
  child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output (): string
  /** The pino lines (JSON) written so far. */
  logs (): Array<Record<string, unknown> & { msg?: string, pid?: number }>
  waitForLog (pattern: RegExp, timeoutMs: number): Promise<void>
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

/**
 * Starts a command in a process group of its own (`detached`), as a terminal would, so a test can
 * send the group a Ctrl+C (`process.kill(-pid, 'SIGINT')`).
 */
export function start (command: string, args: string[], opts: { cwd: string, env: NodeJS.ProcessEnv }): Started {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  const logs = () => output.split('\n').filter((line) => line.startsWith('{')).flatMap((line) => {
    try { return [JSON.parse(line)] } catch { return [] }
  })
  return {
    child,
    output: () => output,
    logs,
    exited,
    async waitForLog (pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before logging ${pattern}:\n${output.slice(-4000)}`)
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.slice(-4000)}`)
        await sleep(100)
      }
    }
  }
}

/** Waits for the exit, killing the whole group after `timeoutMs` (then the test fails on the code). */
export async function exitWithin (started: Started, timeoutMs: number): Promise<number | null> {
  const timer = setTimeout(() => { try { process.kill(-started.child.pid!, 'SIGKILL') } catch {} }, timeoutMs)
  const code = await started.exited
  clearTimeout(timer)
  return code
}

export async function waitForHttp (url: string, timeoutMs: number, started?: Started): Promise<Response> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined)
    if (res?.ok) return res
    if (started && started.child.exitCode !== null) throw new Error(`exited with code ${started.child.exitCode}:\n${started.output().slice(-4000)}`)
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${started ? `:\n${started.output().slice(-4000)}` : ''}`)
    await sleep(200)
  }
}

/** Pids of the processes whose command line mentions `text` (e.g. a Postgres data directory). */
/**
 * The processes still mentioning `text` once those on their way out have had `ms` to finish:
 * `pg_ctl stop -w` returns when the postmaster has removed its pid file, a moment before the
 * process itself is gone from /proc.
 */
export async function processesLeft (text: string, ms = 2000): Promise<number[]> {
  const until = Date.now() + ms
  let pids = processesMentioning(text)
  while (pids.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    pids = processesMentioning(text)
  }
  return pids
}

export function processesMentioning (text: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

export function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Sends `signal` to a process group, ignoring a group that is already gone. */
export function signalGroup (started: Started, signal: NodeJS.Signals) {
  try { process.kill(-started.child.pid!, signal) } catch {}
}

export const FIXTURE_LOGIN = { email: 'dispatcher1@test.eriop.local', password: 'TestPass123456!' }

export async function login (origin: string): Promise<string> {
  const res = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(FIXTURE_LOGIN)
  })
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`)
  return (await res.json() as { access_token: string }).access_token
}

/** The environment of a user's shell, minus what the tests' own runner or the machine might set for us. */
export function userEnv (extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  for (const key of ['DATABASE_URL', 'NODE_TEST_CONTEXT', 'NODE_OPTIONS']) if (!(key in extra)) delete env[key]
  return env
}
