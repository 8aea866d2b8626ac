import { eq, sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { sensorReadings as r, sensors } from '../../db/schema/index.js'

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
      const rows = await db.select({
        event_id: r.id,
        sensor_id: r.sensorId,
        sensor_type: r.sensorType,
        value: r.value,
        unit: r.unit,
        quality: r.quality,
        timestamp: r.timestamp,
        temperature: r.temperature,
        pressure: r.pressure,
        vibration: r.vibration,
        humidity: r.humidity,
        correlation_id: r.correlationId,
        metadata: r.metadata
      }).from(r).where(eq(r.sensorId, sensorId)).orderBy(sql`${r.timestamp} desc nulls last`).limit(limit)
      return rows as ReadingRow[]
    },

    async isRegistered (sensorId: string): Promise<boolean> {
      const rows = await db.select({ id: sensors.sensorId }).from(sensors).where(eq(sensors.sensorId, sensorId))
      return rows.length > 0
    }
  }
}
