// What the PGGIT routes share, built once by the API's plugin and handed to each route plugin.
import type { Database } from '../../core/db/client.js'
import type { EventBus } from '../../core/plugins/events.js'
import type { ResponseCache } from './cache.js'
import type { RequestPerformance } from './performance.js'
import { createAlertsRepository } from './routes/alerts/repository.js'
import { createDashboardRepository } from './routes/dashboard/repository.js'
import { createWebhooksRepository } from './routes/webhooks/repository.js'

/** Live events of this API, through the core's bus (Redis pub/sub across replicas). */
export const LIVE = { alertNew: 'pggit:alert_new', webhookStatus: 'pggit:webhook_status_changed' } as const

export interface AlertNew { alert_id: number, webhook_id: number, alert_type: string, severity: string, message: string }
export interface WebhookStatusChanged { webhook_id: number, webhook_name: string, health_status: string, success_rate_percent: number, active: boolean }

export interface PggitServices {
  webhooks: ReturnType<typeof createWebhooksRepository>
  alerts: ReturnType<typeof createAlertsRepository>
  dashboard: ReturnType<typeof createDashboardRepository>
  cache: ResponseCache
  performance: RequestPerformance
  events: EventBus
  /** Open /ws/dashboard sockets in this process. */
  sockets: () => number
}

export function createServices (db: Database, parts: Omit<PggitServices, 'webhooks' | 'alerts' | 'dashboard'>): PggitServices {
  return {
    webhooks: createWebhooksRepository(db),
    alerts: createAlertsRepository(db),
    dashboard: createDashboardRepository(db),
    ...parts
  }
}
