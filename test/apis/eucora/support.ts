import { sql } from 'drizzle-orm'
import type { App } from '../../../src/app.js'
import type { Database } from '../../../src/core/db/client.js'
import { FIXTURE_PASSWORD } from '../../../src/apis/eucora/fixture/data.js'

/** A body as the suite sends it (Python requests' `data=`): form-encoded, a list or dict value as repeated keys. */
export function form (fields: Record<string, string | number | string[] | Record<string, unknown>>): { payload: string, headers: Record<string, string> } {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const item of value) params.append(key, item)
    else if (typeof value === 'object') for (const item of Object.keys(value)) params.append(key, item)
    else params.append(key, String(value))
  }
  return { payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
}

export async function login (app: App, username: string, password = FIXTURE_PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login/', ...form({ username, password }) })
  if (res.statusCode !== 200) throw new Error(`login of ${username} failed: ${res.statusCode} ${res.body}`)
  return res.json().token
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** Rows per EUCORA table, to show that a refused request wrote nothing. */
export async function tableCounts (db: Database): Promise<Record<string, number>> {
  const { rows } = await db.execute<{ users: number, deployment_intents: number, cab_approvals: number, connector_jobs: number, remediations: number }>(sql`
    select (select count(*)::int from eucora.users) as users,
      (select count(*)::int from eucora.deployment_intents) as deployment_intents,
      (select count(*)::int from eucora.cab_approvals) as cab_approvals,
      (select count(*)::int from eucora.connector_jobs) as connector_jobs,
      (select count(*)::int from eucora.remediations) as remediations`)
  return rows[0]
}

/** POST a form-encoded body, as the suite does, with the caller's token. */
export function postForm (app: App, url: string, fields: Parameters<typeof form>[0], token?: string) {
  const { payload, headers } = form(fields)
  return app.inject({ method: 'POST', url, payload, headers: { ...headers, ...(token ? bearer(token) : {}) } })
}
