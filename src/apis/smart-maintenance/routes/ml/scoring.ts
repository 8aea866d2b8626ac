/**
 * The two models POST /api/v1/ml/predict/* serve: plain statistics of the sensor's stored readings,
 * deterministic (the same request against the same readings gives the same answer).
 *
 * Baseline: the sensor's newest BASELINE_READINGS readings; per feature its mean μ, sample standard
 * deviation σ (floored, so a flat history does not divide by zero) and least-squares slope per hour.
 * - anomaly: z = (x − μ) / σ per feature; score = 1 − exp(−rms(z)² / 8) (0 on the mean, 0.39 at
 *   rms 2σ, 0.68 at 3σ); an anomaly when some |z| ≥ 3.
 * - failure: each feature's z moved along its trend for HORIZON_HOURS, projected z = z + slope·H / σ;
 *   probability = logistic(2 · (rms(projected z) − 2)) (0.5 at 2σ); risk low < 0.3 ≤ medium < 0.7 ≤ high.
 */

export const FEATURES = ['temperature', 'pressure', 'vibration', 'humidity', 'value'] as const
export type Feature = typeof FEATURES[number]

export const BASELINE_READINGS = 500
export const Z_THRESHOLD = 3
export const HORIZON_HOURS = 24

export interface FeatureStats { n: number, mean: number | null, sd: number | null, slopePerHour: number | null }
export type Baseline = { readings: number } & Record<Feature, FeatureStats>

export type FeatureInput = Partial<Record<Feature, number>>

interface Scored { name: Feature, value: number, mean: number, stddev: number, z_score: number, trend_per_hour: number }

const round = (x: number) => Math.round(x * 1e6) / 1e6

// A history of identical values still has a scale: a thousandth of its magnitude, at least 1e-6.
const scaleOf = (stats: FeatureStats) => Math.max(stats.sd ?? 0, Math.abs(stats.mean ?? 0) * 1e-3, 1e-6)

/** The request's features that have a baseline (at least two stored values), scored against it. */
export function scoreFeatures (input: FeatureInput, baseline: Baseline): Scored[] {
  const scored: Scored[] = []
  for (const name of FEATURES) {
    const value = input[name]
    const stats = baseline[name]
    if (value === undefined || stats.n < 2 || stats.mean === null) continue
    const sd = scaleOf(stats)
    scored.push({ name, value, mean: stats.mean, stddev: sd, z_score: (value - stats.mean) / sd, trend_per_hour: stats.slopePerHour ?? 0 })
  }
  return scored
}

const rms = (xs: number[]) => Math.sqrt(xs.reduce((sum, x) => sum + x * x, 0) / xs.length)

export function predictAnomaly (scored: Scored[]) {
  const zs = scored.map((f) => f.z_score)
  const score = 1 - Math.exp(-(rms(zs) ** 2) / 8)
  return {
    is_anomaly: zs.some((z) => Math.abs(z) >= Z_THRESHOLD),
    anomaly_score: round(score),
    threshold_z: Z_THRESHOLD,
    features: scored.map((f) => ({ name: f.name, value: f.value, mean: round(f.mean), stddev: round(f.stddev), z_score: round(f.z_score) }))
  }
}

export function predictFailure (scored: Scored[]) {
  const projected = scored.map((f) => f.z_score + f.trend_per_hour * HORIZON_HOURS / f.stddev)
  const probability = 1 / (1 + Math.exp(-2 * (rms(projected) - 2)))
  return {
    failure_probability: round(probability),
    risk_level: probability < 0.3 ? 'low' as const : probability < 0.7 ? 'medium' as const : 'high' as const,
    horizon_hours: HORIZON_HOURS,
    features: scored.map((f, i) => ({
      name: f.name, value: f.value, z_score: round(f.z_score), trend_per_hour: round(f.trend_per_hour), projected_z_score: round(projected[i])
    }))
  }
}
