import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry
  }
}

/** A gauge whose value is read when /metrics is scraped, never maintained on the hot path. */
export function readGauge (registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({ name, help, registers: [registry], collect () { this.set(read()) } })
}

/** A counter kept elsewhere (a plain number that only grows), read when /metrics is scraped. */
function readCounter (registry: Registry, name: string, help: string, read: () => number): Counter {
  return new Counter({ name, help, registers: [registry], collect () { this.reset(); this.inc(read()) } })
}

/** Prometheus `/metrics`: per-route request counts and latency histograms, pool usage, process stats. */
export default fp(async (app) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })

  const labelNames = ['method', 'route', 'status_code'] as const
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5],
    registers: [registry]
  })

  const pool = app.db.$client
  readGauge(registry, 'db_pool_connections_total', 'Postgres connections open in the pool', () => pool.totalCount)
  readGauge(registry, 'db_pool_connections_idle', 'Idle Postgres connections in the pool', () => pool.idleCount)
  readGauge(registry, 'db_pool_waiting_requests', 'Queries waiting for a Postgres connection', () => pool.waitingCount)

  const circuit = app.redisCircuit
  readGauge(registry, 'redis_circuit_open', 'Whether the Redis circuit breaker is open (1: Redis is not asked, fallbacks in use)', () => circuit.isOpen ? 1 : 0)
  readCounter(registry, 'redis_circuit_opened_total', 'Times the Redis circuit breaker opened', () => circuit.openings)

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the raw URL: ids and typos must not create new series.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
  })

  app.decorate('metrics', registry)
  app.get('/metrics', { schema: { hide: true }, config: { rateLimit: false } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
}, { name: 'metrics', dependencies: ['db', 'redis'] })
