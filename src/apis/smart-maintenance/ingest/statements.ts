import { isDeepStrictEqual } from 'node:util'
import type pg from 'pg'
import { jsonBatchStatements, type IngestTarget } from '../../../core/ingest/target.js'
import { serializeReading, type ReadingRecord } from './records.js'

/**
 * The SQL of reading ingest, through the same group-commit writer as ERIOP's alerts: a batch is
 * ONE bind parameter (a JSON array) sent to a named prepared statement (planned once per
 * connection whatever the batch size). drizzle cannot express INSERT … SELECT FROM
 * json_to_recordset, hence node-postgres directly.
 */

const COLUMNS = [
  'id', 'sensor_id', 'sensor_type', 'value', 'unit', 'quality', 'timestamp', 'temperature', 'pressure',
  'vibration', 'humidity', 'correlation_id', 'metadata', 'idempotency_key', 'received_at'
].join(', ')

// Column types as in the table, so the record parser enforces the table's limits.
const RECORD = `r(id uuid, sensor_id varchar(100), sensor_type varchar(50), value float8, unit varchar(20), quality float8,
  timestamp timestamptz, temperature float8, pressure float8, vibration float8, humidity float8, correlation_id uuid,
  metadata jsonb, idempotency_key varchar(255), received_at timestamptz)`

/**
 * Skips (ON CONFLICT DO NOTHING, both unique indexes) a reading whose Idempotency-Key was used
 * before, or whose id an earlier attempt committed before its answer was lost with its connection.
 */
const INSERT_BATCH: pg.QueryConfig = {
  name: 'smart_maintenance_ingest_readings_v1',
  text: `INSERT INTO smart_maintenance.sensor_readings (${COLUMNS})
SELECT ${COLUMNS} FROM json_to_recordset($1::json) AS ${RECORD}
ON CONFLICT DO NOTHING`
}

// What a request's body decides (not the attempt's id or time): two requests under one key must
// agree. The timestamp too, unless the retry left it out (then it is the attempt's time).
const PAYLOAD = ['sensor_id', 'sensor_type', 'value', 'unit', 'quality', 'temperature', 'pressure',
  'vibration', 'humidity', 'correlation_id', 'metadata'] as const
const samePayloadSql = `(${PAYLOAD.map((c) => `a.${c}`).join(', ')}) IS NOT DISTINCT FROM (${PAYLOAD.map((c) => `r.${c}`).join(', ')})
    AND (r.timestamp_default OR a.timestamp = r.timestamp)`

/** For each skipped row: the reading holding its id, else the one holding its Idempotency-Key. */
const RESOLVE_SKIPPED: pg.QueryConfig = {
  name: 'smart_maintenance_ingest_resolve_v1',
  text: `SELECT r.i, a.id, a.received_at, a.same_payload
FROM json_to_recordset($1::json) AS ${RECORD.replace('r(', 'r(i int, timestamp_default boolean, ')}
LEFT JOIN LATERAL (
  SELECT a.id, a.received_at, true AS same_payload FROM smart_maintenance.sensor_readings a WHERE a.id = r.id
  UNION ALL
  SELECT a.id, a.received_at, ${samePayloadSql} FROM smart_maintenance.sensor_readings a
  WHERE r.idempotency_key IS NOT NULL AND a.idempotency_key = r.idempotency_key
  LIMIT 1
) a ON true`
}

function sameReadingPayload (a: ReadingRecord, b: ReadingRecord): boolean {
  return PAYLOAD.every((c) => isDeepStrictEqual(a[c] ?? null, b[c] ?? null)) &&
    (a.timestamp_default || b.timestamp_default || a.timestamp === b.timestamp)
}

/** Readings as the group-commit writer (src/core/ingest/writer.ts) writes them. */
export const readingTarget: IngestTarget<ReadingRecord> = {
  serialize: serializeReading,

  ...jsonBatchStatements<ReadingRecord>(INSERT_BATCH, RESOLVE_SKIPPED),

  samePayload: sameReadingPayload,
  // One key space for the whole API: there are no tenants.
  key: (record) => record.idempotency_key,
  id: (record) => record.id,
  receivedAt: (record) => record.received_at,
  // Nothing filters a reading out: a skipped one whose holder is gone is simply retried.
  missing: () => undefined
}
