import { sql, type SQL } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import { iso } from '../../db/health.js'
import type { Alert, AlertListQuery, AlertStats } from '../../schemas/alerts.js'
import type { Window } from '../../schemas/common.js'

const columns = sql`a.alert_id as id, a.queue_id::float8 as queue_id, a.webhook_id, a.alert_type, a.severity, a.message, a.delivery_status,
  ${iso(sql`a.created_at`)} as created_at, a.acknowledged, ${iso(sql`a.acknowledged_at`)} as acknowledged_at`

export function createAlertsRepository (db: Database) {
  return {
    async list (filters: Pick<AlertListQuery, 'status_filter' | 'severity_filter'>, window: Window): Promise<{ rows: Alert[], total: number }> {
      const conditions: SQL[] = []
      if (filters.status_filter) conditions.push(sql`delivery_status = ${filters.status_filter}`)
      if (filters.severity_filter) conditions.push(sql`severity = ${filters.severity_filter}`)
      const where = conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``
      const [{ rows }, counted] = await Promise.all([
        db.execute<Alert>(sql`select ${columns} from pggit.alert_delivery_queue a ${where}
          order by created_at desc, alert_id desc limit ${window.size} offset ${window.offset}`),
        db.execute<{ total: number }>(sql`select count(*)::int as total from pggit.alert_delivery_queue ${where}`)
      ])
      return { rows, total: counted.rows[0].total }
    },

    async get (id: number): Promise<Alert | undefined> {
      const { rows } = await db.execute<Alert>(sql`select ${columns} from pggit.alert_delivery_queue a where a.alert_id = ${id}`)
      return rows[0]
    },

    /**
     * Acknowledging twice changes nothing: the first acknowledgement's time and user stay (the
     * original overwrote them); notes are replaced only when given.
     */
    async acknowledge (id: number, user: string, notes: string | null | undefined): Promise<{ alert: Alert, changed: boolean } | undefined> {
      const { rows } = await db.execute<Alert & { changed: boolean }>(sql`
        with old as (select alert_id, acknowledged, notes from pggit.alert_delivery_queue where alert_id = ${id} for update)
        update pggit.alert_delivery_queue a set
          acknowledged = true,
          acknowledged_at = coalesce(a.acknowledged_at, now()),
          acknowledged_by = coalesce(a.acknowledged_by, ${user}),
          notes = coalesce(${notes ?? null}, a.notes)
        from old
        where a.alert_id = old.alert_id
        returning ${columns}, (not old.acknowledged or old.notes is distinct from a.notes) as changed`)
      if (!rows[0]) return undefined
      const { changed, ...alert } = rows[0]
      return { alert, changed }
    },

    /** The original's summary over the last 30 days, every figure computed by Postgres. */
    async stats (): Promise<AlertStats> {
      const { rows } = await db.execute<AlertStats>(sql`
        select count(*)::int as total_alerts,
               (count(*) filter (where delivery_status = 'pending'))::int as pending_alerts,
               (count(*) filter (where acknowledged))::int as acknowledged_alerts,
               (count(*) filter (where delivery_status = 'failed'))::int as failed_alerts,
               (count(*) filter (where severity = 'CRITICAL'))::int as critical_count,
               (count(*) filter (where severity = 'WARNING'))::int as warning_count,
               (count(*) filter (where severity = 'INFO'))::int as info_count,
               coalesce(round((avg(extract(epoch from now() - created_at) / 3600) filter (where delivery_status = 'pending'))::numeric, 4), 0)::float8 as avg_pending_hours,
               ${iso(sql`min(created_at) filter (where delivery_status = 'pending')`)} as oldest_pending_alert
          from pggit.alert_delivery_queue
         where created_at >= now() - interval '30 days'`)
      return rows[0]
    }
  }
}
