import { sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'

export type ReadingRow = {
  event_id: string
  sensor_id: string
  sensor_type: string
  value: number | null
  unit: string | null
  quality: number
  timestamp: Date
  temperature: number | null
  pressure: number | null
  vibration: number | null
  humidity: number | null
  correlation_id: string
  metadata: Record<string, unknown> | null
}

export function createReadingsRepository (db: Database) {
  return {
    /** A sensor's newest readings, newest first: one backward range scan of (sensor_id, timestamp). */
    async recent (sensorId: string, limit: number): Promise<ReadingRow[]> {
      const { rows } = await db.execute<ReadingRow>(sql`
        select id as event_id, sensor_id, sensor_type, value, unit, quality, timestamp,
               temperature, pressure, vibration, humidity, correlation_id, metadata
        from smart_maintenance.sensor_readings
        where sensor_id = ${sensorId}
        order by timestamp desc nulls last
        limit ${limit}`)
      return rows
    },

    async isRegistered (sensorId: string): Promise<boolean> {
      const { rows } = await db.execute<{ found: boolean }>(sql`
        select exists (select 1 from smart_maintenance.sensors where sensor_id = ${sensorId}) as found`)
      return rows[0].found
    }
  }
}
