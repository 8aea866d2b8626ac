import { v7 as uuidv7 } from 'uuid'
import { toRecordJson } from '../../../core/ingest/json.js'
import type { RecordProblem } from '../../../core/ingest/target.js'
import type { AlertIngest } from '../schemas/alerts.js'

/**
 * One ingested alert exactly as the group-commit INSERT reads it: the keys are the column names
 * of `json_to_recordset(...) AS r(...)` in ./statements.ts, so a batch is one JSON array and one
 * bind parameter. Optional fields stay `undefined` (JSON.stringify drops them, Postgres reads NULL),
 * and every record has the same property order, which keeps V8 on one hidden class.
 */
export interface IngestRecord {
  id: string
  agency_id: string
  ingested_by: string
  idempotency_key: string | undefined
  received_at: string
  source: string
  source_id: string | null | undefined
  severity: string
  alert_type: string
  title: string
  description: string | null | undefined
  latitude: number | undefined
  longitude: number | undefined
  address: string | null | undefined
  zone: string | null | undefined
  raw_payload: unknown
  confidence: number | null | undefined
  peak_level_db: number | null | undefined
  background_level_db: number | null | undefined
  building_id: string | null | undefined
}

export interface IngestContext {
  agencyId: string
  userId: string
  /** ISO-8601; the moment the API accepted the request, stored as `received_at` and echoed in the reply. */
  receivedAt: string
  idempotencyKey?: string
}

/**
 * Ids are UUIDv7, made here rather than by Postgres' gen_random_uuid(): time-ordered ids keep the
 * primary-key b-tree append-mostly at tens of millions of rows, and knowing the id before the
 * INSERT lets a batch be retried after a lost connection without creating duplicates.
 */
export function toIngestRecord (body: AlertIngest, ctx: IngestContext): IngestRecord {
  const location = body.location
  return {
    id: uuidv7(),
    agency_id: ctx.agencyId,
    ingested_by: ctx.userId,
    idempotency_key: ctx.idempotencyKey,
    received_at: ctx.receivedAt,
    source: body.source,
    source_id: body.source_id,
    severity: body.severity ?? 'medium',
    alert_type: body.alert_type,
    title: body.title,
    description: body.description,
    latitude: location?.latitude,
    longitude: location?.longitude,
    address: location?.address,
    zone: location?.zone,
    raw_payload: body.raw_payload,
    confidence: body.confidence,
    peak_level_db: body.peak_level_db,
    background_level_db: body.background_level_db,
    building_id: body.building_id
  }
}

/**
 * Serializes a record for the batch, or says why Postgres would refuse it (only raw_payload is
 * free-form, so only it can be nested too deeply).
 */
export function serializeRecord (record: IngestRecord): string | RecordProblem {
  return toRecordJson(record, '/raw_payload')
}

export const BUILDING_NOT_FOUND: RecordProblem = { path: '/building_id', message: 'Building not found', type: 'not_found' }

/**
 * The public shape of a just-ingested alert (GET /alerts/{id} minus the triage fields, which are
 * all empty at this point), as the live stream sends it. The ingest metadata stays inside.
 */
export function toCreatedAlert (record: IngestRecord) {
  const located = record.latitude !== undefined && record.longitude !== undefined
  return {
    id: record.id,
    source: record.source,
    source_id: record.source_id ?? null,
    severity: record.severity,
    status: 'pending' as const,
    alert_type: record.alert_type,
    title: record.title,
    description: record.description ?? null,
    location: located ? { latitude: record.latitude!, longitude: record.longitude!, address: record.address ?? null, zone: record.zone ?? null } : null,
    raw_payload: record.raw_payload ?? null,
    confidence: record.confidence ?? null,
    peak_level_db: record.peak_level_db ?? null,
    background_level_db: record.background_level_db ?? null,
    building_id: record.building_id ?? null,
    received_at: record.received_at
  }
}
