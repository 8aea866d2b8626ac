import cliProgress from 'cli-progress'
import type { SecondReport } from './loaders.js'

export interface Progress {
  phase (name: string, totalS: number): void
  second (report: SecondReport): void
  done (): void
  /** A status line that does not break the bar. */
  line (text: string): void
}

/**
 * A one-line progress bar per phase on a terminal; plain status lines otherwise (CI logs), and
 * nothing but those lines when quiet.
 */
export function createProgress (stream: NodeJS.WriteStream, enabled: boolean): Progress {
  const tty = enabled && stream.isTTY === true
  let bar: cliProgress.SingleBar | null = null
  const format = '{phase} {bar} {value}/{total} s | {ok} ok/s | {failed} failed/s | {inFlight} in flight | loader {cpu} %'
  return {
    phase (name, totalS) {
      bar?.stop()
      if (!tty) {
        stream.write(`· ${name} (${totalS} s)\n`)
        return
      }
      bar = new cliProgress.SingleBar({
        format, stream, barsize: 24, hideCursor: true, clearOnComplete: true, fps: 4, noTTYOutput: false
      }, cliProgress.Presets.shades_classic)
      bar.start(Math.ceil(totalS), 0, { phase: name.padEnd(26).slice(0, 26), ok: 0, failed: 0, inFlight: 0, cpu: 0 })
    },
    second (r) {
      bar?.update(Math.min(r.elapsedS, r.totalS), {
        ok: r.ok.toLocaleString('en-US'), failed: r.failed, inFlight: r.inFlight, cpu: Math.round(r.loaderCpu * 100)
      })
    },
    done () {
      bar?.stop()
      bar = null
    },
    line (text) {
      if (bar) {
        bar.stop()
        bar = null
      }
      stream.write(`${text}\n`)
    }
  }
}
