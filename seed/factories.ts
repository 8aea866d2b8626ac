// The fixture's rows, drawn from seeded faker streams and the word lists of content.ts.
// Same options → same rows, ids and timestamps included, on any machine with this lockfile.
import { faker as enCaFaker } from '@faker-js/faker/locale/en_CA'
import type { Faker } from '@faker-js/faker'
import {
  ACKNOWLEDGMENT_NOTES, ALERT_SEVERITIES, ALERT_SOURCES, ALERT_TYPES, ALERT_TYPE_LABELS, BUILDING_KINDS,
  CONSTRUCTION_KINDS, EQUIPMENT_KINDS, INCIDENT_CATEGORIES, INCIDENT_TEXT, MONTREAL_STREETS, PERSONNEL_CAPABILITIES,
  POSTAL_LETTERS, SENSOR_MODELS, VEHICLE_KINDS
} from './content.js'
import {
  DEFAULT_AGENCY_CODE, FIXTURE_REFERENCE_DATE, FIXTURE_SEED, FIXTURE_VERSION, fixtureCounts, fixtureEmail, fixtureId,
  fixtureIdentity, fixtureIds, MONTREAL, parseAgencyCode, parseScale, STANDARD_COUNTS, USER_KINDS,
  type AgencyRow, type AlertRow, type BuildingRow, type Fixture, type FixtureKind, type FixtureOptions, type IncidentRow,
  type ResourceRow, type UserRow
} from './fixture.js'

// Each kind draws from its own faker stream, so adding rows of one kind (a bigger scale)
// never changes the rows of another, and the standard fixture is a prefix of every scale.
const STREAMS: Record<FixtureKind, number> = {
  agency: 0, dispatcher: 1, responder: 2, alertsystem: 3, building: 4, personnel: 5, vehicle: 6, equipment: 7, incident: 8, alert: 9
}

