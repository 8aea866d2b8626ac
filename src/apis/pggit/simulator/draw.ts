// The simulator's randomness: every draw comes from a generator seeded by the simulator's seed and
// what is being drawn (a tick, an alert's attempt, a webhook), so the same seed gives the same
// alerts, outcomes and latencies whatever the timing and whichever replica runs the tick.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { Severity } from '../schemas/alerts.js'

export interface Rng {
  float (): number
  int (from: number, to: number): number
  pick<T> (items: readonly T[]): T
  /** A log-normal draw with this median (exp of a normal of standard deviation sigma). */
  logNormal (median: number, sigma: number): number
}

/** Mixes the seed and keys into one 32-bit seed (murmur3's finaliser over each key). */
function mix (seed: number, keys: number[]): number {
  let h = seed >>> 0
  for (const key of keys) {
    h = Math.imul(h ^ (key >>> 0), 0x85ebca6b)
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
    h ^= h >>> 16
    h = Math.imul(h ^ Math.floor(key / 2 ** 32), 0x27d4eb2f) ^ (h >>> 15)
  }
  return h | 0
}

export function rngFor (seed: number, ...keys: number[]): Rng {
  const generator = xoroshiro128plus(mix(seed, keys))
  const float = () => uniformFloat64(generator)
  return {
    float,
    int: (from, to) => uniformInt(generator, from, to),
    pick: (items) => items[uniformInt(generator, 0, items.length - 1)],
    logNormal (median, sigma) {
      // Box-Muller; 1 - u keeps the logarithm finite.
      const normal = Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float())
      return median * Math.exp(sigma * normal)
    }
  }
}

// What each kind of draw keys on, so that two kinds never share a stream.
export const STREAM = { tick: 1, attempt: 2, profile: 3, fixture: 4 } as const

/** How a webhook's endpoint behaves: its usual response time and how often it fails. */
export interface Profile { medianMs: number, failureRate: number }

/** Most endpoints are fast and reliable; one in five is flaky, so health moves between states. */
export function profileOf (seed: number, webhookId: number): Profile {
  const rng = rngFor(seed, STREAM.profile, webhookId)
  const medianMs = 30 + Math.round(rng.float() * 250)
  const failureRate = webhookId % 5 === 3 ? 0.1 + rng.float() * 0.25 : 0.005 + rng.float() * 0.03
  return { medianMs, failureRate }
}

export const ALERT_TYPES = ['anomaly_detected', 'performance_degradation', 'commit_conflict', 'merge_failed', 'schema_drift', 'replication_lag'] as const

const MESSAGES: Record<typeof ALERT_TYPES[number], string> = {
  anomaly_detected: 'Statistical anomaly detected in commit operation',
  performance_degradation: 'Query latency above baseline on branch',
  commit_conflict: 'Concurrent commits touched the same rows',
  merge_failed: 'Automatic merge stopped on conflicting DDL',
  schema_drift: 'Schema differs from the tracked version',
  replication_lag: 'Replica lag above threshold'
}

export interface NewAlert { alertType: string, severity: Severity, message: string }

export function drawAlert (rng: Rng): NewAlert {
  const alertType = rng.pick(ALERT_TYPES)
  const roll = rng.float()
  const severity: Severity = roll < 0.15 ? 'CRITICAL' : roll < 0.5 ? 'WARNING' : 'INFO'
  return { alertType, severity, message: MESSAGES[alertType] }
}

export interface Attempt { success: boolean, httpStatus: number | null, responseTimeMs: number, error: string | null }

const FAILURE_STATUSES = [500, 502, 503, 504, 429, 410] as const

/** One delivery attempt against an endpoint with this profile, cut at the webhook's timeout. */
export function drawAttempt (rng: Rng, profile: Profile, timeoutSeconds: number): Attempt {
  const latency = Math.round(rng.logNormal(profile.medianMs, 0.6) * 100) / 100
  const timeoutMs = timeoutSeconds * 1000
  if (latency >= timeoutMs) return { success: false, httpStatus: null, responseTimeMs: timeoutMs, error: 'timeout' }
  if (rng.float() < profile.failureRate) {
    const status = rng.pick(FAILURE_STATUSES)
    return { success: false, httpStatus: status, responseTimeMs: latency, error: `HTTP ${status}` }
  }
  return { success: true, httpStatus: rng.float() < 0.9 ? 200 : 202, responseTimeMs: latency, error: null }
}

/** Seconds before retry n (1-based): backoff_base^n, at most max_backoff. */
export function backoffSeconds (attempt: number, policy: { backoff_base: number, max_backoff: number }): number {
  return Math.min(policy.backoff_base ** attempt, policy.max_backoff)
}
