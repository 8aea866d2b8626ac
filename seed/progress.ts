// Progress bars on a terminal; nothing at all in CI or when output is redirected.
import cliProgress from 'cli-progress'
import type { ProgressListener } from '../src/apis/eriop/fixture/store.js'

export function progressWanted (env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0'
  return Boolean(process.stdout.isTTY && process.stderr.isTTY) && !ci
}

/** One bar per step and table, drawn on stderr (stdout may carry an export). */
export function createProgress (enabled: boolean): { onProgress?: ProgressListener, stop: () => void } {
  if (!enabled) return { stop: () => {} }
  const multi = new cliProgress.MultiBar({
    format: ' {step} {table} [{bar}] {value}/{total}',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    barsize: 30
  }, cliProgress.Presets.shades_classic)
  const bars = new Map<string, cliProgress.SingleBar>()
  return {
    onProgress: ({ step, table, done, total }) => {
      const key = `${step}:${table}`
      let bar = bars.get(key)
      if (!bar) {
        bar = multi.create(total, 0, { step, table: table.padEnd(9) })
        bars.set(key, bar)
      }
      bar.update(done)
      // Bars are redrawn 10 times a second; a table done in between is still shown full once.
      if (done === total) multi.update()
    },
    stop: () => multi.stop()
  }
}
