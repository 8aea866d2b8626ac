import { ConfigSchema } from '../src/config.js'
import type { BenchResult, EndpointStats } from './types.js'

/**
 * 429s are not the server failing: they are its rate limiter doing what a setting told it to. A
 * benchmark that meets them measures that setting, so the bench counts them apart from other
 * errors and names the setting, rather than leaving a reader to guess at an "error rate".
 */
export function rateLimitedCount (stats: Pick<EndpointStats, 'byStatus'>): number {
  return stats.byStatus['429'] ?? 0
}

/** Like errorRate, without the 429s: answers other than 2xx and 429, and requests never answered. */
export function otherErrorRate (stats: Pick<EndpointStats, 'answered' | 'ok' | 'noAnswer' | 'byStatus'>): number {
  const finished = stats.answered + stats.noAnswer
  return finished === 0 ? 0 : (finished - stats.ok - rateLimitedCount(stats)) / finished
}

export interface RateLimitReport {
  /** 429 answers over every phase's measured window. */
  total: number
  byPhase: Array<{ phase: string, count: number }>
  /** Which setting caused them, and what to change. */
  cause: string
}

function schemaDefault (key: 'RATE_LIMIT_ENABLED' | 'RATE_LIMIT_MAX' | 'RATE_LIMIT_WINDOW'): string {
  return String((ConfigSchema.properties[key] as { default?: unknown }).default)
}

/** Undefined when no request was rate limited. */
export function rateLimitReport (r: Pick<BenchResult, 'phases' | 'target'>): RateLimitReport | undefined {
  const byPhase = r.phases.map((p) => ({ phase: p.name, count: rateLimitedCount(p.total) })).filter((p) => p.count > 0)
  const total = byPhase.reduce((n, p) => n + p.count, 0)
  if (total === 0) return undefined
  const env = r.target.serverEnv
  let cause: string
  if (r.target.spawned && env) {
    const max = env.RATE_LIMIT_MAX ?? schemaDefault('RATE_LIMIT_MAX')
    const window = env.RATE_LIMIT_WINDOW ?? schemaDefault('RATE_LIMIT_WINDOW')
    cause = `caused by the server's rate limit, RATE_LIMIT_MAX=${max} requests per RATE_LIMIT_WINDOW=${window} per user (per IP without a token, e.g. logins), ` +
      'on because of --rate-limit: raise it (--server-env RATE_LIMIT_MAX=…) or drop --rate-limit'
  } else {
    cause = 'caused by the target\'s rate limit, its RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW per user (per IP without a token, e.g. logins): ' +
      'raise RATE_LIMIT_MAX or set RATE_LIMIT_ENABLED=false on the target, or spread the load over more users'
  }
  return { total, byPhase, cause }
}

/** One line for the summary and the report. */
export function rateLimitLine (report: RateLimitReport): string {
  const where = report.byPhase.map((p) => `${p.count.toLocaleString('en-US')} in "${p.phase}"`).join(', ')
  return `${report.total.toLocaleString('en-US')} × 429 rate limited (${where}): ${report.cause}`
}
