import pg from 'pg'

async function withClient<T> (url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'eriop-bench', connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export interface RunRows {
  /** raw_payload.req_id of every row of the run, one entry per row. */
  reqIds: string[]
  /** Rows whose source_id is not their req_id (the payload was altered on the way). */
  mismatchedSourceIds: number
}

/**
 * Every alert row a run produced, straight from Postgres (not through the API). There is no index
 * on raw_payload, so this scans the alerts table: seconds for a few million rows.
 */
export async function fetchRunRows (url: string, runId: string): Promise<RunRows> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ req_id: string, source_id: string | null }>(
      "select raw_payload->>'req_id' as req_id, source_id from alerts where raw_payload->>'run_id' = $1",
      [runId]
    )
    return {
      reqIds: rows.map((r) => r.req_id),
      mismatchedSourceIds: rows.filter((r) => r.source_id !== r.req_id).length
    }
  })
}

/**
 * Removes a run's alerts, so repeated runs do not grow the fixture's tables without bound, and
 * vacuums the table: a hundred thousand dead rows left behind would slow the next run's
 * pending-alert lists until autovacuum came round.
 */
export async function deleteRunRows (url: string, runId: string): Promise<number> {
  return withClient(url, async (client) => {
    const { rowCount } = await client.query("delete from alerts where raw_payload->>'run_id' = $1", [runId])
    await client.query('vacuum (analyze) alerts')
    return rowCount ?? 0
  })
}

/**
 * How long a durable commit takes on this Postgres right now: `select txid_current()` in
 * autocommit assigns a transaction id, so its commit waits for the WAL flush. A few
 * milliseconds or more means Postgres or the disk is busy with something else, and the
 * run's figures will show it.
 */
export async function probeCommitMs (url: string, samples = 20): Promise<{ medianMs: number, maxMs: number }> {
  return withClient(url, async (client) => {
    const times: number[] = []
    for (let i = 0; i < samples; i++) {
      const started = performance.now()
      await client.query('select txid_current()')
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    return { medianMs: times[Math.floor(times.length / 2)], maxMs: times[times.length - 1] }
  })
}
