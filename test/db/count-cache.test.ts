// Totals of paginated lists: exact when small, reused for a while when large.
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { count, sql } from 'drizzle-orm'
import { integer, pgTable } from 'drizzle-orm/pg-core'
import { COUNT_REUSE_FACTOR, CountCache } from '../../src/core/db/count-cache.js'
import { useTestDatabase } from '../helper.js'

const database = useTestDatabase('count_cache')

// A table of this file's own; every count of it bumps a sequence, so the test sees how often Postgres counted.
const probe = pgTable('count_probe', { n: integer('n').notNull() })

let created: Promise<unknown> | undefined
/** An empty probe table holding `n` rows (created on first use, once the database exists). */
async function probeWith (n: number) {
  created ??= database.pool.query('create table count_probe (n integer not null); create sequence count_probe_runs')
  await created
  await database.pool.query('truncate count_probe')
  await insert(n)
}

const runs = async () => Number((await database.pool.query('select last_value from count_probe_runs')).rows[0].last_value)
const insert = (n: number) => database.pool.query('insert into count_probe (n) select generate_series(1, $1)', [n])

/** Counts the probe table; `sleepS` makes the count itself take that long (in Postgres, once per count). */
const countQuery = (sleepS: number, label: number) => database.db.select({ total: count() }).from(probe)
  .where(sql`(select nextval('count_probe_runs') > 0 from pg_sleep(${sleepS})) and ${label} = ${label}`)

test('a total below the threshold is never reused: it follows every insert', async () => {
  const cache = new CountCache(10)
  await probeWith(3)
  assert.equal(await cache.total(countQuery(0.03, 1)), 3)
  await insert(2)
  assert.equal(await cache.total(countQuery(0.03, 1)), 5)
})

test(`a total at the threshold is reused for ${COUNT_REUSE_FACTOR}× as long as counting it took, then counted again`, async () => {
  const cache = new CountCache(4)
  await probeWith(4)
  const first = await runs()
  const started = performance.now()
  assert.equal(await cache.total(countQuery(0.05, 2)), 4)
  const tookMs = performance.now() - started
  await insert(6)
  assert.equal(await cache.total(countQuery(0.05, 2)), 4, 'reused: the insert does not show yet')
  assert.equal(await cache.total(countQuery(0.05, 3)), 10, 'another filter is another total')
  assert.equal(await runs(), first + 2)
  await sleep(tookMs * COUNT_REUSE_FACTOR + 50)
  assert.equal(await cache.total(countQuery(0.05, 2)), 10, 'counted again once the reuse ran out')
  assert.equal(await runs(), first + 3)
})

test('concurrent requests for one total share a count; 0 turns reuse off', async () => {
  const shared = new CountCache(1)
  await probeWith(7)
  const first = await runs()
  const totals = await Promise.all(Array.from({ length: 3 }, () => shared.total(countQuery(0.05, 4))))
  assert.deepEqual(totals, [7, 7, 7])
  assert.equal(await runs(), first + 1, 'one count for three requests')

  const off = new CountCache(0)
  assert.equal(await off.total(countQuery(0.05, 5)), 7)
  await insert(1)
  assert.equal(await off.total(countQuery(0.05, 5)), 8)
  assert.equal(await runs(), first + 3)
})
