import { Type, type Static } from 'typebox'
import { DateTime, Nullable, PageFields, PagingQuery, Text } from './common.js'

export const SEVERITIES = ['CRITICAL', 'WARNING', 'INFO'] as const
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const
export type Severity = typeof SEVERITIES[number]

export const Alert = Type.Object({
  id: Type.Integer(),
  queue_id: Nullable(Type.Integer({ description: 'The latest delivery attempt; null before the first' })),
  webhook_id: Type.Integer(),
  alert_type: Type.String(),
  severity: Type.Enum(SEVERITIES),
  message: Type.String(),
  delivery_status: Type.Enum(DELIVERY_STATUSES),
  created_at: DateTime,
  acknowledged: Type.Boolean(),
  acknowledged_at: Nullable(DateTime)
})
export type Alert = Static<typeof Alert>

export const AlertList = Type.Object({ alerts: Type.Array(Alert), ...PageFields })

export const AlertListQuery = Type.Object({
  ...PagingQuery,
  status_filter: Type.Optional(Type.Enum(DELIVERY_STATUSES)),
  severity_filter: Type.Optional(Type.Enum(SEVERITIES))
})
export type AlertListQuery = Static<typeof AlertListQuery>

export const AlertStats = Type.Object({
  total_alerts: Type.Integer(),
  pending_alerts: Type.Integer(),
  acknowledged_alerts: Type.Integer(),
  failed_alerts: Type.Integer(),
  critical_count: Type.Integer(),
  warning_count: Type.Integer(),
  info_count: Type.Integer(),
  avg_pending_hours: Type.Number(),
  oldest_pending_alert: Nullable(DateTime)
}, { description: 'Alerts of the last 30 days' })
export type AlertStats = Static<typeof AlertStats>

/** The original's AcknowledgeAlertRequest; other fields (the suite's acknowledged_by) are ignored. */
export const AckBody = Type.Object({ notes: Type.Optional(Nullable(Text(500))) })
export type AckBody = Static<typeof AckBody>
