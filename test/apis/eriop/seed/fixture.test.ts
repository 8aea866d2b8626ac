// The pure fixture builders and the command-line parser: no database needed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCommandLine, UsageError } from '../../../../seed/args.js'
import { buildFixture } from '../../../../src/apis/eriop/fixture/factories.js'
import {
  fixtureId, fixtureIdentity, fixtureUsers, isFixtureId, MONTREAL, parseAgencyCode, parseScale,
  type Fixture
} from '../../../../src/apis/eriop/fixture/fixture.js'

const HASH = '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA'
const all = (fixture: Fixture) => ({
  buildings: [...fixture.rows.buildings()],
  users: [...fixture.rows.users()],
  resources: [...fixture.rows.resources()],
  incidents: [...fixture.rows.incidents()],
  alerts: [...fixture.rows.alerts()]
})
const countBy = <T>(rows: T[], key: (row: T) => unknown) => {
  const counts: Record<string, number> = {}
  for (const row of rows) counts[String(key(row))] = (counts[String(key(row))] ?? 0) + 1
  return counts
}

test('the standard fixture is the one the seed documents describe', () => {
  const fixture = buildFixture({ passwordHash: HASH })
  const rows = all(fixture)
  assert.equal(fixture.agency.code, 'LOADTEST')
  assert.equal(fixture.agency.name, 'Load Test Agency')

  assert.equal(rows.users.length, 350)
  assert.deepEqual(countBy(rows.users, (u) => u.role), { dispatcher: 100, responder: 200, alert_system: 50 })
  const emails = rows.users.map((u) => u.email)
  assert.equal(new Set(emails).size, 350)
  for (let i = 1; i <= 100; i++) assert.ok(emails.includes(`dispatcher${i}@test.eriop.local`))
  for (let i = 1; i <= 200; i++) assert.ok(emails.includes(`responder${i}@test.eriop.local`))
  for (let i = 1; i <= 50; i++) assert.ok(emails.includes(`alertsystem${i}@test.eriop.local`))
  const responders = rows.users.filter((u) => u.role === 'responder')
  assert.equal(responders[0].badgeNumber, 'R0001')
  assert.equal(responders[199].badgeNumber, 'R0200')
  assert.equal(rows.users.find((u) => u.email === 'dispatcher7@test.eriop.local')?.badgeNumber, 'D0007')
  assert.ok(rows.users.every((u) => u.isVerified && u.isActive && !u.mfaEnabled && u.hashedPassword === HASH))
  assert.ok(rows.users.every((u) => u.agencyId === fixture.agency.id))

  assert.equal(rows.buildings.length, 50)
  for (const b of rows.buildings) {
    assert.ok(Math.abs(b.latitude - MONTREAL.latitude) <= 0.12 && Math.abs(b.longitude - MONTREAL.longitude) <= 0.18, `${b.name} is near Montreal`)
    assert.match(b.postalCode!, /^H\d[A-Z] \d[A-Z]\d$/)
    assert.equal(b.city, 'Montréal')
  }

  assert.equal(rows.resources.length, 100)
  assert.deepEqual(countBy(rows.resources, (r) => r.resourceType), { personnel: 40, vehicle: 40, equipment: 20 })
  assert.deepEqual(countBy(rows.resources.filter((r) => r.status === 'available'), (r) => r.resourceType), { personnel: 30, vehicle: 30, equipment: 15 })
  const callSigns = rows.resources.map((r) => r.callSign)
  assert.deepEqual(callSigns.slice(0, 3), ['P-001', 'P-002', 'P-003'])
  assert.ok(callSigns.includes('V-040') && callSigns.includes('E-020'))
  assert.equal(rows.resources.find((r) => r.callSign === 'P-030')?.status, 'available')
  assert.equal(rows.resources.find((r) => r.callSign === 'P-031')?.status, 'off_duty')
  assert.equal(rows.resources.find((r) => r.callSign === 'E-016')?.status, 'out_of_service')

  assert.equal(rows.incidents.length, 50)
  assert.deepEqual(rows.incidents.map((i) => i.incidentNumber).slice(0, 2), ['INC-LOAD-0001', 'INC-LOAD-0002'])
  assert.equal(rows.incidents[49].incidentNumber, 'INC-LOAD-0050')
  assert.ok(rows.incidents.every((i) => ['new', 'assigned', 'en_route', 'on_scene'].includes(i.status!)))
  assert.equal(Object.keys(countBy(rows.incidents, (i) => i.status)).length, 4)

  assert.equal(rows.alerts.length, 100)
  assert.deepEqual(countBy(rows.alerts, (a) => a.status), { pending: 50, acknowledged: 50 })
  for (const a of rows.alerts.filter((a) => a.status === 'acknowledged')) {
    assert.ok(a.acknowledgedAt instanceof Date && a.acknowledgedBy, 'acknowledged alerts say when and by whom')
  }
})

