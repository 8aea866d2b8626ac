import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { isDataError, isTransientConflict } from '../errors/index.js'
import { ingestErrors, isConnectionLost, keyReused, toIngestError, unprocessable } from './errors.js'
import type { IngestTarget, RecordProblem, Resolution } from './target.js'

export interface IngestWriterOptions {
  /** Most records one INSERT writes. */
  maxBatch: number
  /** Longest queued records wait while every batch slot is busy before one extra batch starts. */
  maxWaitMs: number
  /** Records waiting for a batch beyond which submissions are refused (503). */
  maxQueue: number
  /** Batches written concurrently, each on its own pooled connection. */
  maxInFlight: number
}

/** The record an Idempotency-Key already names: the request is answered with it, nothing is written. */
export interface Replayed { id: string, received_at: string }

export type RejectReason = 'overloaded' | 'shutting_down' | 'invalid' | 'unavailable' | 'error'

/** How the writer reports what it does (metrics, events, logs) without knowing about them. */
export interface IngestObserver<R> {
  /** Records newly committed by one statement, in order; called once per successful statement. */
  committed? (records: R[]): void
  /** One batch done (rows taken from the queue, seconds from start to its last statement). */
  batch? (rows: number, seconds: number): void
  replayed? (count: number): void
  rejected? (reason: RejectReason, count: number): void
  /** An error that is neither the client's fault nor a known outage. */
  unexpected? (err: unknown): void
}

type Settle = (replayed: Replayed | undefined) => void
type Fail = (err: Error) => void

/** One single-record request waiting for its batch. */
class PendingRecord<R> {
  /** Requests with the same scoped Idempotency-Key that reached the same batch: settled by this one. */
  followers: PendingRecord<R>[] | undefined
  constructor (readonly record: R, readonly json: string, readonly key: string | undefined, readonly resolve: Settle, readonly reject: Fail) {}
}

/** A batch request (POST /alerts/ingest/batch): its records commit together or not at all. */
class PendingGroup<R> {
  constructor (readonly records: R[], readonly json: string, readonly resolve: () => void, readonly reject: Fail) {}
}

type Unit<R> = PendingRecord<R> | PendingGroup<R>

/**
 * Group commit for ingestion (ERIOP's alerts, smart-maintenance's readings): `target` says how
 * one API's records are serialized, inserted and resolved; everything else is here.
 *
 * Every request waits in one queue; a batch starts on the next event-loop turn whenever fewer than
 * `maxInFlight` batches are running, and takes everything queued (up to `maxBatch`). Under load the
 * batch grows by itself while the previous ones commit ("natural batching": 1.5× a fixed-timer
 * batcher in the project's research, ~3.6× the former one-INSERT-per-request writer in
 * bench:ingest-ratio); at low load a lone record is written at once. When no slot frees up for
 * `maxWaitMs`, one extra batch is written beside the stuck ones (see overflow()). Each promise
 * settles only after its own batch is committed (autocommit, synchronous_commit on): acknowledged
 * means durable. Past `maxQueue` waiting records, submissions are refused at once (503).
 *
 * Failures stay with the records that cause them: when Postgres refuses a batch's data the batch is
 * bisected until the bad rows are alone (422), the rest committing normally; an outage fails only
 * the batches that met it (503), and the next batch simply tries a fresh connection.
 */
