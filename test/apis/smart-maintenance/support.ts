import pg from 'pg'
import { SMART_MAINTENANCE_MIGRATIONS } from '../../../src/apis/smart-maintenance/migrations.js'
import { build, useTestDatabase } from '../../helper.js'
import type { Config } from '../../../src/config.js'
import type { TestContext } from 'node:test'

export const API = { API: 'smart-maintenance' } as const

/** A database of the test file's own with smart-maintenance's migrations. */
export function useSmartMaintenanceDatabase (label: string) {
  return useTestDatabase(`sm_${label}`, SMART_MAINTENANCE_MIGRATIONS)
}

export function buildSm (t: TestContext | null, url: string, overrides: Partial<Record<keyof Config, unknown>> = {}) {
  return build(t, url, { ...API, ...overrides })
}

/** The public suite's data_ingest body. */
export function suiteReading (sensorId = 'sensor_001', extra: Record<string, unknown> = {}) {
  return {
    sensor_id: sensorId,
    timestamp: Date.now() / 1000,
    temperature: 55.12,
    pressure: 2.5,
    vibration: 0.91,
    humidity: 61.3,
    load_test: true,
    ...extra
  }
}

/** The original's SensorReadingCreate. */
export function originalReading (extra: Record<string, unknown> = {}) {
  return {
    sensor_id: 'sensor_002',
    value: 0.87,
    timestamp: '2026-03-01T12:00:00.250Z',
    sensor_type: 'vibration',
    unit: 'mm/s',
    quality: 0.95,
    correlation_id: '0b8a0c64-8b7f-4b8e-9a53-0d2f6a0e8a11',
    metadata: { line: 1, source: 'plc' },
    ...extra
  }
}

export async function countReadings (pool: pg.Pool, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows: [row] } = await pool.query<{ n: number }>(`select count(*)::int as n from smart_maintenance.sensor_readings where ${where}`, params)
  return row.n
}
