import { createHash } from 'node:crypto'
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'
import type { DistributionSpec } from './rules.js'

/**
 * Every random choice of the fault engine is a pure function of (seed, rule id, key): no state is
 * shared between requests, so the same seed and keys give the same faults in any process, in any
 * order of arrival.
 */
function digest (seed: string, ruleId: string, key: string, purpose: string): Buffer {
  return createHash('sha256').update(`${seed}\0${ruleId}\0${key}\0${purpose}`).digest()
}

/** Whether the rule fires for this key: the first 53 bits of the digest as a number in [0, 1), below `probability`. */
export function fires (seed: string, ruleId: string, key: string, probability: number): boolean {
  if (probability >= 1) return true
  if (probability <= 0) return false
  const d = digest(seed, ruleId, key, 'fire')
  const unit = (d.readUInt32BE(0) * 2 ** 21 + (d.readUInt32BE(4) >>> 11)) / 2 ** 53
  return unit < probability
}

/** A generator of its own for one decision (a delay's draw, garbage bytes), seeded with 128 bits of the digest. */
export function generator (seed: string, ruleId: string, key: string): RandomGenerator {
  const d = digest(seed, ruleId, key, 'draw')
  const state: number[] = [d.readInt32BE(0), d.readInt32BE(4), d.readInt32BE(8), d.readInt32BE(12)]
  // xoroshiro128+ must not start from all zeros (a 2^-128 chance, but cheap to rule out).
  if (!state.some((s) => s !== 0)) state[0] = 1
  return xoroshiro128plusFromState(state)
}

/** Draws above a cap are drawn again, up to this many times, then the cap is used (WireMock's choice). */
const REDRAWS = 100
const DEFAULT_CAP_MS = 60_000

/** One standard normal draw (Box–Muller). */
function normal (rng: RandomGenerator): number {
  const u1 = 1 - uniformFloat64(rng) // (0, 1]: log(u1) stays finite
  const u2 = uniformFloat64(rng)
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
}

function capped (max: number, draw: () => number): number {
  for (let i = 0; i < REDRAWS; i++) {
    const value = draw()
    if (value <= max) return value
  }
  return max
}

/**
 * A delay in ms drawn from a distribution. Log-normal: median·exp(sigma·Z); exponential: −mean·ln(1−U);
 * both truncated at `max` by drawing again (so the shape below the cap is kept), uniform on [min, max].
 */
export function sample (spec: DistributionSpec, rng: RandomGenerator): number {
  switch (spec.type) {
    case 'fixed': return spec.ms
    case 'uniform': return spec.min + uniformFloat64(rng) * (spec.max - spec.min)
    case 'lognormal': return capped(spec.max ?? DEFAULT_CAP_MS, () => spec.median * Math.exp(spec.sigma * normal(rng)))
    case 'exponential': return capped(spec.max ?? DEFAULT_CAP_MS, () => -spec.mean * Math.log(1 - uniformFloat64(rng)))
  }
}

/** `n` bytes from the generator (the `garbage` action's body). */
export function randomBytes (rng: RandomGenerator, n: number): Buffer {
  const out = Buffer.alloc(n)
  for (let i = 0; i < n; i += 4) {
    const word = rng.next() >>> 0
    for (let b = 0; b < 4 && i + b < n; b++) out[i + b] = (word >>> (8 * b)) & 0xff
  }
  return out
}
