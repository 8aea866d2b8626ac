// The smart-maintenance fixture: the suite's sensors with a deterministic history, through the
// seed CLI (seed, verify, export, clean, reset) and the API module, idempotent.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fixtureHistory } from '../../../src/apis/smart-maintenance/fixture/history.js'
import { smartMaintenance } from '../../../src/apis/smart-maintenance/index.js'
import { runCli } from '../eriop/seed/support.js'
import { countReadings, useSmartMaintenanceDatabase } from './support.js'

const database = useSmartMaintenanceDatabase('fixture')
const SENSORS = ['sensor_001', 'sensor_002', 'sensor_003', 'load_test_sensor', ...Array.from({ length: 10 }, (_, i) => `stress_sensor_${i + 1}`)]

test('the history is the same on every run and looks like sensors', () => {
  const a = fixtureHistory()
  const b = fixtureHistory()
  assert.deepEqual(a, b)
  assert.equal(a.length, SENSORS.length * 288)
  assert.deepEqual([...new Set(a.map((r) => r.sensorId))], SENSORS)
  const temps = a.filter((r) => r.sensorId === 'sensor_001').map((r) => r.temperature)
  const mean = temps.reduce((x, y) => x + y, 0) / temps.length
  assert.ok(mean > 40 && mean < 50, `mean ${mean}`)
  assert.ok(new Set(temps).size > 200, 'values vary')
  assert.ok(a.filter((r) => r.sensorId === 'sensor_001').every((r) => r.value === r.temperature), 'a temperature sensor\'s value is its temperature')
})

test('seed, verify, export, clean and reset through `npm run seed -- --api smart-maintenance`', async () => {
  const env = { DATABASE_URL: database.url }
  const seeded = await runCli(['--api', 'smart-maintenance'], env)
  assert.equal(seeded.code, 0, seeded.stderr)
  assert.match(seeded.stdout, /14 sensors, 4,032 sensor_readings/)
  assert.equal(await smartMaintenance.fixture.present(database.db), true)

  const again = await runCli(['--api', 'smart-maintenance', 'seed'], env)
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stdout, /0 sensor_readings/, 'idempotent: nothing written twice')

  const verified = await runCli(['--api', 'smart-maintenance', 'verify'], env)
  assert.equal(verified.code, 0, verified.stdout)

  // A changed value is found.
  await database.pool.query("update smart_maintenance.sensor_readings set temperature = temperature + 1 where id = (select id from smart_maintenance.sensor_readings where sensor_id = 'sensor_002' limit 1)")
  const broken = await runCli(['--api', 'smart-maintenance', 'verify'], env)
  assert.equal(broken.code, 1)
  assert.match(broken.stdout, /history values/)

  const exported = await runCli(['--api', 'smart-maintenance', 'export', '--format', 'json'], env)
  assert.equal(exported.code, 0, exported.stderr)
  const rows = JSON.parse(exported.stdout) as { sensor_id: string, readings: number }[]
  assert.deepEqual(rows.map((r) => r.sensor_id).sort(), [...SENSORS].sort())
  assert.ok(rows.every((r) => r.readings === 288))

  // Load-test readings go with clean; reset restores the seeded state.
  await database.pool.query("insert into smart_maintenance.sensor_readings (id, sensor_id, sensor_type, quality, timestamp, correlation_id, received_at) values (gen_random_uuid(), 'sensor_001', 'general', 1, now(), gen_random_uuid(), now())")
  const reset = await runCli(['--api', 'smart-maintenance', 'reset'], env)
  assert.equal(reset.code, 0, reset.stderr)
  assert.equal(await countReadings(database.pool), 4032)
  assert.equal((await runCli(['--api', 'smart-maintenance', 'verify'], env)).code, 0)

  const cleaned = await runCli(['--api', 'smart-maintenance', 'clean'], env)
  assert.equal(cleaned.code, 0, cleaned.stderr)
  assert.equal(await countReadings(database.pool), 0)
  assert.equal(await smartMaintenance.fixture.empty(database.db), true)
  assert.equal((await runCli(['--api', 'smart-maintenance', 'verify'], env)).code, 1)
})
