import { v5 as uuidv5, v7 as uuidv7 } from 'uuid'
import { toRecordJson } from '../../../core/ingest/json.js'
import type { RecordProblem } from '../../../core/ingest/target.js'
import type { ReadingCreate } from '../schemas/readings.js'

/**
 * One ingested reading exactly as the group-commit INSERT reads it (the keys are the columns of
 * `json_to_recordset` in ./statements.ts). Optional fields stay `undefined` (JSON drops them,
 * Postgres reads NULL), and every record has the same property order (one V8 hidden class).
 */
export interface ReadingRecord {
  id: string
  sensor_id: string
  sensor_type: string
  value: number | undefined
  unit: string | undefined
  quality: number
  timestamp: string
  /** The body had no timestamp: it is the attempt's time, which a retry under the same key does not repeat. */
  timestamp_default: boolean
  temperature: number | undefined
  pressure: number | undefined
  vibration: number | undefined
  humidity: number | undefined
  correlation_id: string
  metadata: Record<string, unknown> | undefined
  idempotency_key: string | undefined
  received_at: string
}

// Namespace of correlation ids derived from an Idempotency-Key (see toReadingRecord).
const KEYED_CORRELATION = '5c4b3c0e-6f0a-4a43-9b5e-0d6f3c1a7e21'

/**
 * A request body as a record. Ids are UUIDv7 (time-ordered: the primary key's b-tree stays
 * append-mostly). A reading without a correlation_id gets a fresh one, except under an
 * Idempotency-Key, where it is derived from the key so that a retry of the same request carries
 * the same payload and is answered with the first event.
 */
export function toReadingRecord (body: ReadingCreate, receivedAt: string, idempotencyKey: string | undefined): ReadingRecord {
  let metadata = body.metadata
  if (body.load_test !== undefined || body.stress_test !== undefined) {
    metadata = { ...metadata }
    if (body.load_test !== undefined) metadata.load_test = body.load_test
    if (body.stress_test !== undefined) metadata.stress_test = body.stress_test
  }
  return {
    id: uuidv7(),
    sensor_id: body.sensor_id,
    sensor_type: body.sensor_type ?? 'general',
    value: body.value,
    unit: body.unit,
    quality: body.quality ?? 1,
    timestamp: body.timestamp === undefined ? receivedAt : toIsoTimestamp(body.timestamp),
    timestamp_default: body.timestamp === undefined,
    temperature: body.temperature,
    pressure: body.pressure,
    vibration: body.vibration,
    humidity: body.humidity,
    correlation_id: body.correlation_id ?? (idempotencyKey === undefined ? uuidv7() : uuidv5(idempotencyKey, KEYED_CORRELATION)),
    metadata,
    idempotency_key: idempotencyKey,
    received_at: receivedAt
  }
}

const HAS_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i

/** Epoch seconds or an ISO-8601 text (UTC when it has no offset), as ISO-8601 UTC with milliseconds. */
export function toIsoTimestamp (value: number | string): string {
  if (typeof value === 'number') return new Date(Math.round(value * 1000)).toISOString()
  const date = new Date(HAS_OFFSET.test(value) ? value : `${value}Z`)
  return Number.isNaN(date.getTime()) ? value : date.toISOString()
}

/** What a reading must hold beyond the schema, or undefined when it is fine. */
export function readingProblem (body: ReadingCreate): RecordProblem | undefined {
  if (body.value === undefined && body.temperature === undefined && body.pressure === undefined &&
    body.vibration === undefined && body.humidity === undefined) {
    return { path: '/value', message: 'A reading needs a value or at least one of temperature, pressure, vibration, humidity', type: 'missing' }
  }
  if (typeof body.timestamp === 'string') {
    const ms = new Date(HAS_OFFSET.test(body.timestamp) ? body.timestamp : `${body.timestamp}Z`).getTime()
    if (Number.isNaN(ms) || ms < 0 || ms > 4102444800000) {
      return { path: '/timestamp', message: 'Timestamp must be a date between 1970 and 2100', type: 'datetime_parsing' }
    }
  }
  return undefined
}

/** Only metadata is free-form, so only it can be nested too deeply. */
export function serializeReading (record: ReadingRecord): string | RecordProblem {
  return toRecordJson(record, '/metadata')
}
