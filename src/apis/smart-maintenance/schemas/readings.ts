import { Type, type Static } from 'typebox'
import { DateTime, NO_NUL, Text, Uuid } from '../../../core/schemas/common.js'

/** Readings of sensors are plausible physical values; the bound keeps every figure finite and sums exact. */
const Measure = (description: string) => Type.Number({ minimum: -1e9, maximum: 1e9, description })

export const SensorId = Type.String({ minLength: 1, maxLength: 100, pattern: NO_NUL, description: 'Sensor id, e.g. sensor_001' })

/** 1970-01-01 to 2100-01-01: what Postgres, JavaScript and the epoch form all hold exactly. */
export const EPOCH_MAX_S = 4102444800
const Timestamp = Type.Union([
  Type.Number({ minimum: 0, maximum: EPOCH_MAX_S, description: 'Seconds since the Unix epoch (the suite sends time.time())' }),
  Type.String({ format: 'iso-date-time', maxLength: 40, description: 'ISO-8601; without an offset it is UTC' })
])

/**
 * Both payloads the API has met: the original's `SensorReadingCreate` (`value`, `sensor_type`,
 * `unit`, `quality`, `correlation_id`, `metadata`) and the public suite's (`temperature`,
 * `pressure`, `vibration`, `humidity` and a `load_test`/`stress_test` flag). Other fields are
 * ignored, as pydantic ignores them by default.
 */
export const ReadingCreate = Type.Object({
  sensor_id: SensorId,
  value: Type.Optional(Measure('The reading of a single-value sensor')),
  timestamp: Type.Optional(Timestamp),
  sensor_type: Type.Optional(Type.String({ minLength: 1, maxLength: 50, pattern: NO_NUL, default: 'general', description: 'temperature, vibration, pressure, humidity, … (default general)' })),
  unit: Type.Optional(Text(20)),
  quality: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'Confidence in the reading, 0–1' })),
  correlation_id: Type.Optional(Uuid),
  metadata: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, maxProperties: 50, description: 'Free-form, stored as given' })),
  temperature: Type.Optional(Measure('°C')),
  pressure: Type.Optional(Measure('bar')),
  vibration: Type.Optional(Measure('mm/s')),
  humidity: Type.Optional(Measure('%')),
  load_test: Type.Optional(Type.Boolean({ description: 'Kept in the stored metadata' })),
  stress_test: Type.Optional(Type.Boolean({ description: 'Kept in the stored metadata' }))
}, { additionalProperties: true, maxProperties: 100 })
export type ReadingCreate = Static<typeof ReadingCreate>

export const IngestHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: NO_NUL, description: 'A retry with the same key and payload is answered with the first event, nothing written' })),
  'x-api-key': Type.Optional(Type.String({ maxLength: 200 }))
})

export const IngestAccepted = Type.Object({
  status: Type.Enum(['event_published', 'duplicate_ignored']),
  event_id: Uuid,
  correlation_id: Uuid,
  sensor_id: Type.String()
})

export const Reading = Type.Object({
  event_id: Uuid,
  sensor_id: Type.String(),
  sensor_type: Type.String(),
  value: Type.Union([Type.Number(), Type.Null()]),
  unit: Type.Union([Type.String(), Type.Null()]),
  quality: Type.Number(),
  timestamp: DateTime,
  temperature: Type.Union([Type.Number(), Type.Null()]),
  pressure: Type.Union([Type.Number(), Type.Null()]),
  vibration: Type.Union([Type.Number(), Type.Null()]),
  humidity: Type.Union([Type.Number(), Type.Null()]),
  correlation_id: Uuid,
  metadata: Type.Unsafe<Record<string, unknown> | null>({ type: ['object', 'null'], additionalProperties: true })
})

export const RecentParams = Type.Object({ sensor_id: SensorId })
export const RecentQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Newest readings to return' })
})
export type RecentQuery = Static<typeof RecentQuery>

export const RecentReadings = Type.Object({
  sensor_id: Type.String(),
  count: Type.Integer(),
  readings: Type.Array(Reading, { description: 'Newest first' })
})