export function createIngestWriter<R> (pool: pg.Pool, target: IngestTarget<R>, options: IngestWriterOptions, observer: IngestObserver<R> = {}) {
  const { maxBatch, maxWaitMs, maxQueue, maxInFlight } = options
  // Overflow batches (see overflow()) stop at twice maxInFlight, and always leave one pooled
  // connection to the rest of the API.
  const poolMax = (pool as pg.Pool & { options: { max?: number } }).options.max ?? 10
  const hardInFlight = Math.max(maxInFlight, Math.min(maxInFlight * 2, poolMax - 1))
  let queue: Unit<R>[] = []
  let queuedRows = 0
  let inFlight = 0
  let inFlightRows = 0
  let scheduled = false
  let overflowTimer: NodeJS.Timeout | undefined
  let closing = false
  let idleWaiters: (() => void)[] = []

  function schedule () {
    if (queue.length === 0) return
    if (inFlight >= maxInFlight) return armOverflow()
    if (scheduled) return
    scheduled = true
    setImmediate(flush)
  }

  function flush () {
    scheduled = false
    while (queue.length > 0 && inFlight < maxInFlight) start(take())
    if (queue.length > 0) armOverflow()
  }

  function armOverflow () {
    if (overflowTimer === undefined && maxWaitMs > 0) overflowTimer = setTimeout(overflow, maxWaitMs)
  }

  // No slot has freed up for maxWaitMs (a slow commit, an fsync stall): rather than let the queue
  // wait on it, write the next batch beside the others. Postgres flushes concurrent commits together.
  function overflow () {
    overflowTimer = undefined
    if (queue.length === 0 || inFlight < maxInFlight) return
    if (inFlight < hardInFlight) start(take())
    // At the hard cap only a finishing batch can help, and it reschedules by itself.
    if (queue.length > 0 && inFlight < hardInFlight) armOverflow()
  }

  /** Takes the next batch: a run of single records up to maxBatch, or one atomic group alone. */
  function take (): PendingRecord<R>[] | PendingGroup<R> {
    const head = queue[0]
    if (head instanceof PendingGroup) {
      queue.shift()
      queuedRows -= head.records.length
      return head
    }
    let n = 1
    while (n < queue.length && n < maxBatch && !(queue[n] instanceof PendingGroup)) n++
    const batch = n === queue.length ? queue : queue.slice(0, n)
    queue = n === queue.length ? [] : queue.slice(n)
    queuedRows -= n
    return batch as PendingRecord<R>[]
  }

  function start (work: PendingRecord<R>[] | PendingGroup<R>) {
    const started = performance.now()
    const rows = work instanceof PendingGroup ? work.records.length : work.length
    inFlight++
    inFlightRows += rows
    const done = work instanceof PendingGroup ? writeGroup(work) : writeRecords(dedupe(work))
    done.catch((err) => {
      // Not reached unless the writer itself has a bug; settle nothing twice, but report it.
      observer.unexpected?.(err)
    }).finally(() => {
      inFlight--
      inFlightRows -= rows
      // A slot is free again: the regular path takes the queue, the overflow clock restarts.
      if (overflowTimer !== undefined) {
        clearTimeout(overflowTimer)
        overflowTimer = undefined
      }
      observer.batch?.(rows, (performance.now() - started) / 1000)
      if (queue.length === 0 && inFlight === 0) {
        const waiters = idleWaiters
        idleWaiters = []
        for (const wake of waiters) wake()
      } else {
        schedule()
      }
    })
  }

  /**
   * Two requests with one Idempotency-Key in one batch: only the first is written, the second is
   * answered with the first's id. (Across concurrent batches the unique index does the same job.)
   */
  function dedupe (batch: PendingRecord<R>[]): PendingRecord<R>[] {
    let leaders: Map<string, PendingRecord<R>> | undefined
    let sent: PendingRecord<R>[] | undefined
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i]
      const key = pending.key
      if (key === undefined) {
        sent?.push(pending)
        continue
      }
      leaders ??= new Map()
      const leader = leaders.get(key)
      if (leader === undefined) {
        leaders.set(key, pending)
        sent?.push(pending)
      } else {
        (leader.followers ??= []).push(pending)
        sent ??= batch.slice(0, i)
      }
    }
    const written = sent ?? batch
    // Rows with keys go in one order in every batch, so two concurrent batches holding the same keys
    // wait on each other in that order instead of deadlocking (the order of other rows is free).
    if (leaders !== undefined && leaders.size > 1) written.sort(byKey)
    return written
  }

  function settleCommitted (pending: PendingRecord<R>) {
    pending.resolve(undefined)
    if (pending.followers) {
      replay(pending.followers, { id: target.id(pending.record), received_at: target.receivedAt(pending.record) }, pending.record)
    }
  }

  /**
   * Answers requests whose Idempotency-Key is held by `holder`, made from `original`: with the
   * holder when they repeat its payload, else 422 (the key was reused for another record).
   */
  function replay (list: PendingRecord<R>[], holder: Replayed, original: R) {
    for (const pending of list) {
      if (target.samePayload(original, pending.record)) {
        observer.replayed?.(1)
        pending.resolve(holder)
      } else {
        observer.rejected?.('invalid', 1)
        pending.reject(keyReused())
      }
      if (pending.followers) replay(pending.followers, holder, original)
    }
  }

  function fail (pending: PendingRecord<R>, err: Error, reason: RejectReason) {
    observer.rejected?.(reason, 1)
    pending.reject(err)
    // Followers carry other bodies that may well succeed: back to the front of the queue.
    if (pending.followers) {
      queue = [...pending.followers, ...queue]
      queuedRows += pending.followers.length
      schedule()
    }
  }

  async function withClient<T> (work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect()
      // pg-pool removes its own listener while a client is checked out: a connection killed between
      // two statements (pg_terminate_backend, a restart) would emit an unhandled 'error' and crash
      // the process. The next statement on it fails anyway, and is retried.
      let broken: Error | undefined
      const onError = (err: Error) => { broken = err }
      client.on('error', onError)
      try {
        const result = await work(client)
        client.off('error', onError)
        client.release(broken)
        return result
      } catch (err) {
        client.off('error', onError)
        const lost = broken !== undefined || isConnectionLost(err)
        // A broken connection is destroyed, not returned to the pool.
        client.release(lost ? (broken ?? err as Error) : undefined)
        if (attempt > 1) throw err
        // Lost with its connection: once more on a fresh one.
        if (lost) continue
        // Rolled back by a deadlock (keys met another writer holding them in another order): once
        // more after the other writer has had a moment to finish, else the records are answered 503.
        if (isTransientConflict(err)) {
          await sleep(20 + Math.random() * 30)
          continue
        }
        throw err
      }
    }
  }

  async function writeRecords (batch: PendingRecord<R>[]): Promise<void> {
    // undefined: every row went in (the common case); else what holds each row's id or key.
    let found: Map<number, Resolution> | undefined
    try {
      found = await withClient(async (client) => {
        const inserted = await target.insert(client, batch.length === 1 ? `[${batch[0].json}]` : `[${batch.map(jsonOf).join(',')}]`)
        return inserted === batch.length ? undefined : target.resolve(client, batch.map(recordOf))
      })
    } catch (err) {
      if (batch.length > 1 && isDataError(err)) {
        // One bad row fails the whole statement: halve until it is alone, so its neighbours commit.
        const middle = batch.length >>> 1
        await writeRecords(batch.slice(0, middle))
        await writeRecords(batch.slice(middle))
        return
      }
      const answer = toIngestError(err, target)
      const reason: RejectReason = (answer as { statusCode?: number }).statusCode === 503 ? 'unavailable' : isDataError(err) ? 'invalid' : 'error'
      if (reason === 'error') observer.unexpected?.(err)
      for (const pending of batch) fail(pending, answer, reason)
      return
    }

    if (found === undefined) {
      for (const pending of batch) settleCommitted(pending)
      notifyCommitted(batch.map(recordOf))
      return
    }
    const committed: R[] = []
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i]
      const holder = found.get(i)
      if (holder === undefined) {
        const problem = target.missing(pending.record)
        if (problem !== undefined) fail(pending, unprocessable([problem]), 'invalid')
        else fail(pending, new ingestErrors.RetryLater(), 'unavailable')
      } else if (holder.id === target.id(pending.record)) {
        // Written by this statement, or by an attempt whose answer was lost with its connection.
        committed.push(pending.record)
        settleCommitted(pending)
      } else if (holder.samePayload) {
        // Its followers in this batch are held to its payload, which is the holder's.
        replay([pending], { id: holder.id, received_at: holder.receivedAt.toISOString() }, pending.record)
      } else {
        // Its followers may repeat the holder's payload: they go back to the queue and are resolved on their own.
        fail(pending, keyReused(), 'invalid')
      }
    }
    if (committed.length > 0) notifyCommitted(committed)
  }

  async function writeGroup (group: PendingGroup<R>): Promise<void> {
    try {
      await withClient(async (client) => {
        await client.query('BEGIN')
        let open = true
        try {
          const inserted = await target.insert(client, group.json)
          if (inserted !== group.records.length) {
            const found = await target.resolve(client, group.records)
            // A row holding its own id was written now or by an attempt that lost its connection; any other is refused.
            const problems: RecordProblem[] = []
            group.records.forEach((record, i) => {
              if (found.get(i)?.id === target.id(record)) return
              const problem = target.missing(record) ?? REFUSED
              problems.push({ ...problem, path: `/${i}${problem.path}` })
            })
            if (problems.length > 0) {
              open = false
              await client.query('ROLLBACK')
              throw unprocessable(problems)
            }
          }
          await client.query('COMMIT')
          open = false
        } finally {
          if (open) await client.query('ROLLBACK').catch(() => {})
        }
      })
    } catch (err) {
      const answer = (err as { statusCode?: number }).statusCode === 422 ? err as Error : toIngestError(err, target)
      const status = (answer as { statusCode?: number }).statusCode
      const reason: RejectReason = status === 503 ? 'unavailable' : status === 422 ? 'invalid' : 'error'
      if (reason === 'error') observer.unexpected?.(err)
      observer.rejected?.(reason, group.records.length)
      group.reject(answer)
      return
    }
    group.resolve()
    notifyCommitted(group.records)
  }

  /** After the requests are answered: a failing subscriber must not leave a committed record unanswered. */
  function notifyCommitted (records: R[]) {
    try {
      observer.committed?.(records)
    } catch (err) {
      observer.unexpected?.(err)
    }
  }

  function refuse (): Error | undefined {
    if (closing) {
      observer.rejected?.('shutting_down', 1)
      return new ingestErrors.ShuttingDown()
    }
    return undefined
  }

  return {
    /**
     * Queues one record; settles once its batch is committed: `undefined` when this request wrote it,
     * the earlier record when its Idempotency-Key was already used. Rejects with 503 when the queue is
     * full, the server is closing or Postgres is unreachable, with 422 when Postgres refuses the data.
     */
    submit (record: R): Promise<Replayed | undefined> {
      const refused = refuse()
      if (refused) return Promise.reject(refused)
      if (queuedRows >= maxQueue) {
        observer.rejected?.('overloaded', 1)
        return Promise.reject(new ingestErrors.Overloaded())
      }
      const json = target.serialize(record)
      if (typeof json !== 'string') {
        observer.rejected?.('invalid', 1)
        return Promise.reject(unprocessable([json]))
      }
      return new Promise((resolve, reject) => {
        queue.push(new PendingRecord(record, json, target.key(record), resolve, reject))
        queuedRows++
        schedule()
      })
    },

    /** Queues a batch request's records: one transaction, all committed or none. */
    submitGroup (records: R[]): Promise<void> {
      const refused = refuse()
      if (refused) return Promise.reject(refused)
      // A group larger than the whole queue is still taken when the queue is empty.
      if (queuedRows > 0 && queuedRows + records.length > maxQueue) {
        observer.rejected?.('overloaded', records.length)
        return Promise.reject(new ingestErrors.Overloaded())
      }
      const jsons: string[] = []
      const problems: RecordProblem[] = []
      records.forEach((record, i) => {
        const json = target.serialize(record)
        if (typeof json === 'string') jsons.push(json)
        else problems.push({ ...json, path: `/${i}${json.path}` })
      })
      if (problems.length > 0) {
        observer.rejected?.('invalid', records.length)
        return Promise.reject(unprocessable(problems))
      }
      return new Promise((resolve, reject) => {
        queue.push(new PendingGroup(records, `[${jsons.join(',')}]`, resolve, reject))
        queuedRows += records.length
        schedule()
      })
    },

    /** Refuses new records and resolves once every accepted one is settled (committed, or failed and answered). */
    async drain (): Promise<void> {
      closing = true
      if (queue.length === 0 && inFlight === 0) return
      await new Promise<void>((resolve) => { idleWaiters.push(resolve) })
      clearTimeout(overflowTimer)
    },

    /** Records waiting for a batch; batches being written and the records in them. */
    stats () {
      return { queued: queuedRows, inFlight, inFlightRows }
    }
  }
}

export type IngestWriter<R> = ReturnType<typeof createIngestWriter<R>>

/** A group row skipped with no reason the target can name. */
const REFUSED: RecordProblem = { path: '', message: 'Record was refused', type: 'value_error' }

function jsonOf<R> (pending: PendingRecord<R>): string { return pending.json }
function byKey<R> (a: PendingRecord<R>, b: PendingRecord<R>): number {
  const x = a.key ?? ''
  const y = b.key ?? ''
  return x < y ? -1 : x > y ? 1 : 0
}
function recordOf<R> (pending: PendingRecord<R>): R { return pending.record }
