import { Type, type Static } from 'typebox'
import { DateTime, Nullable, PageFields, PagingQuery, Text } from './common.js'

export const RetryPolicy = Type.Object({
  max_retries: Type.Integer({ minimum: 0, maximum: 10, default: 3 }),
  backoff_base: Type.Number({ minimum: 1, maximum: 10, default: 2 }),
  max_backoff: Type.Integer({ minimum: 1, maximum: 86400, default: 3600 })
})

const Events = Type.Array(Text(100, { minLength: 1 }), { maxItems: 50, description: 'Event types to deliver; "*" for all' })

/** The original's WebhookCreate plus what the suite sends (is_active, retry_policy, timeout_seconds, ssl_verify). Unknown fields are ignored, as pydantic does. */
export const WebhookCreate = Type.Object({
  name: Text(255, { minLength: 1 }),
  url: Text(2048, { minLength: 10 }),
  events: Type.Optional(Events),
  active: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean({ description: 'Same as active (what the published suite sends)' })),
  description: Type.Optional(Nullable(Text(1000))),
  retry_policy: Type.Optional(RetryPolicy),
  timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
  ssl_verify: Type.Optional(Type.Boolean())
})
export type WebhookCreate = Static<typeof WebhookCreate>

/** Every field optional; only those present change. */
export const WebhookUpdate = Type.Object({
  name: Type.Optional(Text(255, { minLength: 1 })),
  url: Type.Optional(Text(2048, { minLength: 10 })),
  events: Type.Optional(Events),
  active: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  description: Type.Optional(Nullable(Text(1000))),
  retry_policy: Type.Optional(RetryPolicy),
  timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
  ssl_verify: Type.Optional(Type.Boolean())
})
export type WebhookUpdate = Static<typeof WebhookUpdate>

export const HealthStatus = Type.String({ description: 'From the last 24 h of deliveries: HEALTHY (≥ 95 % delivered), DEGRADED (≥ 80 %), UNHEALTHY, or UNKNOWN (no delivery)' })

export const Webhook = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  description: Nullable(Type.String()),
  retry_policy: RetryPolicy,
  timeout_seconds: Type.Integer(),
  ssl_verify: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime,
  health_status: HealthStatus,
  total_deliveries: Type.Integer(),
  successful_deliveries: Type.Integer()
})
export type Webhook = Static<typeof Webhook>

export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook), ...PageFields })

export const WebhookListQuery = Type.Object({ ...PagingQuery })
