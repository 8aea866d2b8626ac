import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export interface SpawnedServer {
  origin: string
  pid: number
  logFile: string
  /** Resident memory (MB) and CPU time (s) of the server process, read from /proc. */
  sample (): { rssMb: number, cpuSeconds: number } | null
  /** The last lines the server wrote, for error messages. */
  tail (lines?: number): string
  stop (): Promise<number | null>
}

export { freePort } from '../src/core/net.js'

let clockTicks: number | undefined
function ticksPerSecond (): number {
  if (clockTicks === undefined) {
    try { clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100 } catch { clockTicks = 100 }
  }
  return clockTicks
}

/** RSS and CPU seconds of a Linux process; null where /proc is not available. */
export function readProcess (pid: number): { rssMb: number, cpuSeconds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which may itself contain spaces: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond()
    return { rssMb: rssKb / 1024, cpuSeconds }
  } catch {
    return null
  }
}

export interface SpawnOptions {
  cwd: string
  env: Record<string, string>
  logFile: string
  /** Raise the server's open-file limit to this (10,000 connections need 10,000 descriptors). */
  fileLimit: number
  readyTimeoutMs?: number
}

/**
 * Starts `src/server.ts` as its own process on loopback, as `node --import tsx` (the same as
 * `tsx src/server.ts` without tsx's wrapper process, so the pid is the server's own and /proc
 * shows its memory), under `ulimit -n`, and waits until /health/ready answers 200.
 */
export async function spawnServer (opts: SpawnOptions): Promise<SpawnedServer> {
  const port = Number(opts.env.PORT)
  const origin = `http://127.0.0.1:${port}`
  const log = createWriteStream(opts.logFile)
  const script = `ulimit -n ${opts.fileLimit} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`
  const child: ChildProcess = spawn('bash', ['-c', script, 'bash', process.execPath, '--import', 'tsx', 'src/server.ts'], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env, HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const recent: string[] = []
  const keep = (chunk: Buffer) => {
    log.write(chunk)
    recent.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    if (recent.length > 200) recent.splice(0, recent.length - 200)
  }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  let exitCode: number | null | undefined
  const exited = once(child, 'exit').then(([code]) => { exitCode = code as number | null })

  const server: SpawnedServer = {
    origin,
    pid: child.pid!,
    logFile: opts.logFile,
    sample: () => readProcess(child.pid!),
    tail: (lines = 20) => recent.slice(-lines).join('\n'),
    async stop () {
      if (exitCode === undefined) {
        child.kill('SIGTERM')
        const forced = sleep(20_000).then(() => { if (exitCode === undefined) child.kill('SIGKILL') })
        await Promise.race([exited, forced])
        await exited
      }
      log.end()
      return exitCode ?? null
    }
  }

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000)
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      log.end()
      throw new Error(`the server exited with code ${exitCode} before it was ready:\n${server.tail()}`)
    }
    const ready = await fetch(`${origin}/health/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)
    if (ready) return server
    await sleep(250)
  }
  await server.stop()
  throw new Error(`the server was not ready within ${(opts.readyTimeoutMs ?? 90_000) / 1000} s:\n${server.tail()}`)
}
