import { Type } from 'typebox'
import { DateTime, Nullable } from './common.js'
import { HealthStatus } from './webhooks.js'

export const Overview = Type.Object({
  total_deliveries: Type.Integer(),
  pending_deliveries: Type.Integer(),
  failed_deliveries: Type.Integer(),
  success_rate_percent: Type.Number(),
  active_webhooks: Type.Integer(),
  degraded_webhooks: Type.Integer(),
  updated_at: DateTime
}, { description: 'Alerts queued in the last 24 h and their delivery' })

export const Performance = Type.Object({
  p50_latency_ms: Type.Number(),
  p95_latency_ms: Type.Number(),
  p99_latency_ms: Type.Number(),
  error_rate_percent: Type.Number(),
  cache_hit_rate_percent: Type.Number(),
  average_response_time_ms: Type.Number()
}, { description: "This process's /api/v1 requests of the last minute (its request histogram); the cache's shared hit rate" })

export const WebhookSummary = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  health_status: HealthStatus,
  total_deliveries: Type.Integer(),
  successful_deliveries: Type.Integer(),
  failed_deliveries: Type.Integer(),
  success_rate_percent: Type.Number(),
  last_delivery_at: Nullable(DateTime)
})

export const Anomalies = Type.Object({
  total_anomalies: Type.Integer(),
  critical_anomalies: Type.Integer(),
  warning_anomalies: Type.Integer(),
  affected_operations: Type.Array(Type.String()),
  recent_anomalies_count: Type.Integer()
}, { description: 'Deliveries whose response time is ≥ 3 standard deviations above their webhook\'s mean over the window (≥ 5: critical)' })

export const Dashboard = Type.Object({
  overview: Overview,
  performance: Performance,
  webhooks: Type.Array(WebhookSummary),
  anomalies: Anomalies,
  generated_at: DateTime,
  cache_hit: Type.Boolean()
})

export const WebhookSummaryQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) })
export const AnomalyQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, default: 7 })) })
