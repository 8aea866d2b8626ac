// What the load-test fixture is (DESIGN.md §6, seed-clients.md §1.4): its names, counts, ids and
// the rules that keep agencies apart. Its rows are built in factories.ts. Pure: no I/O, no clock.
import { parse as parseUuid, v5 as uuidv5 } from 'uuid'
import type { agencies, alerts, buildings, incidents, resources, users } from '../src/db/schema/index.js'
import type { UserRole } from '../src/schemas/values.js'

export const DEFAULT_AGENCY_CODE = 'LOADTEST'
export const FIXTURE_PASSWORD = 'TestPass123456!'
/** Bumped whenever the rows a given (agency, scale) produces change; stored in the agency's settings. */
export const FIXTURE_VERSION = 1
export const FIXTURE_SEED = 4_551_017
/** "Now" for the fixture: every timestamp is derived from it, never from the clock. */
export const FIXTURE_REFERENCE_DATE = new Date('2026-01-15T12:00:00.000Z')
/** UUID v5 namespace of fixture ids. API-created rows get random (v4) ids, so a v5 id marks a fixture row. */
export const FIXTURE_NAMESPACE = '3f6f2a53-9c1e-4d5b-8a0e-6e2b7c4d9f10'
export const MONTREAL = { latitude: 45.5017, longitude: -73.5673 } as const
export const MAX_SCALE = 1000

export type AgencyRow = typeof agencies.$inferInsert & { id: string }
export type UserRow = typeof users.$inferInsert & { id: string, hashedPassword: string }
export type BuildingRow = typeof buildings.$inferInsert & { id: string }
export type ResourceRow = typeof resources.$inferInsert & { id: string }
export type IncidentRow = typeof incidents.$inferInsert & { id: string }
export type AlertRow = typeof alerts.$inferInsert & { id: string }

/** The fixture's tables in insert order (parents first); deletes go in reverse. */
export const FIXTURE_TABLES = ['buildings', 'users', 'resources', 'incidents', 'alerts'] as const
export type FixtureTable = typeof FIXTURE_TABLES[number]
export interface FixtureRows {
  buildings: BuildingRow
  users: UserRow
  resources: ResourceRow
  incidents: IncidentRow
  alerts: AlertRow
}

/** The standard fixture (scale 1); `--scale N` multiplies every number. */
export const STANDARD_COUNTS = {
  dispatchers: 100,
  responders: 200,
  alertSystems: 50,
  buildings: 50,
  personnel: 40,
  vehicles: 40,
  equipment: 20,
  availablePersonnel: 30,
  availableVehicles: 30,
  availableEquipment: 15,
  incidents: 50,
  alerts: 100,
  pendingAlerts: 50
} as const

export type FixtureCounts = { [K in keyof typeof STANDARD_COUNTS]: number } & {
  users: number
  resources: number
  availableResources: number
  /** Every fixture incident is active (new, assigned, en_route or on_scene). */
  activeIncidents: number
}

export function fixtureCounts (scale: number): FixtureCounts {
  const c = Object.fromEntries(Object.entries(STANDARD_COUNTS).map(([k, v]) => [k, v * scale])) as { [K in keyof typeof STANDARD_COUNTS]: number }
  return {
    ...c,
    users: c.dispatchers + c.responders + c.alertSystems,
    resources: c.personnel + c.vehicles + c.equipment,
    availableResources: c.availablePersonnel + c.availableVehicles + c.availableEquipment,
    activeIncidents: c.incidents
  }
}

/** Row counts per table for a scale (what `verify` expects). */
export function tableCounts (scale: number): Record<FixtureTable, number> {
  const c = fixtureCounts(scale)
  return { buildings: c.buildings, users: c.users, resources: c.resources, incidents: c.incidents, alerts: c.alerts }
}

/**
 * Where an agency's fixture lives. E-mails and incident numbers are unique across the whole
 * database, so every agency but LOADTEST gets its own e-mail domain and incident prefix:
 * LOADTEST → dispatcher1@test.eriop.local, INC-LOAD-0001 (the seed documents' names);
 * CITY2    → dispatcher1@city2.test.eriop.local, INC-CITY2-0001.
 */
export interface FixtureIdentity {
  code: string
  name: string
  emailDomain: string
  incidentPrefix: string
}

export function fixtureIdentity (code: string): FixtureIdentity {
  if (code === DEFAULT_AGENCY_CODE) {
    return { code, name: 'Load Test Agency', emailDomain: 'test.eriop.local', incidentPrefix: 'INC-LOAD' }
  }
  return { code, name: `Load Test Agency ${code}`, emailDomain: `${code.toLowerCase()}.test.eriop.local`, incidentPrefix: `INC-${code}` }
}

