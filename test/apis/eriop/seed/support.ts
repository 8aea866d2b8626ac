// Shared by the seeder tests: snapshots of what is in the database, and running the CLI.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'

export const ROOT = fileURLToPath(new URL('../../../..', import.meta.url))

export const TABLE_NAMES = ['agencies', 'users', 'buildings', 'resources', 'incidents', 'alerts'] as const

/** Every row of every table (or of one agency), ordered by id: equal snapshots mean equal data. */
export async function snapshot (pool: pg.Pool, agencyId?: string): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {}
  for (const table of TABLE_NAMES) {
    const where = agencyId ? (table === 'agencies' ? 'where id = $1' : 'where agency_id = $1') : ''
    const { rows } = await pool.query(`select * from ${table} ${where} order by id`, agencyId ? [agencyId] : [])
    result[table] = rows
  }
  return result
}

/** Rows per table under an agency. */
export async function countRows (pool: pg.Pool, agencyId: string): Promise<Record<string, number>> {
  const result: Record<string, number> = {}
  for (const table of TABLE_NAMES) {
    const column = table === 'agencies' ? 'id' : 'agency_id'
    const { rows } = await pool.query(`select count(*)::int as n from ${table} where ${column} = $1`, [agencyId])
    result[table] = rows[0].n
  }
  return result
}

export async function agencyIdOf (pool: pg.Pool, code: string): Promise<string | undefined> {
  const { rows } = await pool.query('select id from agencies where code = $1', [code])
  return rows[0]?.id
}

export interface CliResult { code: number, stdout: string, stderr: string }

/**
 * Runs the CLI as `npm run seed` does (`tsx seed/cli.ts …`; `node --import tsx` spares the tsx
 * binary's extra process), with `env` on top of a clean environment (CI=true: no progress bars).
 */
export function runCli (args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const base: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', ...env }
  const cleanEnv = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined)) as Record<string, string>
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'seed/cli.ts', ...args], { cwd: ROOT, env: cleanEnv, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}
