import type { LossReport } from './types.js'

/** What the loader knows about every alert it sent, by per-request id. */
export interface IngestLedger {
  sent: Iterable<string>
  /** Answered 2xx: the server said it committed them. */
  acked: Iterable<string>
  /** Answered non-2xx: the server said it did not. */
  rejected: Iterable<string>
}

/** What Postgres holds for the run: one entry per row (ids may repeat when rows are duplicated). */
export interface StoredRows {
  reqIds: Iterable<string>
}

const SAMPLE = 10

/**
 * The zero-loss check. Every acknowledged alert must be stored; every stored row must carry an
 * id the loader sent, once; a request the server rejected must not be stored. Requests without a
 * definite answer (in flight when the loader stopped, timed out, connection lost) may or may not
 * have been committed, so rows − acked must lie between 0 and their number. When the server's
 * own count of committed alerts is known (a server the bench started, so no one else's traffic),
 * it must equal the rows too.
 */
export function reconcile (ledger: IngestLedger, stored: StoredRows, serverCommitted: number | null = null): LossReport {
  let attempts = 0
  const sent = new Set<string>()
  for (const id of ledger.sent) {
    attempts++
    sent.add(id)
  }
  const acked = new Set(ledger.acked)
  // A refusal a later attempt (same Idempotency-Key) turned into an acknowledgement is not a refusal.
  const rejected = new Set([...ledger.rejected].filter((id) => !acked.has(id)))
  const seen = new Map<string, number>()
  let rows = 0
  for (const id of stored.reqIds) {
    rows++
    seen.set(id, (seen.get(id) ?? 0) + 1)
  }
  const missing = [...acked].filter((id) => !seen.has(id))
  const unexpected = [...seen.keys()].filter((id) => !sent.has(id))
  const duplicates = [...seen.entries()].filter(([, n]) => n > 1).map(([id]) => id)
  const storedDespiteRejection = [...rejected].filter((id) => seen.has(id))
  let unknown = 0
  let unknownCommitted = 0
  for (const id of sent) {
    if (acked.has(id) || rejected.has(id)) continue
    unknown++
    if (seen.has(id)) unknownCommitted++
  }
  const surplus = rows - acked.size
  const ok = missing.length === 0 && unexpected.length === 0 && duplicates.length === 0 &&
    storedDespiteRejection.length === 0 && surplus >= 0 && surplus <= unknown &&
    (serverCommitted === null || serverCommitted === rows)
  return {
    verified: true,
    ok,
    sent: sent.size,
    acked: acked.size,
    rejected: rejected.size,
    unknown,
    rows,
    surplus,
    missing: missing.length,
    unexpected: unexpected.length,
    duplicates: duplicates.length,
    storedDespiteRejection: storedDespiteRejection.length,
    unknownCommitted,
    retries: attempts - sent.size,
    serverCommitted,
    samples: {
      missing: missing.slice(0, SAMPLE),
      unexpected: unexpected.slice(0, SAMPLE),
      duplicates: duplicates.slice(0, SAMPLE),
      storedDespiteRejection: storedDespiteRejection.slice(0, SAMPLE)
    }
  }
}

export function unverified (reason: string, ledger?: { sent: number, acked: number, rejected: number }): LossReport {
  return {
    verified: false,
    reason,
    ok: true,
    sent: ledger?.sent ?? 0,
    acked: ledger?.acked ?? 0,
    rejected: ledger?.rejected ?? 0,
    unknown: 0,
    rows: 0,
    surplus: 0,
    missing: 0,
    unexpected: 0,
    duplicates: 0,
    storedDespiteRejection: 0,
    unknownCommitted: 0,
    retries: 0,
    serverCommitted: null,
    samples: { missing: [], unexpected: [], duplicates: [], storedDespiteRejection: [] }
  }
}
