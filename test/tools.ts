// Programs some tests need beyond Node, Postgres and Redis (Locust, Chromium, redis-server). On a
// developer's machine a missing one skips those tests, saying what to install; in CI (CI=true) a
// skip would let a whole kind of failure pass unseen, so it is an error instead (.ci/run installs them).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import type { TestContext } from 'node:test'
import { Redis } from 'ioredis'

/** Whether `command` runs (exit 0 with these arguments). */
export function runs (command: string, args: string[] = ['--version']): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 }).status === 0
}

/** A redis-server of the test's own on `port` (to freeze or kill), answering PING; stopped after the test. */
export async function startRedisServer (t: TestContext, port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGCONT')
    child.kill('SIGTERM')
    await once(child, 'exit')
  })
  const probe = new Redis(`redis://127.0.0.1:${port}`, { retryStrategy: (n) => (n < 50 ? 100 : null) })
  probe.on('error', () => {})
  await probe.ping()
  probe.disconnect()
  return child
}

/**
 * For node:test's `skip` option (or `t.skip`): false when the program is there; otherwise the
 * reason to skip, or, with CI=true, an Error thrown so the test file fails.
 */
export function skipUnless (present: boolean, reason: string, env: NodeJS.ProcessEnv = process.env): string | false {
  if (present) return false
  if (env.CI === 'true') throw new Error(`${reason}: with CI=true a test may not be skipped for a missing program (.ci/run installs it)`)
  return reason
}
