// `npm run bench -- <scenario> [options]`: argument parsing, then bench/run.ts. See USAGE.
import { fileURLToPath } from 'node:url'
import { ensureFileLimit } from './fdlimit.js'
import { DEFAULT_CONNECTIONS, parseBenchArgs, USAGE, UsageError } from './options.js'
import { pacedConnections } from './pacing.js'
import { createProgress } from './progress.js'
import { runBench } from './run.js'
import { renderSummary } from './summary.js'
import { EXIT } from './types.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

// The PGGIT API's read mix has a runner of its own (bench/pggit-reads.ts): another API, other options.
if (process.argv[2] === 'pggit-reads') {
  const { runPggitReads } = await import('./pggit-reads.js')
  process.exit(await runPggitReads(process.argv.slice(3)))
}

let options
try {
  options = parseBenchArgs(process.argv.slice(2), process.env)
} catch (err) {
  if (!(err instanceof UsageError)) throw err
  process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`)
  process.exit(EXIT.usage)
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`)
  process.exit(EXIT.pass)
}

const connections = Math.max(
  options.connections ?? 0,
  options.scenario === 'concurrent' ? 10_000 : options.scenario === 'baseline' ? 1000 : 100,
  options.scenario === 'stress' && !options.connections ? pacedConnections(options.stressMaxRate, options.slo.p95Ms) : 0,
  options.scenario === 'ingest' && !options.connections ? pacedConnections(options.rate, options.slo.p95Ms) : 0,
  // live: the persona users and the sockets are open at the same time.
  options.scenario === 'live' ? (options.connections ?? DEFAULT_CONNECTIONS.live) + options.sockets : 0
)
const limit = ensureFileLimit(connections + 512)
if (limit.kind === 're-executed') process.exit(limit.status)
if (limit.kind === 'too-low') {
  process.stderr.write(`bench: ${connections} connections need ${connections + 512} open files, but the hard limit is ${limit.hard} (ulimit -Hn); lower --connections or raise the limit\n`)
  process.exit(EXIT.usage)
}

const progress = createProgress(process.stderr, !options.quiet)
try {
  const { result, files } = await runBench(options, { cwd: ROOT, progress })
  process.stdout.write(`\n${renderSummary(result, files, process.stdout.isTTY === true && process.env.CI !== 'true')}\n`)
  process.exit(result.verdict.exitCode)
} catch (err) {
  progress.done()
  process.stderr.write(`bench: could not run: ${(err as Error).stack ?? err}\n`)
  process.exit(EXIT.runError)
}
