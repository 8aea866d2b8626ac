import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authErrors } from '../../schemas/common.js'
import { Anomalies, AnomalyQuery, Dashboard, Overview, Performance, WebhookSummary, WebhookSummaryQuery } from '../../schemas/dashboard.js'
import type { PggitServices } from '../../services.js'

const tags = ['Dashboard']

const dashboardRoutes: FastifyPluginAsyncTypebox<{ services: PggitServices }> = async (app, { services }) => {
  const { dashboard, cache } = services

  /** Computed from this process's request histogram at every call: cheap, and never a minute old. */
  const performance = async () => {
    const [{ requests: _requests, ...figures }, cacheHitRate] = await Promise.all([services.performance.figures(), cache.hitRatePercent()])
    return { ...figures, cache_hit_rate_percent: cacheHitRate }
  }

  app.get('/', { schema: { tags, summary: 'Overview, webhook health and anomalies from Postgres (cached 60 s); performance from this process\'s own request metrics', response: { 200: Dashboard, ...authErrors } } }, async () => {
    const [{ value, hit }, perf] = await Promise.all([
      cache.remember('dashboard', 'full', async () => {
        const [overview, webhooks, anomalies] = await Promise.all([dashboard.overview(), dashboard.webhooks(20), dashboard.anomalies(7)])
        return { overview, webhooks, anomalies, generated_at: new Date() }
      }),
      performance()
    ])
    return { ...value, performance: perf, cache_hit: hit }
  })

  app.get('/overview', { schema: { tags, response: { 200: Overview, ...authErrors } } }, async () =>
    (await cache.remember('dashboard', 'overview', () => dashboard.overview())).value)

  app.get('/performance', { schema: { tags, response: { 200: Performance, ...authErrors } } }, performance)

  app.get('/webhooks', { schema: { tags, summary: 'Active webhooks, least healthy first (cached 60 s)', querystring: WebhookSummaryQuery, response: { 200: Type.Array(WebhookSummary), ...authErrors } } }, async (request) => {
    const limit = request.query.limit ?? 20
    return (await cache.remember('dashboard', `webhooks:${limit}`, () => dashboard.webhooks(limit))).value
  })

  app.get('/anomalies', { schema: { tags, querystring: AnomalyQuery, response: { 200: Anomalies, ...authErrors } } }, async (request) => {
    const days = request.query.days ?? 7
    return (await cache.remember('dashboard', `anomalies:${days}`, () => dashboard.anomalies(days))).value
  })
}

export default dashboardRoutes
