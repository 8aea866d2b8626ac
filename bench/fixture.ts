import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { PERSONAS, type PersonaName } from './personas.js'
import { FIXTURE_PASSWORD } from '../src/apis/eriop/fixture/fixture.js'

export { FIXTURE_PASSWORD }

function runSeeder (cwd: string, databaseUrl: string, args: string[]): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'seed/cli.ts', ...args], {
      cwd,
      env: { ...process.env, DATABASE_URL: databaseUrl, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, output }))
  })
}

/**
 * Makes sure the LOADTEST fixture is in the database: `seed verify`, and `seed` when it is
 * incomplete (the seeder is idempotent); with `reset`, `seed reset` whatever its state.
 * Returns what it did.
 */
export async function ensureFixture (cwd: string, databaseUrl: string, reset = false): Promise<'verified' | 'seeded' | 'reset'> {
  if (!existsSync(join(cwd, 'seed', 'cli.ts'))) {
    throw new Error('seed/cli.ts not found: the bench needs the seeder to create the LOADTEST fixture')
  }
  if (!reset) {
    const verify = await runSeeder(cwd, databaseUrl, ['verify'])
    if (verify.code === 0) return 'verified'
  }
  const seed = await runSeeder(cwd, databaseUrl, reset ? ['reset'] : [])
  if (seed.code !== 0) throw new Error(`npm run seed${reset ? ' -- reset' : ''} failed (exit ${seed.code}):\n${seed.output.slice(-2000)}`)
  const again = await runSeeder(cwd, databaseUrl, ['verify'])
  if (again.code !== 0) throw new Error(`the fixture is still incomplete after seeding:\n${again.output.slice(-2000)}`)
  return reset ? 'reset' : 'seeded'
}

/** Which fixture users a run logs in as: connection k of a persona plays user (k mod pool) + 1. */
export function usersFor (persona: PersonaName, connections: number): string[] {
  const spec = PERSONAS[persona]
  return Array.from({ length: Math.min(connections, spec.users) }, (_, i) => spec.user(i + 1))
}

/** Logs the users in through the API, as each Locust user does in on_start; a few at a time. */
export async function login (origin: string, emails: string[], concurrency = 8): Promise<Map<string, string>> {
  const tokens = new Map<string, string>()
  const queue = [...emails]
  const worker = async () => {
    for (let email = queue.shift(); email; email = queue.shift()) {
      const res = await fetch(`${origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: FIXTURE_PASSWORD }),
        signal: AbortSignal.timeout(15_000)
      })
      const body = await res.text()
      if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${body.slice(0, 200)}`)
      tokens.set(email, (JSON.parse(body) as { access_token: string }).access_token)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, emails.length) }, worker))
  return tokens
}
