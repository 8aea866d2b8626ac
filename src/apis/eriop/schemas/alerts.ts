import { Type, type Static } from 'typebox'
import { DateTime, Latitude, Longitude, Nullable, PageQuery, Text, Uuid } from '../../../core/schemas/common.js'
import { ALERT_SEVERITIES, ALERT_SOURCES, ALERT_STATUSES } from './values.js'

export const AlertSource = Type.Enum(ALERT_SOURCES)
export const AlertSeverity = Type.Enum(ALERT_SEVERITIES)
export const AlertStatus = Type.Enum(ALERT_STATUSES)
const Decibels = Type.Number({ minimum: -100, maximum: 300 })

export const AlertLocation = Type.Object({
  latitude: Latitude,
  longitude: Longitude,
  address: Type.Optional(Nullable(Text(500))),
  zone: Type.Optional(Nullable(Text(100)))
})

/** What the seed client sends to POST /alerts/ingest. Unknown extra fields are ignored. */
export const AlertIngest = Type.Object({
  source: AlertSource,
  source_id: Type.Optional(Nullable(Text(255))),
  severity: Type.Optional(AlertSeverity),
  alert_type: Text(100, { minLength: 1 }),
  title: Text(200, { minLength: 1 }),
  description: Type.Optional(Nullable(Text(10_000))),
  location: Type.Optional(Nullable(AlertLocation)),
  raw_payload: Type.Optional(Nullable(Type.Object({}, { additionalProperties: true, maxProperties: 200 }))),
  confidence: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 1 }))),
  peak_level_db: Type.Optional(Nullable(Decibels)),
  background_level_db: Type.Optional(Nullable(Decibels)),
  building_id: Type.Optional(Nullable(Uuid))
})
export type AlertIngest = Static<typeof AlertIngest>

export const AlertIngestBatch = Type.Array(AlertIngest, { minItems: 1, maxItems: 500 })

export const IngestAccepted = Type.Object({
  id: Uuid,
  status: Type.Literal('pending'),
  received_at: DateTime
})

export const IngestBatchAccepted = Type.Object({
  ids: Type.Array(Uuid),
  count: Type.Integer(),
  received_at: DateTime
})

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 }))
})

export const Alert = Type.Object({
  id: Uuid,
  source: AlertSource,
  source_id: Nullable(Type.String()),
  severity: AlertSeverity,
  status: AlertStatus,
  alert_type: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  location: Nullable(Type.Object({
    latitude: Type.Number(),
    longitude: Type.Number(),
    address: Nullable(Type.String()),
    zone: Nullable(Type.String())
  })),
  raw_payload: Nullable(Type.Object({}, { additionalProperties: true })),
  confidence: Nullable(Type.Number()),
  peak_level_db: Nullable(Type.Number()),
  background_level_db: Nullable(Type.Number()),
  building_id: Nullable(Uuid),
  linked_incident_id: Nullable(Uuid),
  acknowledged_at: Nullable(DateTime),
  acknowledged_by: Nullable(Uuid),
  acknowledgment_notes: Nullable(Type.String()),
  dismissed_at: Nullable(DateTime),
  dismissal_reason: Nullable(Type.String()),
  received_at: DateTime,
  created_at: DateTime
})

export const AlertListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(AlertStatus),
  severity: Type.Optional(AlertSeverity),
  alert_type: Type.Optional(Text(100))
})
export type AlertListQuery = Static<typeof AlertListQuery>

export const AcknowledgeBody = Type.Object({ notes: Type.Optional(Nullable(Text(2000))) })
export type AcknowledgeBody = Static<typeof AcknowledgeBody>
export const DismissBody = Type.Object({ reason: Type.Optional(Nullable(Text(2000))) })
export type DismissBody = Static<typeof DismissBody>
