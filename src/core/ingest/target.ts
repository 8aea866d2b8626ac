import type pg from 'pg'

/** What a bad record is rejected with: a location in the request body and a message, as in a 422. */
export interface RecordProblem { path: string, message: string, type: string }

/** The row that holds a skipped record's id or Idempotency-Key. */
export interface Resolution { id: string, receivedAt: Date, samePayload: boolean }

/**
 * What the group-commit writer needs to know about one API's records (an ERIOP alert, a
 * smart-maintenance reading): the writer owns the queueing, batching, idempotency, retries and
 * bisection; the target owns the table, its SQL and what its records look like.
 *
 * A batch is ONE bind parameter (the JSON array of the records' `serialize` outputs) sent to a
 * named prepared statement, so Postgres plans it once per connection whatever the batch size.
 */
export interface IngestTarget<R> {
  /** The record's JSON for the batch, or why Postgres could never store it (answered 422 at once). */
  serialize (record: R): string | RecordProblem
  /**
   * Inserts a JSON array of serialized records, skipping (ON CONFLICT DO NOTHING, or a filter)
   * rows whose id or Idempotency-Key is already stored; returns how many rows went in.
   */
  insert (client: pg.PoolClient, jsonArray: string): Promise<number>
  /**
   * After an insert that skipped rows: index in `records` → the row holding that record's id
   * (this insert, or an attempt whose answer was lost with its connection), else the row holding
   * its Idempotency-Key; absent when neither exists.
   */
  resolve (client: pg.PoolClient, records: R[]): Promise<Map<number, Resolution>>
  /** Whether two records under one Idempotency-Key come from the same request payload. */
  samePayload (a: R, b: R): boolean
  /** The Idempotency-Key with its scope (unique across the table), or undefined when the record has none. */
  key (record: R): string | undefined
  id (record: R): string
  /** ISO-8601 time the record was received, echoed when a replay is answered with it. */
  receivedAt (record: R): string
  /**
   * A skipped record that no row holds: the problem that made the insert filter it out, or
   * undefined when the holder vanished meanwhile (answered 503, retry).
   */
  missing (record: R): RecordProblem | undefined
  /**
   * The answer to a data error Postgres raised for this table (a foreign key the API can name),
   * or undefined for the generic mapping.
   */
  dataError? (err: pg.DatabaseError): Error | undefined
}

/**
 * `insert` and `resolve` of a target whose two statements take the batch as one JSON parameter:
 * `insert` the serialized records, `resolve` the records each with its index `i`, returning
 * `(i, id, received_at, same_payload)` for the rows that hold them.
 */
export function jsonBatchStatements<R> (insert: pg.QueryConfig, resolve: pg.QueryConfig): Pick<IngestTarget<R>, 'insert' | 'resolve'> {
  return {
    async insert (client, jsonArray) {
      const result = await client.query({ ...insert, values: [jsonArray] })
      return result.rowCount ?? 0
    },
    async resolve (client, records) {
      const result = await client.query<{ i: number, id: string | null, received_at: Date | null, same_payload: boolean | null }>({
        ...resolve, values: [JSON.stringify(records.map((record, i) => ({ ...record, i })))]
      })
      const found = new Map<number, Resolution>()
      for (const row of result.rows) {
        if (row.id !== null) found.set(row.i, { id: row.id, receivedAt: row.received_at!, samePayload: row.same_payload === true })
      }
      return found
    }
  }
}
