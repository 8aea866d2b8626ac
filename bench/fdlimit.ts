import { execFileSync, spawnSync } from 'node:child_process'

const RAISED = 'ERIOP_BENCH_FILE_LIMIT_RAISED'

function ulimit (flag: '-Sn' | '-Hn'): number {
  try {
    const text = execFileSync('bash', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim()
    return text === 'unlimited' ? Infinity : Number(text)
  } catch {
    return NaN
  }
}

export type FileLimitOutcome =
  | { kind: 'enough', soft: number }
  | { kind: 'too-low', soft: number, hard: number }
  | { kind: 're-executed', status: number }

/**
 * Node cannot raise its own open-file limit, so when the soft limit is below what the run
 * needs (10,000 connections need 10,000 descriptors) the bench runs itself again under
 * `bash -c 'ulimit -n N && exec …'`, up to the hard limit, and returns the child's exit status.
 */
export function ensureFileLimit (needed: number): FileLimitOutcome {
  const soft = ulimit('-Sn')
  if (!Number.isFinite(soft) || soft >= needed || process.env[RAISED]) return { kind: 'enough', soft }
  const hard = ulimit('-Hn')
  if (hard < needed) return { kind: 'too-low', soft, hard }
  const child = spawnSync('bash', ['-c', `ulimit -n ${needed} && exec "$@"`, 'bash', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [RAISED]: '1' }
  })
  return { kind: 're-executed', status: child.status ?? 5 }
}
