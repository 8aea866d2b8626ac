// npm run seed -- [seed|clean|reset|verify|export] [options]   (usage: seed/args.ts)
// Thin: parse, connect, call the functions the tests call, print. Exit 0 / 1 failed / 2 usage.
import { loadConfig, type Config } from '../src/config.js'
import { runningEmbeddedUrl } from '../src/core/db/embedded.js'
import { prepareDatabase } from '../src/core/db/migrate.js'
import { loadApi } from '../src/apis/index.js'
import { ERIOP_MIGRATIONS } from '../src/apis/eriop/migrations.js'
import type { ApiModule } from '../src/core/api.js'
import { parseCommandLine, USAGE, UsageError, type SeedRequest } from './args.js'
import { formatCredentials, loadCredentials, writeFileAtomic } from '../src/apis/eriop/fixture/export.js'
import { FIXTURE_PASSWORD, fixtureCounts, fixtureIdentity, type FixtureTable } from '../src/apis/eriop/fixture/fixture.js'
import { createProgress, progressWanted } from './progress.js'
import {
  checkConnection, cleanFixture, FixtureError, resetFixture, rootCause, seedFixture, withDatabase,
  type SeedResult, type TableCounts
} from '../src/apis/eriop/fixture/store.js'
import { verifyFixture, type VerifyReport } from '../src/apis/eriop/fixture/verify.js'

const out = (line = '') => process.stdout.write(line + '\n')
const err = (line: string) => process.stderr.write(line + '\n')
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const n = (x: number) => x.toLocaleString('en-US')
const ORDER: FixtureTable[] = ['users', 'buildings', 'resources', 'incidents', 'alerts']
const summary = (counts: TableCounts, skipZero = false) =>
  ORDER.filter((t) => !skipZero || counts[t] > 0).map((t) => `${n(counts[t])} ${t}`).join(', ')
const nonZero = (counts: TableCounts) => ORDER.some((t) => counts[t] > 0)

/** The URL without its password, for messages. */
function redact (url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '****'
    return u.toString()
  } catch {
    return '(unparsable URL)'
  }
}

// Database does not exist, table does not exist.
const NO_SCHEMA = new Set(['3D000', '42P01'])
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', '28P01', '28000', '57P03'])
/** The reason a connection failed, or undefined when `error` is something else. */
function connectionFailure (error: unknown): string | undefined {
  const e = error as { code?: string, message?: string, errors?: { code?: string, message?: string }[] }
  const first = e.errors?.[0] // pg reports an AggregateError when the host has several addresses
  const code = e.code ?? first?.code
  const message = e.message || first?.message || String(error)
  if ((code && CONNECTION_CODES.has(code)) || /connection (terminated|timeout)|timeout expired/i.test(message)) return message
  return undefined
}

function printSeed (verb: string, result: Omit<SeedResult, 'durationMs'>, elapsedMs: number) {
  const id = fixtureIdentity(result.agency)
  out(`${verb} ${result.agency} (scale ${result.scale}) in ${seconds(elapsedMs)}: ${summary(result.written)}.`)
  const counts = fixtureCounts(result.scale)
  out(`Users: dispatcher1..${counts.dispatchers}, responder1..${counts.responders}, alertsystem1..${counts.alertSystems}` +
    ` @${id.emailDomain}, password ${FIXTURE_PASSWORD}`)
  if (result.replacedForeignAgency) out(`Replaced an agency ${result.agency} that this seeder had not created.`)
  if (nonZero(result.removedStale)) out(`Removed rows of a larger scale: ${summary(result.removedStale, true)}.`)
  if (nonZero(result.extraRows)) out(`Left alone, added through the API: ${summary(result.extraRows, true)} (\`npm run seed -- reset\` removes them).`)
}

function printVerify (report: VerifyReport) {
  out(`Verifying ${report.agency} (scale ${report.scale})`)
  const width = Math.max(...report.checks.map((c) => c.name.length), 10)
  for (const c of report.checks) out(`  ${c.ok ? '✓' : '✗'} ${c.name.padEnd(width)}  ${n(c.actual)} / ${n(c.expected)}`)
  for (const note of report.notes) out(`  note: ${note}`)
  for (const problem of report.problems) out(`  problem: ${problem}`)
  out(report.ok
    ? `${report.agency} fixture OK (${seconds(report.durationMs)}).`
    : `${report.agency} fixture: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}.`)
}

