// Command line of the seeder, parsed into a typed request (pure: the CLI and the tests share it).
import { parseArgs } from 'node:util'
import { DEFAULT_AGENCY_CODE, MAX_SCALE, parseAgencyCode, parseScale } from '../src/apis/eriop/fixture/fixture.js'
import { EXPORT_FORMATS, type ExportFormat } from '../src/apis/eriop/fixture/export.js'
import { API_NAMES, type ApiName } from '../src/config.js'

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
  --api NAME         the API whose fixture to work on: ${API_NAMES.join(', ')} (default: API from
                     the environment, else eriop). The options below marked ERIOP apply to eriop only
  --agency CODE      ERIOP: agency to work on (default ${DEFAULT_AGENCY_CODE}); others get their own
                     e-mail domain <code>.test.eriop.local and incident prefix INC-<CODE>-
  --scale N          ERIOP: multiply every count by N, 1 to ${MAX_SCALE} (seed, reset; verify and export
                     default to the scale of the last seed)
  --url URL          ERIOP verify: also log in through the API at URL (e.g. http://localhost:8000)
  --format csv|json  export format (default csv)
  --tokens           ERIOP export: add pre-issued access tokens (signed with JWT_SECRET, else the API's key in the database)
  --out FILE         export: write to FILE instead of standard output
  -h, --help         show this help

Reads DATABASE_URL (and for --tokens JWT_SECRET, ACCESS_TOKEN_TTL) from the environment.
Exit status: 0 done, 1 failed (or verify found a mismatch), 2 bad command line.`

const OPTIONS = {
  api: { type: 'string' },
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
  seed: ['api', 'agency', 'scale'],
  clean: ['api', 'agency'],
  reset: ['api', 'agency', 'scale'],
  verify: ['api', 'agency', 'scale', 'url'],
  export: ['api', 'agency', 'scale', 'format', 'tokens', 'out']
}
/** What every API's fixture takes; the rest is ERIOP's (agencies, scales, tokens). */
const EVERY_API: readonly Option[] = ['api', 'format', 'out', 'help']

export class UsageError extends Error {
  override name = 'UsageError'
}

export interface SeedRequest {
  command: Command
  /** Unset: the API named by the environment's API setting. */
  api?: ApiName
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
  if (values.api !== undefined) {
    if (!(API_NAMES as readonly string[]).includes(values.api)) throw new UsageError(`unknown --api "${values.api}" (APIs: ${API_NAMES.join(', ')})`)
    request.api = values.api as ApiName
    if (request.api !== 'eriop') {
      const other = (Object.keys(values) as Option[]).find((option) => !EVERY_API.includes(option))
      if (other) throw new UsageError(`--${other} applies to the eriop fixture only`)
    }
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
