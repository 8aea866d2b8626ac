import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import pg from 'pg'
import { ensureDatabase, prepareDatabase, runMigrations } from '../../src/core/db/migrate.js'
import { ERIOP_MIGRATIONS } from '../../src/apis/eriop/migrations.js'
import { databaseUrl, dropDatabase } from '../helper.js'

const name = `eriop_test_migrations_${process.pid}`
const url = databaseUrl(name)
after(() => dropDatabase(name))

async function query<T extends pg.QueryResultRow> (sql: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try { return (await client.query<T>(sql)).rows } finally { await client.end() }
}

test('an empty server: the database is created and every migration applied; a second run changes nothing', async () => {
  await dropDatabase(name)
  assert.equal(await ensureDatabase(url), true)
  assert.equal(await ensureDatabase(url), false, 'exists now')
  await runMigrations(url, ERIOP_MIGRATIONS)

  const tables = (await query<{ tablename: string }>("select tablename from pg_tables where schemaname = 'public' order by 1")).map((r) => r.tablename)
  assert.deepEqual(tables, ['agencies', 'alerts', 'buildings', 'incidents', 'resources', 'users'])
  const enums = (await query<{ typname: string }>("select typname from pg_type where typtype = 'e' order by 1")).map((r) => r.typname)
  assert.deepEqual(enums, ['alert_severity', 'alert_source', 'alert_status', 'building_type', 'construction_type', 'hazard_level',
    'incident_category', 'incident_status', 'occupancy_type', 'resource_status', 'resource_type', 'user_role'])
  const [{ n: applied }] = await query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations')
  await prepareDatabase(url, ERIOP_MIGRATIONS)
  const [{ n: again }] = await query<{ n: string }>('select count(*) as n from drizzle.__drizzle_migrations')
  assert.equal(again, applied)
})

test('concurrent migrations (replicas starting together) do not race', async () => {
  await dropDatabase(name)
  await Promise.all([prepareDatabase(url, ERIOP_MIGRATIONS), prepareDatabase(url, ERIOP_MIGRATIONS), prepareDatabase(url, ERIOP_MIGRATIONS)])
  const [{ n }] = await query<{ n: string }>("select count(*) as n from pg_tables where schemaname = 'public'")
  assert.equal(Number(n), 6)
})

test('agency deletion cascades to everything under it and nothing else', async () => {
  const fks = await query<{ table: string, column: string, rule: string }>(`
    select tc.table_name as table, kcu.column_name as column, rc.delete_rule as rule
    from information_schema.referential_constraints rc
    join information_schema.table_constraints tc on tc.constraint_name = rc.constraint_name
    join information_schema.key_column_usage kcu on kcu.constraint_name = rc.constraint_name
    where kcu.column_name = 'agency_id' order by 1`)
  assert.deepEqual(fks.map((f) => `${f.table}:${f.rule}`), ['alerts:CASCADE', 'buildings:CASCADE', 'incidents:CASCADE', 'resources:CASCADE', 'users:CASCADE'])
})

test('the list queries are served by indexes', async () => {
  const indexes = (await query<{ indexname: string }>("select indexname from pg_indexes where schemaname = 'public'")).map((r) => r.indexname)
  for (const index of ['alerts_pending_idx', 'incidents_active_idx', 'resources_agency_status_idx', 'alerts_idempotency_key_idx']) {
    assert.ok(indexes.includes(index), index)
  }
  const plan = await query<{ 'QUERY PLAN': string }>(`explain select * from alerts
    where agency_id = '00000000-0000-4000-8000-000000000000' and status = 'pending'
    order by severity asc, created_at desc limit 100`)
  assert.match(plan.map((r) => r['QUERY PLAN']).join('\n'), /alerts_pending_idx/)
})
