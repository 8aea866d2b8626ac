import { sql } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { healthStatus, iso, recentDeliveries } from '../../db/health.js'

export type Overview = {
  total_deliveries: number
  pending_deliveries: number
  failed_deliveries: number
  success_rate_percent: number
  active_webhooks: number
  degraded_webhooks: number
  updated_at: string
}

export type WebhookSummary = {
  id: number
  name: string
  health_status: string
  total_deliveries: number
  successful_deliveries: number
  failed_deliveries: number
  success_rate_percent: number
  last_delivery_at: string | null
}

export type AnomalySummary = {
  total_anomalies: number
  critical_anomalies: number
  warning_anomalies: number
  affected_operations: string[]
  recent_anomalies_count: number
}

/** A delivery this many standard deviations slower than its webhook's mean is an anomaly; critical from CRITICAL_Z. */
export const ANOMALY_Z = 3
export const CRITICAL_Z = 5

export function createDashboardRepository (db: Database) {
  return {
    /** The alerts queued in the last 24 h and how their delivery went; webhooks active and degraded now. */
    async overview (): Promise<Overview> {
      const { rows } = await db.execute<Overview>(sql`
        select q.total_deliveries, q.pending_deliveries, q.failed_deliveries, q.success_rate_percent,
               w.active_webhooks, w.degraded_webhooks, ${iso(sql`now()`)} as updated_at
          from (select count(*)::int as total_deliveries,
                       (count(*) filter (where delivery_status = 'pending'))::int as pending_deliveries,
                       (count(*) filter (where delivery_status = 'failed'))::int as failed_deliveries,
                       coalesce(round(100.0 * count(*) filter (where delivery_status = 'delivered') / nullif(count(*), 0), 2), 0)::float8 as success_rate_percent
                  from pggit.alert_delivery_queue
                 where created_at >= now() - interval '24 hours') q,
               (select (count(*))::int as active_webhooks,
                       (count(*) filter (where ${healthStatus} in ('DEGRADED', 'UNHEALTHY')))::int as degraded_webhooks
                  from pggit.webhooks w left join ${recentDeliveries} h on h.webhook_id = w.id
                 where w.active) w`)
      return rows[0]
    },

    /** Active webhooks, least healthy first (the original sorted by status text, descending). */
    async webhooks (limit: number): Promise<WebhookSummary[]> {
      const { rows } = await db.execute<WebhookSummary>(sql`
        select w.id, w.name, ${healthStatus} as health_status,
               coalesce(h.total, 0) as total_deliveries, coalesce(h.successful, 0) as successful_deliveries,
               coalesce(h.failed, 0) as failed_deliveries,
               coalesce(round(100.0 * h.successful / nullif(h.total, 0), 2), 0)::float8 as success_rate_percent,
               ${iso(sql`h.last_delivery_at`)} as last_delivery_at
          from pggit.webhooks w left join ${recentDeliveries} h on h.webhook_id = w.id
         where w.active
         order by coalesce(h.successful * 1.0 / nullif(h.total, 0), 2), w.id
         limit ${limit}`)
      return rows
    },

    /**
     * Latency outliers among the deliveries of the last `days`: a delivery at least ANOMALY_Z
     * standard deviations slower than its webhook's mean over the same window.
     */
    async anomalies (days: number): Promise<AnomalySummary> {
      const { rows } = await db.execute<AnomalySummary>(sql`
        with d as (
          select webhook_id, event_type, response_time_ms, created_at
            from pggit.webhook_deliveries where created_at >= now() - make_interval(days => ${days})
        ), s as (
          select webhook_id, avg(response_time_ms) as mean, stddev_samp(response_time_ms) as sd from d group by webhook_id
        ), a as (
          select d.event_type, d.created_at, (d.response_time_ms - s.mean) / s.sd as z
            from d join s using (webhook_id)
           where s.sd > 0 and d.response_time_ms >= s.mean + ${ANOMALY_Z} * s.sd
        )
        select count(*)::int as total_anomalies,
               (count(*) filter (where z >= ${CRITICAL_Z}))::int as critical_anomalies,
               (count(*) filter (where z < ${CRITICAL_Z}))::int as warning_anomalies,
               coalesce((select array_agg(event_type order by event_type) from (select distinct event_type from a order by event_type limit 10) e), '{}') as affected_operations,
               (count(*) filter (where created_at >= now() - interval '24 hours'))::int as recent_anomalies_count
          from a`)
      return rows[0]
    }
  }
}
