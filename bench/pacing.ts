/**
 * When each connection sends its next request. autocannon itself knows two modes: as fast as
 * answers come back (closed loop), or `-R`, which sends each connection's quota in a burst at
 * the start of every second (autocannon issue #174) and corrects latency with a 1 ms interval.
 * Neither is an open-loop schedule nor a user who thinks, so the bench paces every connection
 * itself (times in `performance.now()` ms):
 *
 * - paced: connection i of C sends at start + (i/C + k)·C/rate, so the aggregate is evenly spaced
 *   at `rate`. A request that could not leave on time (the previous answer came late) leaves as
 *   soon as it can, and its latency counts from when it was due (wrk2's correction for
 *   coordinated omission).
 * - closed: the next request leaves when the answer arrives (maximum throughput).
 * - think: one connection is one Locust user: after a task it waits `between(min, max)`; a
 *   dependent step leaves at once. Latency counts from the actual send, as Locust's does.
 */
export interface Pacer {
  /** Milliseconds to wait before the next request may leave. */
  delayMs (nowMs: number): number
  /** The request leaves now; returns the time its latency is measured from. */
  onSent (nowMs: number): number
  onAnswer (nowMs: number, continueTask: boolean): void
  onNoAnswer (nowMs: number): void
}

export function pacedPacer (startMs: number, index: number, connections: number, rate: number): Pacer {
  const interval = (connections * 1000) / rate
  let due = startMs + (index / connections) * interval
  return {
    delayMs: (now) => Math.max(0, due - now),
    onSent: () => {
      const at = due
      due += interval
      return at
    },
    onAnswer: () => {},
    onNoAnswer: () => {}
  }
}

export function closedPacer (startMs: number): Pacer {
  let due = startMs
  return {
    delayMs: (now) => Math.max(0, due - now),
    onSent: (now) => now,
    onAnswer: (now) => { due = now },
    onNoAnswer: (now) => { due = now }
  }
}

export function thinkPacer (firstDueMs: number, thinkMs: () => number): Pacer {
  let due = firstDueMs
  return {
    delayMs: (now) => Math.max(0, due - now),
    onSent: (now) => now,
    onAnswer: (now, continueTask) => { due = continueTask ? now : now + thinkMs() },
    onNoAnswer: (now) => { due = now + thinkMs() }
  }
}

/** When connection `index` of `connections` opens, spreading them evenly over `rampMs`. */
export function spawnOffsetMs (index: number, connections: number, rampMs: number): number {
  return connections <= 1 ? 0 : (index / connections) * rampMs
}

/** Connections a paced phase needs: enough to keep `rate` going while answers take up to `latencyMs`. */
export function pacedConnections (rate: number, latencyMs: number, min = 20, max = 5000): number {
  return Math.min(max, Math.max(min, Math.ceil((rate * latencyMs) / 1000)))
}
