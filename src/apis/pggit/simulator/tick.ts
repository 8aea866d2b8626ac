// One tick of the delivery simulator: queue new alerts, attempt the due deliveries, and report
// the webhooks whose health changed. All in the caller's transaction.
import { sql } from 'drizzle-orm'
import type { Database, Executor } from '../../../core/db/client.js'
import { healthOf } from '../db/health.js'
import type { RetryPolicy } from '../db/schema/index.js'
import type { AlertNew, WebhookStatusChanged } from '../services.js'
import { backoffSeconds, drawAlert, drawAttempt, profileOf, rngFor, STREAM } from './draw.js'

export const TICK_MS = 1000
/** Alerts and deliveries older than this are removed now and then, so a server left running stays small. */
const RETENTION_DAYS = 30
const PRUNE_EVERY_TICKS = 600

export interface TickResult { tick: number, alerts: AlertNew[], attempts: number, delivered: number, failed: number, statusChanges: WebhookStatusChanged[] }

type Target = { id: number, timeout_seconds: number, retry_policy: RetryPolicy }
type Due = { alert_id: number, webhook_id: number, attempts: number, alert_type: string, timeout_seconds: number, retry_policy: RetryPolicy }

/**
 * Claims the next tick for this process and runs it; null when another replica (or this one)
 * ran a tick less than a tick's length ago. The claim is a row lock taken with SKIP LOCKED, so
 * replicas never wait for each other and each tick runs exactly once, wherever.
 */
export async function claimAndRunTick (db: Database, opts: { seed: number, rate: number }): Promise<TickResult | null> {
  await db.execute(sql`insert into pggit.simulator_state (id, tick, ticked_at) values (1, 0, now() - interval '1 hour') on conflict do nothing`)
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ tick: string }>(sql`
      select tick from pggit.simulator_state
       where id = 1 and ticked_at <= now() - make_interval(secs => ${(TICK_MS * 0.9) / 1000})
       for update skip locked`)
    if (!rows[0]) return null
    const tick = Number(rows[0].tick) + 1
    await tx.execute(sql`update pggit.simulator_state set tick = ${tick}, ticked_at = now() where id = 1`)
    return runTick(tx, opts.seed, opts.rate, tick)
  })
}

export async function runTick (tx: Executor, seed: number, rate: number, tick: number): Promise<TickResult> {
  const rng = rngFor(seed, STREAM.tick, tick)
  const whole = Math.floor(rate)
  const count = whole + (rng.float() < rate - whole ? 1 : 0)

  const { rows: targets } = await tx.execute<Target>(sql`
    select id, timeout_seconds, retry_policy from pggit.webhooks where active order by id`)
  const alerts: AlertNew[] = []
  for (let i = 0; i < count && targets.length > 0; i++) {
    const target = rng.pick(targets)
    const drawn = drawAlert(rng)
    // Queued for a second before the first attempt, so the queue shows pending alerts.
    const { rows } = await tx.execute<{ alert_id: number }>(sql`
      insert into pggit.alert_delivery_queue (webhook_id, alert_type, severity, message, next_attempt_at)
      values (${target.id}, ${drawn.alertType}, ${drawn.severity}, ${drawn.message}, now() + interval '1 second')
      returning alert_id`)
    alerts.push({ alert_id: rows[0].alert_id, webhook_id: target.id, alert_type: drawn.alertType, severity: drawn.severity, message: drawn.message })
  }

  const { rows: due } = await tx.execute<Due>(sql`
    select a.alert_id, a.webhook_id, a.attempts, a.alert_type, w.timeout_seconds, w.retry_policy
      from pggit.alert_delivery_queue a join pggit.webhooks w on w.id = a.webhook_id
     where a.delivery_status = 'pending' and a.next_attempt_at <= now() and w.active
     order by a.next_attempt_at, a.alert_id
     limit ${Math.max(10, Math.ceil(rate * 4))}
     for update of a skip locked`)
  let delivered = 0
  let failed = 0
  const touched = new Set<number>()
  for (const alert of due) {
    const attempt = alert.attempts + 1
    const outcome = drawAttempt(rngFor(seed, STREAM.attempt, alert.alert_id, attempt), profileOf(seed, alert.webhook_id), alert.timeout_seconds)
    const { rows } = await tx.execute<{ id: number }>(sql`
      insert into pggit.webhook_deliveries (webhook_id, alert_id, event_type, attempt, success, http_status, response_time_ms, error)
      values (${alert.webhook_id}, ${alert.alert_id}, ${alert.alert_type}, ${attempt}, ${outcome.success}, ${outcome.httpStatus}, ${outcome.responseTimeMs}, ${outcome.error})
      returning id`)
    const gaveUp = !outcome.success && attempt > alert.retry_policy.max_retries
    const status = outcome.success ? 'delivered' : gaveUp ? 'failed' : 'pending'
    if (outcome.success) delivered++
    if (gaveUp) failed++
    await tx.execute(sql`
      update pggit.alert_delivery_queue set
        attempts = ${attempt}, queue_id = ${rows[0].id}, delivery_status = ${status},
        delivered_at = case when ${outcome.success} then now() else delivered_at end,
        next_attempt_at = now() + make_interval(secs => ${backoffSeconds(attempt, alert.retry_policy)})
      where alert_id = ${alert.alert_id}`)
    touched.add(alert.webhook_id)
  }

  const statusChanges = await recordHealthChanges(tx, [...touched])
  if (tick % PRUNE_EVERY_TICKS === 0) {
    await tx.execute(sql`delete from pggit.alert_delivery_queue where created_at < now() - make_interval(days => ${RETENTION_DAYS})`)
    await tx.execute(sql`delete from pggit.webhook_deliveries where created_at < now() - make_interval(days => ${RETENTION_DAYS})`)
  }
  return { tick, alerts, attempts: due.length, delivered, failed, statusChanges }
}

/** Recomputes the 24 h health of these webhooks; stores and returns the ones whose status changed. */
async function recordHealthChanges (tx: Executor, ids: number[]): Promise<WebhookStatusChanged[]> {
  if (ids.length === 0) return []
  const { rows } = await tx.execute<{ id: number, name: string, active: boolean, stored: string, total: number, successful: number }>(sql`
    select w.id, w.name, w.active, w.health_status as stored, h.total, h.successful
      from pggit.webhooks w,
      lateral (select count(*)::int as total, (count(*) filter (where success))::int as successful
                 from pggit.webhook_deliveries d where d.webhook_id = w.id and d.created_at >= now() - interval '24 hours') h
     where w.id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})
     order by w.id`)
  const changes: WebhookStatusChanged[] = []
  for (const row of rows) {
    const status = healthOf(row.total, row.successful)
    if (status === row.stored) continue
    await tx.execute(sql`update pggit.webhooks set health_status = ${status} where id = ${row.id}`)
    changes.push({
      webhook_id: row.id,
      webhook_name: row.name,
      health_status: status,
      success_rate_percent: row.total ? Math.round((row.successful / row.total) * 10_000) / 100 : 0,
      active: row.active
    })
  }
  return changes
}
