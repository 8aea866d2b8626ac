// Command line of the seeder, parsed into a typed request (pure: the CLI and the tests share it).
import { parseArgs } from 'node:util'
import { DEFAULT_AGENCY_CODE, MAX_SCALE, parseAgencyCode, parseScale } from './fixture.js'
import { EXPORT_FORMATS, type ExportFormat } from './export.js'

export const COMMANDS = ['seed', 'clean', 'reset', 'verify', 'export'] as const
export type Command = typeof COMMANDS[number]

export const USAGE = `Usage: npm run seed -- [command] [options]

Commands:
  seed      create the fixture, or restore it to its seeded state (default)
  clean     delete the agency and everything under it, load-test rows included
  reset     clean, then seed (one transaction)
  verify    check counts, rows and logins; exit 1 on any mismatch
  export    write the fixture's credentials for Locust, k6 or autocannon

Options:
  --agency CODE      agency to work on (default ${DEFAULT_AGENCY_CODE}); others get their own
                     e-mail domain <code>.test.eriop.local and incident prefix INC-<CODE>-
  --scale N          multiply every count by N, 1 to ${MAX_SCALE} (seed, reset; verify and export
                     default to the scale of the last seed)
  --url URL          verify: also log in through the API at URL (e.g. http://localhost:8000)
  --format csv|json  export format (default csv)
  --tokens           export: add pre-issued access tokens (signed with JWT_SECRET, else the API's key in the database)
  --out FILE         export: write to FILE instead of standard output
  -h, --help         show this help

Reads DATABASE_URL (and for --tokens JWT_SECRET, ACCESS_TOKEN_TTL) from the environment.
Exit status: 0 done, 1 failed (or verify found a mismatch), 2 bad command line.`

const OPTIONS = {
  agency: { type: 'string' },
  scale: { type: 'string' },
  url: { type: 'string' },
  format: { type: 'string' },
  tokens: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const
type Option = keyof typeof OPTIONS

const ALLOWED: Record<Command, readonly Option[]> = {
  seed: ['agency', 'scale'],
  clean: ['agency'],
  reset: ['agency', 'scale'],
  verify: ['agency', 'scale', 'url'],
  export: ['agency', 'scale', 'format', 'tokens', 'out']
}

export class UsageError extends Error {
  override name = 'UsageError'
}

export interface SeedRequest {
  command: Command
  help: boolean
  agency: string
  scale?: number
  url?: string
  format: ExportFormat
  tokens: boolean
  out?: string
}

export function parseCommandLine (argv: readonly string[]): SeedRequest {
  let parsed
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  if (positionals.length > 1) throw new UsageError(`one command at a time, got: ${positionals.join(' ')}`)
  const command = (positionals[0] ?? 'seed') as Command
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${positionals[0]}" (commands: ${COMMANDS.join(', ')})`)
  const request: SeedRequest = { command, help: values.help ?? false, agency: DEFAULT_AGENCY_CODE, format: 'csv', tokens: false }
  if (request.help) return request

  for (const option of Object.keys(values) as Option[]) {
    if (option !== 'help' && !ALLOWED[command].includes(option)) throw new UsageError(`--${option} does not apply to "${command}"`)
  }
  try {
    if (values.agency !== undefined) request.agency = values.agency.trim().toUpperCase() === DEFAULT_AGENCY_CODE ? DEFAULT_AGENCY_CODE : parseAgencyCode(values.agency)
    if (values.scale !== undefined) request.scale = parseScale(values.scale)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (values.url !== undefined) {
    let url: URL | undefined
    try { url = new URL(values.url) } catch {}
    if (!url || !['http:', 'https:'].includes(url.protocol)) throw new UsageError(`invalid --url "${values.url}": an http(s) URL such as http://localhost:8000`)
    request.url = values.url
  }
  if (values.format !== undefined) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(values.format)) throw new UsageError(`invalid --format "${values.format}": csv or json`)
    request.format = values.format as ExportFormat
  }
  if (values.out !== undefined) {
    if (!values.out.trim()) throw new UsageError('--out needs a file name')
    request.out = values.out
  }
  request.tokens = values.tokens ?? false
  return request
}
