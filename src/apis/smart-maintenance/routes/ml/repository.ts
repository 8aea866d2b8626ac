import { sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { BASELINE_READINGS, FEATURES, type Baseline, type FeatureStats } from './scoring.js'

type StatsRow = Record<string, number | null>

const columns = sql.raw(FEATURES.map((f) => `count(${f})::int as ${f}_n, avg(${f}) as ${f}_mean, stddev_samp(${f}) as ${f}_sd,
  regr_slope(${f}, extract(epoch from timestamp)::float8 / 3600) as ${f}_slope`).join(',\n  '))

export function createBaselineRepository (db: Database) {
  return {
    /** Statistics of a sensor's newest readings (one index range scan); undefined when it has none. */
    async baseline (sensorId: string): Promise<Baseline | undefined> {
      const { rows: [row] } = await db.execute<StatsRow>(sql`
        with recent as (
          select timestamp, ${sql.raw(FEATURES.join(', '))}
          from smart_maintenance.sensor_readings
          where sensor_id = ${sensorId}
          order by timestamp desc nulls last
          limit ${BASELINE_READINGS}
        )
        select count(*)::int as readings,
          ${columns}
        from recent`)
      if (!row || row.readings === 0) return undefined
      const stats = (f: string): FeatureStats => ({ n: row[`${f}_n`] ?? 0, mean: row[`${f}_mean`], sd: row[`${f}_sd`], slopePerHour: row[`${f}_slope`] })
      return {
        readings: row.readings!,
        temperature: stats('temperature'),
        pressure: stats('pressure'),
        vibration: stats('vibration'),
        humidity: stats('humidity'),
        value: stats('value')
      }
    }
  }
}
