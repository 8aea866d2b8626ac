// What bench:ingest-ratio needs to know about each API's ingest route: how to get a caller,
// what one request sends, where its rows land. The measuring and reconciling stay in ingest-ratio.ts.
import pg from 'pg'
import type { ApiMigrations } from '../src/core/api.js'
import { hashPassword } from '../src/core/auth/password.js'
import { FIXTURE_PASSWORD } from '../src/apis/eriop/fixture/fixture.js'
import { ERIOP_MIGRATIONS } from '../src/apis/eriop/migrations.js'
import { SMART_MAINTENANCE_MIGRATIONS } from '../src/apis/smart-maintenance/migrations.js'

export interface IngestBenchTarget {
  migrations: ApiMigrations
  /** The ingest route and its no-op twin (BENCH_NOOP_ROUTE). */
  path: string
  noopPath: string
  /** Its status for a newly written record, and the writer's committed counter. */
  createdStatus: string
  committedMetric: string
  /** Creates what a caller needs in the fresh database; returns the request headers once the server runs. */
  prepare (databaseUrl: string): Promise<(base: string) => Promise<Record<string, string>>>
  /** One request's body; `[<id>]` is autocannon's per-request id, so every request writes a row of its own. */
  body (tag: string): string
  /** Rows a phase (its tag) wrote, and how many distinct per-request ids they hold. */
  countRows (pool: pg.Pool, tag: string): Promise<{ rows: number, distinct: number }>
}

async function count (pool: pg.Pool, sql: string, tag: string) {
  const { rows: [r] } = await pool.query<{ rows: string, distinct: string }>(sql, [`${tag}%`])
  return { rows: Number(r.rows), distinct: Number(r.distinct) }
}

const EMAIL = 'alertsystem@bench.eriop.local'

const eriop: IngestBenchTarget = {
  migrations: ERIOP_MIGRATIONS,
  path: '/api/v1/alerts/ingest',
  noopPath: '/api/v1/alerts/ingest/noop',
  createdStatus: '201',
  committedMetric: 'ingest_alerts_committed_total',
  async prepare (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      const { rows: [agency] } = await client.query<{ id: string }>(
        "insert into agencies (code, name) values ('BENCHINGEST', 'Ingest Benchmark Agency') returning id")
      await client.query(
        `insert into users (agency_id, email, hashed_password, full_name, role, is_active, is_verified)
         values ($1, $2, $3, 'Bench alert system', 'alert_system', true, true)`,
        [agency.id, EMAIL, await hashPassword(FIXTURE_PASSWORD, 'fixture')])
    } finally {
      await client.end()
    }
    return async (base) => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: EMAIL, password: FIXTURE_PASSWORD })
      })
      if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`)
      return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}` }
    }
  },
  /** The seed client's alert (loadtest/eriop/locustfile.py); source_id carries the tag. */
  body (tag) {
    const now = new Date().toISOString()
    return JSON.stringify({
      source: 'axis_microphone',
      source_id: `${tag}[<id>]`,
      severity: 'high',
      alert_type: 'gunshot',
      title: `Alert ${now}`,
      description: 'Load test alert',
      location: { latitude: 45.5017, longitude: -73.5673, address: '4321 Alert Street', zone: 'Zone 7' },
      raw_payload: { test: true, timestamp: now },
      confidence: 0.87,
      peak_level_db: 104.2,
      background_level_db: 48.6
    })
  },
  countRows: (pool, tag) => count(pool, 'select count(*) as rows, count(distinct source_id) as distinct from alerts where source_id like $1', tag)
}

const smartMaintenance: IngestBenchTarget = {
  migrations: SMART_MAINTENANCE_MIGRATIONS,
  path: '/api/v1/data/ingest',
  noopPath: '/api/v1/data/ingest/noop',
  createdStatus: '200',
  committedMetric: 'ingest_readings_committed_total',
  // No auth by default: nothing to create, no header.
  prepare: async () => async () => ({}),
  /** The public suite's data_ingest reading; sensor_id carries the tag. */
  body: (tag) => JSON.stringify({
    sensor_id: `${tag}[<id>]`,
    timestamp: Date.now() / 1000,
    temperature: 55.12,
    pressure: 2.5,
    vibration: 0.91,
    humidity: 61.3,
    load_test: true
  }),
  countRows: (pool, tag) => count(pool,
    'select count(*) as rows, count(distinct sensor_id) as distinct from smart_maintenance.sensor_readings where sensor_id like $1', tag)
}

export const INGEST_BENCH_TARGETS: Record<string, IngestBenchTarget> = { eriop, 'smart-maintenance': smartMaintenance }
