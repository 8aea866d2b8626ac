// Programs some tests need beyond Node, Postgres and Redis (Locust, Chromium, redis-server). On a
// developer's machine a missing one skips those tests, saying what to install; in CI (CI=true) a
// skip would let a whole kind of failure pass unseen, so it is an error instead (.ci/run installs them).
import { spawnSync } from 'node:child_process'

/** Whether `command` runs (exit 0 with these arguments). */
export function runs (command: string, args: string[] = ['--version']): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 }).status === 0
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