test('deterministic: the same options build the same rows, ids and timestamps included', () => {
  const a = JSON.stringify(all(buildFixture({ passwordHash: HASH })))
  const b = JSON.stringify(all(buildFixture({ passwordHash: HASH })))
  assert.equal(a, b)
  const fixture = buildFixture({ passwordHash: HASH })
  const [first] = fixture.rows.users()
  assert.equal(first.id, fixtureId('LOADTEST', 'dispatcher', 1))
  assert.ok(isFixtureId(first.id))
  assert.ok(!isFixtureId(crypto.randomUUID()), 'random (v4) ids are not fixture ids')
  assert.deepEqual([...fixture.ids('alerts')], [...fixture.rows.alerts()].map((r) => r.id))
  assert.deepEqual([...fixture.ids('users')], [...fixture.rows.users()].map((r) => r.id))
  assert.deepEqual([...fixture.ids('resources')], [...fixture.rows.resources()].map((r) => r.id))
})

test('--scale multiplies every count and keeps the standard fixture as its prefix', () => {
  const one = all(buildFixture({ passwordHash: HASH }))
  const three = all(buildFixture({ scale: 3, passwordHash: HASH }))
  assert.equal(three.users.length, 1050)
  assert.equal(three.buildings.length, 150)
  assert.equal(three.resources.length, 300)
  assert.equal(three.incidents.length, 150)
  assert.equal(three.alerts.length, 300)
  assert.deepEqual(countBy(three.users, (u) => u.role), { dispatcher: 300, responder: 600, alert_system: 150 })
  assert.equal(three.resources.filter((r) => r.status === 'available').length, 225)
  assert.equal(three.alerts.filter((a) => a.status === 'pending').length, 150)
  assert.ok(three.users.some((u) => u.email === 'dispatcher101@test.eriop.local'), 'numbering continues')
  assert.ok(three.users.some((u) => u.email === 'responder600@test.eriop.local'))
  assert.equal(three.incidents[149].incidentNumber, 'INC-LOAD-0150')
  // Every kind draws from its own stream and a scale is block after block of the standard
  // fixture: the standard fixture is the first block of every scale, row for row.
  for (const table of ['users', 'buildings', 'resources', 'incidents', 'alerts'] as const) {
    const big = new Map<string, string>(three[table].map((r: { id: string }) => [r.id, JSON.stringify(r)]))
    for (const row of one[table]) assert.equal(big.get(row.id), JSON.stringify(row), `${table} ${row.id}`)
  }
})

test('another agency gets its own ids, e-mail domain and incident prefix', () => {
  assert.deepEqual(fixtureIdentity('LOADTEST'), { code: 'LOADTEST', name: 'Load Test Agency', emailDomain: 'test.eriop.local', incidentPrefix: 'INC-LOAD' })
  const city = buildFixture({ agency: 'city2', passwordHash: HASH })
  assert.equal(city.agency.code, 'CITY2')
  const [user] = city.rows.users()
  assert.equal(user.email, 'dispatcher1@city2.test.eriop.local')
  const [incident] = city.rows.incidents()
  assert.equal(incident.incidentNumber, 'INC-CITY2-0001')
  assert.notEqual(city.agency.id, buildFixture({ passwordHash: HASH }).agency.id)
  assert.notEqual(user.id, fixtureId('LOADTEST', 'dispatcher', 1))
  assert.deepEqual(fixtureUsers('CITY2', 1).slice(-1), [{ id: fixtureId('CITY2', 'alertsystem', 50), email: 'alertsystem50@city2.test.eriop.local', role: 'alert_system' }])
})

test('agency codes and scales are validated', () => {
  assert.equal(parseAgencyCode(' loadtest2 '), 'LOADTEST2')
  for (const bad of ['', '1ABC', 'A_B', 'A-B', 'A.B', 'ABCDEFGHIJKLMNOPQRSTU', 'LOAD', 'load']) {
    assert.throws(() => parseAgencyCode(bad), RangeError, bad)
  }
  assert.equal(parseScale('100'), 100)
  assert.equal(parseScale(1), 1)
  for (const bad of ['0', 'abc', '1.5', '-1', '1e3', '', '1001', 0, 2.5]) assert.throws(() => parseScale(bad), RangeError, String(bad))
})

test('command line: commands, options and what each accepts', () => {
  assert.deepEqual(parseCommandLine([]), { command: 'seed', help: false, agency: 'LOADTEST', format: 'csv', tokens: false })
  assert.deepEqual(parseCommandLine(['export', '--format', 'json', '--tokens', '--out', 'u.json', '--agency', 'city2', '--scale', '2']), {
    command: 'export', help: false, agency: 'CITY2', scale: 2, format: 'json', tokens: true, out: 'u.json'
  })
  assert.equal(parseCommandLine(['verify', '--url', 'http://localhost:8000']).url, 'http://localhost:8000')
  assert.equal(parseCommandLine(['--agency', 'loadtest']).agency, 'LOADTEST')
  assert.equal(parseCommandLine(['clean', '--help']).help, true)
  const bad = [
    ['bogus'], ['seed', 'clean'], ['--bogus'], ['--scale', '0'], ['--scale', 'abc'], ['--scale'],
    ['seed', '--tokens'], ['clean', '--scale', '2'], ['seed', '--url', 'http://x'], ['export', '--format', 'xml'],
    ['verify', '--url', 'ftp://x'], ['verify', '--url', 'nope'], ['--agency', 'A_B'], ['export', '--out', '']
  ]
  for (const args of bad) assert.throws(() => parseCommandLine(args), UsageError, args.join(' '))
})
