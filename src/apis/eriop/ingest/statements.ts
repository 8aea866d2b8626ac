import { isDeepStrictEqual } from 'node:util'
import type pg from 'pg'
import { unprocessable } from '../../../core/ingest/errors.js'
import { jsonBatchStatements, type IngestTarget } from '../../../core/ingest/target.js'
import { BUILDING_NOT_FOUND, serializeRecord, type IngestRecord } from './records.js'

/**
 * The SQL of the ingest path (its repository). It talks to node-postgres directly, not through
 * drizzle: a batch is ONE bind parameter (a JSON array) sent to a named prepared statement, so
 * Postgres plans it once per connection whatever the batch size, and Node serializes a batch with
 * one native JSON.stringify per row instead of building 20 typed arrays. drizzle cannot express
 * INSERT … SELECT FROM json_to_recordset (drizzle-orm#5401).
 */

const COLUMNS = [
  'id', 'agency_id', 'ingested_by', 'idempotency_key', 'received_at', 'source', 'source_id', 'severity',
  'alert_type', 'title', 'description', 'latitude', 'longitude', 'address', 'zone', 'raw_payload',
  'confidence', 'peak_level_db', 'background_level_db', 'building_id'
].join(', ')

// Column types as in the table, so the record parser enforces the same limits the table does.
const RECORD = `r(id uuid, agency_id uuid, ingested_by uuid, idempotency_key varchar(255), received_at timestamptz,
  source alert_source, source_id varchar(255), severity alert_severity, alert_type varchar(100), title varchar(200),
  description text, latitude float8, longitude float8, address varchar(500), zone varchar(100), raw_payload jsonb,
  confidence float8, peak_level_db float8, background_level_db float8, building_id uuid)`

/**
 * Inserts a batch; its row count tells whether every row went in (the common case: nothing more to
 * do, and no row is sent back). Rows it skips, and why:
 * - ON CONFLICT on alerts_idempotency_key_idx: the Idempotency-Key was used before (a replay);
 * - ON CONFLICT on the primary key: this very row was committed by an earlier attempt whose
 *   answer was lost with its connection (ids are made by the app, so a retry is harmless);
 * - the building filter: building_id names no building of the caller's agency. A filter and
 *   not only the foreign key, because the key alone would accept another agency's building.
 * No conflict target: DO NOTHING then covers both unique indexes.
 */
const INSERT_BATCH: pg.QueryConfig = {
  name: 'eriop_ingest_alerts_v1',
  text: `INSERT INTO alerts (${COLUMNS})
SELECT ${COLUMNS} FROM json_to_recordset($1::json) AS ${RECORD}
WHERE r.building_id IS NULL OR EXISTS (SELECT 1 FROM buildings b WHERE b.id = r.building_id AND b.agency_id = r.agency_id)
ON CONFLICT DO NOTHING`
}

// What a request's body decides (not the attempt's id, time or caller): two requests with one
// Idempotency-Key must agree on these. Row comparison with IS NOT DISTINCT FROM, jsonb by value.
const PAYLOAD = ['source', 'source_id', 'severity', 'alert_type', 'title', 'description', 'latitude', 'longitude',
  'address', 'zone', 'raw_payload', 'confidence', 'peak_level_db', 'background_level_db', 'building_id']
const samePayload = `(${PAYLOAD.map((c) => `a.${c}`).join(', ')}) IS NOT DISTINCT FROM (${PAYLOAD.map((c) => `r.${c}`).join(', ')})`

/**
 * After an INSERT that skipped rows, for each row (the batch's records, with their index `i`): the
 * alert holding its id (this INSERT or an earlier attempt wrote it), else the alert holding its
 * Idempotency-Key (a replay), and whether that alert was made from the same payload. No match: the
 * building filter dropped it.
 */
const RESOLVE_SKIPPED: pg.QueryConfig = {
  name: 'eriop_ingest_resolve_v2',
  text: `SELECT r.i, a.id, a.received_at, a.same_payload
FROM json_to_recordset($1::json) AS ${RECORD.replace('r(', 'r(i int, ')}
LEFT JOIN LATERAL (
  SELECT a.id, a.received_at, true AS same_payload FROM alerts a WHERE a.id = r.id
  UNION ALL
  SELECT a.id, a.received_at, ${samePayload} FROM alerts a
  WHERE r.idempotency_key IS NOT NULL AND a.agency_id = r.agency_id AND a.idempotency_key = r.idempotency_key
  LIMIT 1
) a ON true`
}

/** Whether two records with one Idempotency-Key come from the same payload (as RESOLVE_SKIPPED decides it). */
function sameAlertPayload (a: IngestRecord, b: IngestRecord): boolean {
  return PAYLOAD.every((c) => isDeepStrictEqual(a[c as keyof IngestRecord] ?? null, b[c as keyof IngestRecord] ?? null))
}

/** Alerts as the group-commit writer (src/core/ingest/writer.ts) writes them. */
export const alertTarget: IngestTarget<IngestRecord> = {
  serialize: serializeRecord,

  ...jsonBatchStatements<IngestRecord>(INSERT_BATCH, RESOLVE_SKIPPED),

  samePayload: sameAlertPayload,
  // Keys are unique per agency.
  key: (record) => record.idempotency_key === undefined ? undefined : `${record.agency_id}\n${record.idempotency_key}`,
  id: (record) => record.id,
  receivedAt: (record) => record.received_at,
  // Skipped with no holder: the building filter dropped it.
  missing: (record) => record.building_id != null ? BUILDING_NOT_FOUND : undefined,
  dataError: (err) => err.code === '23503' && err.constraint?.includes('building') ? unprocessable([BUILDING_NOT_FOUND]) : undefined
}