async function run (request: SeedRequest, config: Config, url: string, started: number): Promise<number> {
  const progress = createProgress(progressWanted())
  const options = { agency: request.agency, scale: request.scale, onProgress: progress.onProgress }
  try {
    switch (request.command) {
      case 'seed': {
        await prepareDatabase(url, ERIOP_MIGRATIONS)
        const result = await withDatabase(url, (db) => seedFixture(db, options))
        progress.stop()
        printSeed('Seeded', result, performance.now() - started)
        return 0
      }
      case 'reset': {
        await prepareDatabase(url, ERIOP_MIGRATIONS)
        const result = await withDatabase(url, (db) => resetFixture(db, options))
        progress.stop()
        if (result.clean.found) out(`Removed ${result.clean.agency}: ${summary(result.clean.removed)}.`)
        printSeed('Reset', result.seed, performance.now() - started)
        return 0
      }
      case 'clean': {
        const result = await withDatabase(url, (db) => cleanFixture(db, { agency: request.agency })).catch((e) => {
          if (!NO_SCHEMA.has((rootCause(e) as { code?: string }).code ?? '')) throw e
          return { agency: request.agency, found: false, removed: undefined } // no database or no tables: nothing there
        })
        out(result.found && result.removed
          ? `Removed ${result.agency} in ${seconds(performance.now() - started)}: ${summary(result.removed)}.`
          : `Nothing to clean: no agency ${result.agency}.`)
        return 0
      }
      case 'verify': {
        const report = await withDatabase(url, (db) => verifyFixture(db, { ...options, url: request.url }))
        progress.stop()
        printVerify(report)
        return report.ok ? 0 : 1
      }
      case 'export': {
        const credentials = await withDatabase(url, (db) => loadCredentials(db, { ...options, tokens: request.tokens, config }))
        const text = formatCredentials(credentials, request.format)
        if (!request.out) {
          process.stdout.write(text)
          return 0
        }
        await writeFileAtomic(request.out, text, request.tokens ? 0o600 : 0o644)
        const until = request.tokens ? `, tokens valid until ${credentials[0]?.expires_at}` : ''
        out(`Wrote ${n(credentials.length)} ${request.agency} credentials (${request.format}${until}) to ${request.out}.`)
        return 0
      }
    }
  } finally {
    progress.stop()
  }
}

const counted = (rows: Record<string, number>) => Object.entries(rows).map(([table, count]) => `${n(count)} ${table}`).join(', ') || 'nothing'

/** Every API but ERIOP: the fixture through the API's own ApiFixture (src/core/api.ts). */
async function runApi (api: ApiModule, request: SeedRequest, url: string, started: number): Promise<number> {
  const elapsed = () => seconds(performance.now() - started)
  switch (request.command) {
    case 'seed':
    case 'reset': {
      await prepareDatabase(url, api.migrations)
      const removed = request.command === 'reset' ? await withDatabase(url, (db) => api.fixture.clean(db)) : undefined
      const written = await withDatabase(url, (db) => api.fixture.seed(db))
      if (removed) out(`Removed the ${api.name} fixture: ${counted(removed)}.`)
      out(`Seeded the ${api.name} fixture in ${elapsed()}: ${counted(written)}.`)
      return 0
    }
    case 'clean': {
      await prepareDatabase(url, api.migrations)
      const removed = await withDatabase(url, (db) => api.fixture.clean(db))
      out(`Removed the ${api.name} fixture in ${elapsed()}: ${counted(removed)}.`)
      return 0
    }
    case 'verify': {
      const report = await withDatabase(url, (db) => api.fixture.verify(db))
      out(`Verifying the ${api.name} fixture`)
      const width = Math.max(...report.checks.map((c) => c.name.length), 10)
      for (const c of report.checks) out(`  ${c.ok ? '✓' : '✗'} ${c.name.padEnd(width)}  ${n(c.actual)} / ${n(c.expected)}`)
      for (const problem of report.problems) out(`  problem: ${problem}`)
      out(report.ok ? `${api.name} fixture OK (${elapsed()}).` : `${api.name} fixture: ${report.problems.length} problem(s).`)
      return report.ok ? 0 : 1
    }
    case 'export': {
      const rows = await withDatabase(url, (db) => api.fixture.export(db))
      const text = request.format === 'json' ? JSON.stringify(rows, null, 2) + '\n' : toCsvRows(rows)
      if (!request.out) {
        process.stdout.write(text)
        return 0
      }
      await writeFileAtomic(request.out, text)
      out(`Wrote ${n(rows.length)} ${api.name} fixture rows (${request.format}) to ${request.out}.`)
      return 0
    }
  }
}

function toCsvRows (rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
  }
  return [columns.join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\n') + '\n'
}

async function main (argv: string[]): Promise<number> {
  const started = performance.now()
  let request: SeedRequest
  try {
    request = parseCommandLine(argv)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    err(`seed: ${e.message}\n\n${USAGE}`)
    return 2
  }
  if (request.help) {
    out(USAGE)
    return 0
  }

  let config: Config
  try {
    config = loadConfig(process.env)
  } catch (e) {
    err(`seed: invalid configuration: ${(e as Error).message}`)
    return 1
  }
  // Without DATABASE_URL, the embedded Postgres of a running `npm start` (same DATA_DIR) is the target.
  const url = config.DATABASE_URL ?? await runningEmbeddedUrl(config.DATA_DIR)
  if (!url) {
    err('seed: DATABASE_URL is not set and no embedded Postgres of `npm start` is running: point DATABASE_URL at the Postgres database to use, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/eriop npm run seed')
    return 1
  }

  const apiName = request.api ?? config.API
  try {
    await checkConnection(url)
    if (apiName !== 'eriop') return await runApi(await loadApi(apiName), request, url, started)
    return await run(request, config, url, started)
  } catch (thrown) {
    const e = rootCause(thrown)
    const reason = connectionFailure(e)
    if (reason) err(`seed: cannot connect to the database in DATABASE_URL (${redact(url)}): ${reason}`)
    else if (e instanceof FixtureError) err(`seed: ${e.message}`)
    else if (NO_SCHEMA.has((e as { code?: string }).code ?? '')) {
      err(`seed: the database in DATABASE_URL (${redact(url)}) has no fixture tables: run \`npm run seed\` first`)
    } else err(`seed: ${request.command} failed: ${(e as Error).message ?? String(e)}`)
    return 1
  }
}

// `npm run seed -- export | head`: the reader leaving early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})
process.exitCode = await main(process.argv.slice(2))
