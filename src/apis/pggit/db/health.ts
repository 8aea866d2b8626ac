// Webhook health, computed from the last 24 h of deliveries: one SQL fragment every read shares.
import { sql, type SQL } from 'drizzle-orm'

/** A timestamptz as ISO-8601 UTC text (drizzle's raw queries return Postgres' own text format). */
export const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** HEALTHY from 95 % delivered, DEGRADED from 80 %, UNHEALTHY below, UNKNOWN without deliveries. */
export const HEALTHY_PERCENT = 95
export const DEGRADED_PERCENT = 80

const WINDOW = sql`now() - interval '24 hours'`

/** Per webhook, its deliveries of the last 24 h in one grouped pass (for views of every webhook); LEFT JOIN `h` on webhook_id. */
export const recentDeliveries = sql`(
  select webhook_id,
         count(*)::int as total,
         (count(*) filter (where success))::int as successful,
         (count(*) filter (where not success))::int as failed,
         max(created_at) as last_delivery_at
    from pggit.webhook_deliveries
   where created_at >= ${WINDOW}
   group by webhook_id
)`

/** The same for the webhook `w` of the outer query, through its index (for a page or one webhook): `left join lateral … h on true`. */
export const recentDeliveriesOfW = sql`lateral (
  select count(*)::int as total,
         (count(*) filter (where success))::int as successful,
         (count(*) filter (where not success))::int as failed,
         max(created_at) as last_delivery_at
    from pggit.webhook_deliveries d
   where d.webhook_id = w.id and d.created_at >= ${WINDOW}
)`

/** The health status of a row joined with `recentDeliveries` as `h`. */
export const healthStatus: SQL = sql`case
  when coalesce(h.total, 0) = 0 then 'UNKNOWN'
  when h.successful * 100.0 / h.total >= ${sql.raw(String(HEALTHY_PERCENT))} then 'HEALTHY'
  when h.successful * 100.0 / h.total >= ${sql.raw(String(DEGRADED_PERCENT))} then 'DEGRADED'
  else 'UNHEALTHY' end`

export function healthOf (total: number, successful: number): string {
  if (total === 0) return 'UNKNOWN'
  const rate = (successful * 100) / total
  return rate >= HEALTHY_PERCENT ? 'HEALTHY' : rate >= DEGRADED_PERCENT ? 'DEGRADED' : 'UNHEALTHY'
}
