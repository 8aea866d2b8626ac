import { sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'

export interface DatabaseFigures {
  server_version: string
  database_size_bytes: number
  /** Postgres' estimate (pg_class.reltuples, kept by autovacuum): a count(*) would read the whole table. */
  readings_estimate: number
  sensors: number
  connections: number
}

export function createStatusRepository (db: Database) {
  return {
    async figures (): Promise<DatabaseFigures> {
      const { rows: [row] } = await db.execute<{ server_version: string, size: string, readings: number, sensors: number, connections: number }>(sql`
        select current_setting('server_version') as server_version,
               pg_database_size(current_database())::text as size,
               greatest((select reltuples from pg_class where oid = 'smart_maintenance.sensor_readings'::regclass), 0)::float8 as readings,
               (select count(*) from smart_maintenance.sensors)::int as sensors,
               (select count(*) from pg_stat_activity where datname = current_database())::int as connections`)
      return {
        server_version: row.server_version,
        database_size_bytes: Number(row.size),
        readings_estimate: row.readings,
        sensors: row.sensors,
        connections: row.connections
      }
    }
  }
}
