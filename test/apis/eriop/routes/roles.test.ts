// The permission table of DESIGN.md §3: reads for all; ingest for alert_system, dispatcher, admin;
// incident writes and alert triage for dispatcher and admin. A wrong role is a 403 that changes nothing.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { count, eq } from 'drizzle-orm'
import { alerts, incidents } from '../../../../src/apis/eriop/db/schema/index.js'
import { bearer, build, createTeam, useTestDatabase, validAlert, validIncident } from '../../../helper.js'

const database = useTestDatabase('roles')
const ROLES = ['admin', 'dispatcher', 'responder', 'alert_system'] as const

test('every role against every kind of route', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ROLES')
  const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: bearer(team.admin.token), payload: validIncident() })).json()

  const expectations: Array<{ name: string, allowed: readonly string[], request: () => { method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object } }> = [
    { name: 'read lists', allowed: ROLES, request: () => ({ method: 'GET', url: '/api/v1/incidents/active' }) },
    { name: 'read detail', allowed: ROLES, request: () => ({ method: 'GET', url: `/api/v1/incidents/${incident.id}` }) },
    { name: 'me', allowed: ROLES, request: () => ({ method: 'GET', url: '/api/v1/auth/me' }) },
    { name: 'ingest', allowed: ['admin', 'dispatcher', 'alert_system'], request: () => ({ method: 'POST', url: '/api/v1/alerts/ingest', payload: validAlert() }) },
    { name: 'create incident', allowed: ['admin', 'dispatcher'], request: () => ({ method: 'POST', url: '/api/v1/incidents', payload: validIncident() }) },
    { name: 'update incident', allowed: ['admin', 'dispatcher'], request: () => ({ method: 'PATCH', url: `/api/v1/incidents/${incident.id}`, payload: { priority: 1 } }) },
    { name: 'list users', allowed: ['admin', 'dispatcher'], request: () => ({ method: 'GET', url: '/api/v1/users' }) }
  ]
  for (const { name, allowed, request } of expectations) {
    for (const role of ROLES) {
      const res = await app.inject({ ...request(), headers: bearer(team[role].token) })
      if (allowed.includes(role)) {
        assert.ok(res.statusCode < 300, `${role} may ${name}: ${res.statusCode} ${res.body}`)
      } else {
        assert.equal(res.statusCode, 403, `${role} may not ${name}`)
        assert.deepEqual(res.json(), { detail: 'Insufficient permissions for this operation', code: 'FORBIDDEN' })
      }
    }
  }

  const alert = (await app.inject({ method: 'POST', url: '/api/v1/alerts/ingest', headers: bearer(team.alert_system.token), payload: validAlert() })).json()
  for (const role of ['responder', 'alert_system'] as const) {
    for (const action of ['acknowledge', 'dismiss']) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/${action}`, headers: bearer(team[role].token), payload: {} })
      assert.equal(res.statusCode, 403, `${role} ${action}`)
    }
  }
  const [row] = await database.db.select().from(alerts).where(eq(alerts.id, alert.id))
  assert.equal(row.status, 'pending', 'a 403 changes nothing')
  const dismissed = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/dismiss`, headers: bearer(team.dispatcher.token), payload: { reason: 'false alarm' } })
  assert.equal(dismissed.statusCode, 200)
  assert.equal(dismissed.json().status, 'dismissed')
  assert.equal(dismissed.json().dismissal_reason, 'false alarm')
  const ackDismissed = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge`, headers: bearer(team.dispatcher.token), payload: {} })
  assert.equal(ackDismissed.statusCode, 409)

  // 1 by admin at the start + 1 each by admin and dispatcher in the loop; none by the others.
  const [{ n }] = await database.db.select({ n: count() }).from(incidents).where(eq(incidents.agencyId, team.agency.id))
  assert.equal(n, 3)
})

test('users may read themselves but responders may not list or read others', async (t) => {
  const app = await build(t, database.url)
  const team = await createTeam(app, database.db, 'ROLES2')
  assert.equal((await app.inject({ url: `/api/v1/users/${team.responder.id}`, headers: bearer(team.responder.token) })).statusCode, 200)
  assert.equal((await app.inject({ url: `/api/v1/users/${team.admin.id}`, headers: bearer(team.responder.token) })).statusCode, 403)
  const list = await app.inject({ url: '/api/v1/users?role=responder', headers: bearer(team.dispatcher.token) })
  assert.equal(list.json().total, 1)
  assert.equal(list.json().items[0].email, team.responder.email)
  assert.equal(list.json().items[0].hashed_password, undefined, 'no leaked fields')
})