/**
 * Normalises `--agency`: upper-cased, a letter then letters or digits, at most 20 characters
 * (the column's width). Letters and digits only, so the code is also a valid DNS label of the
 * e-mail domain. `LOAD` is refused: its incident prefix INC-LOAD- is LOADTEST's.
 */
export function parseAgencyCode (input: string): string {
  const code = input.trim().toUpperCase()
  if (!/^[A-Z][A-Z0-9]{0,19}$/.test(code)) {
    throw new RangeError(`invalid agency code "${input}": a letter followed by letters or digits, at most 20 characters`)
  }
  if (code === 'LOAD') throw new RangeError('agency code LOAD is reserved (its incident numbers INC-LOAD-… are LOADTEST\'s)')
  return code
}

export function parseScale (input: string | number): number {
  const scale = typeof input === 'number' ? input : /^\d+$/.test(input.trim()) ? Number(input) : NaN
  if (!Number.isSafeInteger(scale) || scale < 1 || scale > MAX_SCALE) {
    throw new RangeError(`invalid scale "${input}": a whole number from 1 to ${MAX_SCALE}`)
  }
  return scale
}

export type FixtureKind =
  | 'agency' | 'dispatcher' | 'responder' | 'alertsystem' | 'building'
  | 'personnel' | 'vehicle' | 'equipment' | 'incident' | 'alert'

const NAMESPACE_BYTES = parseUuid(FIXTURE_NAMESPACE)

/** The stable id of the `index`-th (1-based) row of `kind` in an agency's fixture. */
export function fixtureId (code: string, kind: FixtureKind, index: number): string {
  return uuidv5(`${code}/${kind}/${index}`, NAMESPACE_BYTES)
}

/** True for the ids fixtureId makes (version 5), false for the API's random (version 4) ids. */
export function isFixtureId (id: string): boolean {
  return id[14] === '5'
}

export const USER_KINDS = [
  { kind: 'dispatcher', role: 'dispatcher', count: 'dispatchers', badge: 'D', label: 'Dispatcher' },
  { kind: 'responder', role: 'responder', count: 'responders', badge: 'R', label: 'Responder' },
  { kind: 'alertsystem', role: 'alert_system', count: 'alertSystems', badge: 'S', label: 'Alert System' }
] as const satisfies readonly { kind: FixtureKind, role: UserRole, count: keyof FixtureCounts, badge: string, label: string }[]

/** E-mail of a fixture user: `dispatcher7@test.eriop.local`, `alertsystem3@city2.test.eriop.local`. */
export function fixtureEmail (identity: FixtureIdentity, kind: 'dispatcher' | 'responder' | 'alertsystem', index: number) {
  return `${kind}${index}@${identity.emailDomain}`
}

export interface FixtureOptions {
  agency?: string
  scale?: number
  /** The stored hash of FIXTURE_PASSWORD (computed once per run and shared by every user). */
  passwordHash: string
}

export interface Fixture {
  identity: FixtureIdentity
  scale: number
  counts: FixtureCounts
  agency: AgencyRow
  /** Each table's rows, generated on demand in a fixed order (flat memory at any scale). */
  rows: { [T in FixtureTable]: () => Iterable<FixtureRows[T]> }
  /** Each table's ids, in the same order, without building the rows. */
  ids: (table: FixtureTable) => Iterable<string>
}

/** The ids of a table's fixture rows, in row order, without building the rows. */
export function * fixtureIds (code: string, counts: FixtureCounts, table: FixtureTable): Iterable<string> {
  const ranges: Record<FixtureTable, [FixtureKind, number][]> = {
    buildings: [['building', counts.buildings]],
    users: [['dispatcher', counts.dispatchers], ['responder', counts.responders], ['alertsystem', counts.alertSystems]],
    resources: [['personnel', counts.personnel], ['vehicle', counts.vehicles], ['equipment', counts.equipment]],
    incidents: [['incident', counts.incidents]],
    alerts: [['alert', counts.alerts]]
  }
  for (const [kind, n] of ranges[table]) {
    for (let i = 1; i <= n; i++) yield fixtureId(code, kind, i)
  }
}

/** The fixture's users as (email, role) pairs, in fixture order: what `export` writes. */
export function fixtureUsers (agency: string = DEFAULT_AGENCY_CODE, scale = 1): { id: string, email: string, role: UserRole }[] {
  const identity = fixtureIdentity(agency === DEFAULT_AGENCY_CODE ? agency : parseAgencyCode(agency))
  const counts = fixtureCounts(parseScale(scale))
  return USER_KINDS.flatMap((k) => Array.from({ length: counts[k.count] }, (_, n) => ({
    id: fixtureId(identity.code, k.kind, n + 1),
    email: fixtureEmail(identity, k.kind, n + 1),
    role: k.role
  })))
}