// A private instance per stream: two fixtures built at once (tests, the API's first start)
// must not share one random sequence. The constructor of the en_CA instance is Faker itself,
// reached this way so that only the en_CA locale is loaded, not all seventy.
const FakerClass = enCaFaker.constructor as typeof Faker
function streamFaker (kind: FixtureKind): Faker {
  const f = new FakerClass({ locale: enCaFaker.rawDefinitions })
  f.seed([FIXTURE_SEED, STREAMS[kind]])
  return f
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const at = (msBeforeReference: number) => new Date(FIXTURE_REFERENCE_DATE.getTime() - msBeforeReference)
const pad = (n: number, width: number) => String(n).padStart(width, '0')
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits
/** Within ~15 km of downtown Montreal; a box, not a circle, so no trigonometry can differ between machines. */
const nearMontreal = (f: Faker) => ({
  latitude: round(MONTREAL.latitude + f.number.float({ min: -0.12, max: 0.12 }), 6),
  longitude: round(MONTREAL.longitude + f.number.float({ min: -0.18, max: 0.18 }), 6)
})
const streetAddress = (f: Faker) => {
  const street = f.helpers.arrayElement(MONTREAL_STREETS)
  const civic = f.number.int({ min: 100, max: 9999 })
  return { street, civic, address: `${civic} ${street.type} ${street.name}` }
}
const postalCode = (f: Faker) => {
  const letter = () => f.helpers.arrayElement(POSTAL_LETTERS)
  const digit = () => f.number.int(9)
  return `H${digit()}${letter()} ${digit()}${letter()}${digit()}`
}
const phone = (f: Faker) => `${f.helpers.arrayElement(['514', '438'])}-${f.string.numeric(3)}-${f.string.numeric(4)}`

/**
 * The fixture of `options.agency` (default LOADTEST) at `options.scale` (default 1): the agency row
 * and, per table, a generator of its rows in insert order. Throws RangeError on a bad code or scale.
 */
export function buildFixture (options: FixtureOptions): Fixture {
  const code = options.agency === undefined ? DEFAULT_AGENCY_CODE : parseAgencyCode(options.agency)
  const scale = parseScale(options.scale ?? 1)
  const identity = fixtureIdentity(code)
  const counts = fixtureCounts(scale)
  const agencyId = fixtureId(code, 'agency', 1)
  const id = (kind: FixtureKind, index: number) => fixtureId(code, kind, index)
  // A scaled fixture is `scale` copies of the standard one, block after block: row i of a kind
  // behaves like row ((i - 1) mod standard count) + 1 of its block, and refers to users of its
  // own block. So the standard fixture is the first block of every scale, row for row.
  const block = (i: number, per: number) => ({ block: Math.floor((i - 1) / per), position: (i - 1) % per })
  const userOfBlock = (kind: 'dispatcher' | 'alertsystem', b: number, n: number) => {
    const per = kind === 'dispatcher' ? STANDARD_COUNTS.dispatchers : STANDARD_COUNTS.alertSystems
    return id(kind, b * per + (n % per) + 1)
  }

  const agency: AgencyRow = {
    id: agencyId,
    code,
    name: identity.name,
    description: `Load-test fixture (npm run seed): scale ${scale}, fixture version ${FIXTURE_VERSION}`,
    address: '275 Rue Notre-Dame Est, Montréal, QC H2Y 1C6, Canada',
    phone: '514-555-0100',
    email: `operations@${identity.emailDomain}`,
    isActive: true,
    settings: { fixture: { scale, version: FIXTURE_VERSION } },
    createdAt: at(30 * DAY),
    updatedAt: at(30 * DAY)
  }

  function * userRows (): Iterable<UserRow> {
    for (const k of USER_KINDS) {
      const f = streamFaker(k.kind)
      for (let i = 1; i <= counts[k.count]; i++) {
        const person = k.kind !== 'alertsystem'
        yield {
          id: id(k.kind, i),
          agencyId,
          email: fixtureEmail(identity, k.kind, i),
          hashedPassword: options.passwordHash,
          fullName: person ? f.person.fullName() : `${k.label} ${i}`,
          badgeNumber: `${k.badge}${pad(i, 4)}`,
          phone: person ? phone(f) : null,
          role: k.role,
          isActive: true,
          isVerified: true,
          mfaEnabled: false,
          failedLoginAttempts: 0,
          lockedUntil: null,
          lastLoginAt: null,
          createdAt: at(30 * DAY),
          updatedAt: at(30 * DAY)
        }
      }
    }
  }

  // Buildings are kept in memory (5 % of the rows): incidents copy the address of the one they are in.
  const buildingRows: BuildingRow[] = []
  {
    const f = streamFaker('building')
    for (let i = 1; i <= counts.buildings; i++) {
      const kind = f.helpers.arrayElement(BUILDING_KINDS)
      const { street, civic } = streetAddress(f)
      const postal = postalCode(f)
      const floors = f.number.int({ min: kind.floors[0], max: kind.floors[1] })
      buildingRows.push({
        id: id('building', i),
        agencyId,
        name: `${f.company.name()} ${kind.suffix}`.slice(0, 200),
        civicNumber: String(civic),
        streetName: street.name,
        streetType: street.type,
        city: 'Montréal',
        provinceState: 'Quebec',
        postalCode: postal,
        country: 'Canada',
        fullAddress: `${civic} ${street.type} ${street.name}, Montréal, QC ${postal}, Canada`,
        ...nearMontreal(f),
        buildingType: kind.type,
        occupancyType: kind.occupancy,
        constructionType: f.helpers.arrayElement(CONSTRUCTION_KINDS),
        hazardLevel: f.helpers.arrayElement(kind.hazard),
        totalFloors: floors,
        basementLevels: f.number.int({ min: 0, max: floors > 10 ? 4 : 2 }),
        yearBuilt: f.number.int({ min: 1890, max: 2024 }),
        hasSprinklerSystem: floors > 6 || f.datatype.boolean(0.6),
        hasFireAlarm: f.datatype.boolean(0.95),
        hasStandpipe: floors > 4,
        hasElevator: floors > 3,
        hasGenerator: kind.type === 'healthcare' || f.datatype.boolean(0.3),
        createdAt: at(30 * DAY),
        updatedAt: at(30 * DAY)
      })
    }
  }

  function * resourceRows (): Iterable<ResourceRow> {
    const base = (kind: 'personnel' | 'vehicle' | 'equipment', i: number) => ({
      id: id(kind, i),
      agencyId,
      currentIncidentId: null,
      lastStatusUpdate: at(60 * MINUTE),
      createdAt: at(30 * DAY),
      updatedAt: at(60 * MINUTE)
    })
    let f = streamFaker('personnel')
    for (let i = 1; i <= counts.personnel; i++) {
      yield {
        ...base('personnel', i),
        resourceType: 'personnel',
        name: `Officer ${f.person.firstName()} ${f.person.lastName()}`,
        callSign: `P-${pad(i, 3)}`,
        status: block(i, STANDARD_COUNTS.personnel).position < STANDARD_COUNTS.availablePersonnel ? 'available' : 'off_duty',
        ...nearMontreal(f),
        capabilities: f.helpers.arrayElements(PERSONNEL_CAPABILITIES, { min: 1, max: 3 })
      }
    }
    f = streamFaker('vehicle')
    for (let i = 1; i <= counts.vehicles; i++) {
      const kind = f.helpers.arrayElement(VEHICLE_KINDS)
      yield {
        ...base('vehicle', i),
        resourceType: 'vehicle',
        name: `${kind.name} ${i}`,
        callSign: `V-${pad(i, 3)}`,
        status: block(i, STANDARD_COUNTS.vehicles).position < STANDARD_COUNTS.availableVehicles ? 'available' : 'out_of_service',
        ...nearMontreal(f),
        capabilities: [...kind.capabilities]
      }
    }
    f = streamFaker('equipment')
    for (let i = 1; i <= counts.equipment; i++) {
      const kind = f.helpers.arrayElement(EQUIPMENT_KINDS)
      yield {
        ...base('equipment', i),
        resourceType: 'equipment',
        name: `${kind.name} #${i}`,
        callSign: `E-${pad(i, 3)}`,
        status: block(i, STANDARD_COUNTS.equipment).position < STANDARD_COUNTS.availableEquipment ? 'available' : 'out_of_service',
        latitude: null,
        longitude: null,
        capabilities: [...kind.capabilities]
      }
    }
  }

  const ACTIVE = ['new', 'assigned', 'en_route', 'on_scene'] as const
  function * incidentRows (): Iterable<IncidentRow> {
    const f = streamFaker('incident')
    for (let i = 1; i <= counts.incidents; i++) {
      // Cycles of 7, 5 and 4: categories, priorities and statuses spread evenly and independently.
      const category = INCIDENT_CATEGORIES[(i - 1) % INCIDENT_CATEGORIES.length]
      const status = ACTIVE[(i - 1) % ACTIVE.length]
      const text = INCIDENT_TEXT[category]
      // Every other incident happens in one of the agency's buildings.
      const building = i % 2 === 1 ? buildingRows[(i - 1) / 2] : undefined
      const place = building
        ? { latitude: building.latitude, longitude: building.longitude, address: `${building.civicNumber} ${building.streetType} ${building.streetName}` }
        : { ...nearMontreal(f), address: streetAddress(f).address }
      const reportedAt = at(i * 4 * MINUTE + f.number.int({ min: 0, max: 3 * MINUTE }))
      const dispatched = status !== 'new'
      yield {
        id: id('incident', i),
        agencyId,
        incidentNumber: `${identity.incidentPrefix}-${pad(i, 4)}`,
        category,
        priority: ((i - 1) % 5) + 1,
        status,
        title: `${f.helpers.arrayElement(text.titles)} at ${place.address}`.slice(0, 200),
        description: `${f.helpers.arrayElement(text.details)}. Reported by ${f.person.fullName()}, callback ${phone(f)}.`,
        ...place,
        buildingInfo: building ? `${building.name}, ${building.totalFloors} floors` : null,
        buildingId: building?.id ?? null,
        assignedUnits: [],
        notes: null,
        createdBy: userOfBlock('dispatcher', block(i, STANDARD_COUNTS.incidents).block, block(i, STANDARD_COUNTS.incidents).position),
        reportedAt,
        dispatchedAt: dispatched ? new Date(reportedAt.getTime() + 2 * MINUTE) : null,
        arrivedAt: status === 'on_scene' ? new Date(reportedAt.getTime() + 9 * MINUTE) : null,
        resolvedAt: null,
        closedAt: null,
        createdAt: reportedAt,
        updatedAt: reportedAt
      }
    }
  }

  function * alertRows (): Iterable<AlertRow> {
    const f = streamFaker('alert')
    for (let i = 1; i <= counts.alerts; i++) {
      const alertType = ALERT_TYPES[(i - 1) % ALERT_TYPES.length]
      const severity = ALERT_SEVERITIES[(i - 1) % ALERT_SEVERITIES.length]
      const source = ALERT_SOURCES[(i - 1) % ALERT_SOURCES.length]
      const sourceId = `device_${1000 + i}`
      const zone = `Zone ${f.number.int({ min: 1, max: 10 })}`
      const place = { ...nearMontreal(f), address: streetAddress(f).address }
      const peak = round(f.number.float({ min: 80, max: 120 }), 2)
      const receivedAt = at(i * 90_000 + f.number.int({ min: 0, max: 60_000 }))
      const { block: b, position } = block(i, STANDARD_COUNTS.alerts)
      const pending = position < STANDARD_COUNTS.pendingAlerts
      const acknowledgedAt = pending ? null : new Date(receivedAt.getTime() + f.number.int({ min: 1, max: 15 }) * MINUTE)
      const model = f.helpers.arrayElement(SENSOR_MODELS)
      yield {
        id: id('alert', i),
        agencyId,
        source,
        sourceId,
        severity,
        status: pending ? 'pending' : 'acknowledged',
        alertType,
        title: `${ALERT_TYPE_LABELS[alertType]} detected in ${zone}`,
        description: `${model} sensor near ${place.address} recorded a ${ALERT_TYPE_LABELS[alertType].toLowerCase()} signature at ${peak} dB.`,
        ...place,
        zone,
        rawPayload: { test: true, baseline: true, device_id: sourceId, model, firmware: `${f.number.int({ min: 9, max: 11 })}.${f.number.int(9)}.${f.number.int(20)}` },
        confidence: round(f.number.float({ min: 0.7, max: 1 }), 3),
        peakLevelDb: peak,
        backgroundLevelDb: round(f.number.float({ min: 40, max: 60 }), 2),
        buildingId: null,
        linkedIncidentId: null,
        ingestedBy: userOfBlock('alertsystem', b, position),
        idempotencyKey: null,
        acknowledgedAt,
        acknowledgedBy: pending ? null : userOfBlock('dispatcher', b, position),
        acknowledgmentNotes: pending ? null : f.helpers.arrayElement(ACKNOWLEDGMENT_NOTES),
        dismissedAt: null,
        dismissedBy: null,
        dismissalReason: null,
        receivedAt,
        createdAt: receivedAt,
        updatedAt: acknowledgedAt ?? receivedAt
      }
    }
  }

  return {
    identity,
    scale,
    counts,
    agency,
    rows: { buildings: () => buildingRows, users: userRows, resources: resourceRows, incidents: incidentRows, alerts: alertRows },
    ids: (table) => fixtureIds(code, counts, table)
  }
}
