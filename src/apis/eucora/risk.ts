import { createHash } from 'node:crypto'
import type { Ring } from './db/schema/values.js'

/**
 * How much of the estate a ring reaches: the original risk model's "Blast Radius" factor
 * (lab 0, canary 0.2, pilot 0.4, department 0.7, global 1.0), out of 60 points.
 */
export const RING_WEIGHT: Record<Ring, number> = { LAB: 0, CANARY: 12, PILOT: 24, DEPARTMENT: 42, GLOBAL: 60 }

/**
 * How new the version is, out of 20 points: a major release (`N.0.0`) is the riskiest, a minor
 * release (`N.M.0`) less, a patch least; a pre-release (`-beta`) adds 5, and a version that is not
 * `major.minor.patch` at all is scored as a minor release (the original scored unknowns at 0.5).
 */
export function versionNovelty (version: string): number {
  const semver = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim())
  if (!semver) return 10
  const [, , minor, patch, prerelease] = semver
  const base = Number(minor) === 0 && Number(patch) === 0 ? 15 : Number(patch) === 0 ? 8 : 2
  return Math.min(20, base + (prerelease ? 5 : 0))
}

/**
 * The application's own factor, out of 20 points: a stand-in for the original's per-app history
 * (deployment frequency, past success rate), fixed per name so the same app always scores the same.
 */
export function appFactor (appName: string): number {
  const digest = createHash('sha256').update(appName.trim().toLowerCase()).digest()
  return digest.readUInt32BE(0) % 21
}

/** 0–100, a pure function of app, version and ring: ring weight + version novelty + app factor. */
export function riskScore (appName: string, version: string, ring: Ring): number {
  return Math.max(0, Math.min(100, RING_WEIGHT[ring] + versionNovelty(version) + appFactor(appName)))
}

/** As the original's risk model: CAB approval when the score is above the threshold. */
export function assess (appName: string, version: string, ring: Ring, threshold: number) {
  const score = riskScore(appName, version, ring)
  const requiresCab = score > threshold
  return { riskScore: score, requiresCabApproval: requiresCab, status: requiresCab ? 'AWAITING_CAB' as const : 'APPROVED' as const }
}
