/**
 * LIVE_ALERT_CREATED: `all`, `off` or `sample:P`. A sampled alert is chosen by a hash of its id,
 * not by chance, so every process (and the bench, which must know what to expect) makes the same
 * choice for the same alert.
 */
export type AlertCreatedPolicy = { mode: 'all' } | { mode: 'off' } | { mode: 'sample', share: number }

export function parseAlertCreated (setting: string): AlertCreatedPolicy {
  const value = setting.trim().toLowerCase()
  if (value === 'all') return { mode: 'all' }
  if (value === 'off') return { mode: 'off' }
  const match = /^sample:([0-9.]+)$/.exec(value)
  const share = match ? Number(match[1]) : Number.NaN
  if (!(share >= 0 && share <= 1)) throw new Error(`LIVE_ALERT_CREATED must be all, off or sample:P with 0 ≤ P ≤ 1, not "${setting}"`)
  return { mode: 'sample', share }
}

/** FNV-1a over the id's characters, as a fraction of 2^32: uniform enough for UUIDs, and cheap. */
export function idFraction (id: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) / 0x100000000
}

export function alertCreatedSelected (policy: AlertCreatedPolicy, id: string): boolean {
  if (policy.mode === 'all') return true
  if (policy.mode === 'off') return false
  return idFraction(id) < policy.share
}
