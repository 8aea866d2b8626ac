import { sql } from 'drizzle-orm'
import type { Database, Executor } from '../../../../core/db/client.js'
import { done, missing, type Outcome } from '../../../../core/outcome.js'
import { healthStatus, iso, recentDeliveriesOfW } from '../../db/health.js'
import type { RetryPolicy } from '../../db/schema/index.js'
import type { Window } from '../../schemas/common.js'
import type { Webhook, WebhookCreate, WebhookUpdate } from '../../schemas/webhooks.js'

const DEFAULT_RETRY: RetryPolicy = { max_retries: 3, backoff_base: 2, max_backoff: 3600 }

const columns = sql`w.id, w.name, w.url, w.events, w.active, w.description, w.retry_policy, w.timeout_seconds,
  w.ssl_verify, ${iso(sql`w.created_at`)} as created_at, ${iso(sql`w.updated_at`)} as updated_at, ${healthStatus} as health_status,
  coalesce(h.total, 0) as total_deliveries, coalesce(h.successful, 0) as successful_deliveries`

/** `is_active` (what the suite sends) means `active`; `active` wins when both are given. */
const activeOf = (body: { active?: boolean, is_active?: boolean }) => body.active ?? body.is_active

export function createWebhooksRepository (db: Database) {
  const one = async (id: number, tx: Executor = db): Promise<Webhook | undefined> => {
    const { rows } = await tx.execute<Webhook>(sql`
      select ${columns} from pggit.webhooks w left join ${recentDeliveriesOfW} h on true where w.id = ${id}`)
    return rows[0]
  }

  return {
    async list (window: Window): Promise<{ rows: Webhook[], total: number }> {
      const [{ rows }, counted] = await Promise.all([
        db.execute<Webhook>(sql`
          select ${columns}
            from (select * from pggit.webhooks order by created_at desc, id desc limit ${window.size} offset ${window.offset}) w
            left join ${recentDeliveriesOfW} h on true
           order by w.created_at desc, w.id desc`),
        db.execute<{ total: number }>(sql`select count(*)::int as total from pggit.webhooks`)
      ])
      return { rows, total: counted.rows[0].total }
    },

    get: (id: number) => one(id),

    async create (body: WebhookCreate, user: string): Promise<Webhook> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.execute<{ id: number }>(sql`
          insert into pggit.webhooks (name, url, events, active, description, retry_policy, timeout_seconds, ssl_verify, created_by)
          values (${body.name}, ${body.url}, ${sql.param(body.events ?? ['*'])}::text[], ${activeOf(body) ?? true}, ${body.description ?? null},
                  ${JSON.stringify(body.retry_policy ?? DEFAULT_RETRY)}::jsonb, ${body.timeout_seconds ?? 30}, ${body.ssl_verify ?? true}, ${user})
          returning id`)
        return (await one(rows[0].id, tx))!
      })
    },

    async update (id: number, body: WebhookUpdate): Promise<Outcome<{ webhook: Webhook, activeChanged: boolean }>> {
      return db.transaction(async (tx) => {
        const active = activeOf(body)
        const { rows } = await tx.execute<{ id: number, was_active: boolean }>(sql`
          update pggit.webhooks w set
            name = coalesce(${body.name ?? null}, w.name),
            url = coalesce(${body.url ?? null}, w.url),
            events = coalesce(${body.events ? sql.param(body.events) : null}::text[], w.events),
            active = coalesce(${active ?? null}::boolean, w.active),
            description = case when ${body.description !== undefined} then ${body.description ?? null} else w.description end,
            retry_policy = coalesce(${body.retry_policy ? JSON.stringify(body.retry_policy) : null}::jsonb, w.retry_policy),
            timeout_seconds = coalesce(${body.timeout_seconds ?? null}::int, w.timeout_seconds),
            ssl_verify = coalesce(${body.ssl_verify ?? null}::boolean, w.ssl_verify),
            updated_at = now()
          from (select id, active as was_active from pggit.webhooks where id = ${id} for update) old
          where w.id = old.id
          returning w.id, old.was_active`)
        if (!rows[0]) return missing(`Webhook ${id}`)
        const webhook = (await one(id, tx))!
        return done({ webhook, activeChanged: rows[0].was_active !== webhook.active })
      })
    },

    async remove (id: number): Promise<boolean> {
      const { rowCount } = await db.execute(sql`delete from pggit.webhooks where id = ${id}`)
      return (rowCount ?? 0) > 0
    }
  }
}
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>
