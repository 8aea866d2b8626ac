// Recent readings (bounded, newest first) and predictions computed from the stored readings:
// deterministic, and moved by the request's features and by the sensor's history.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedFixture } from '../../../src/apis/smart-maintenance/fixture/store.js'
import { buildSm, useSmartMaintenanceDatabase } from './support.js'

const database = useSmartMaintenanceDatabase('readings')

test('recent: newest first, at most `limit`, 404 for a sensor nobody knows, 200 [] for a registered one without readings', async (t) => {
  await seedFixture(database.db)
  const app = await buildSm(t, database.url)
  const res = await app.inject('/api/v1/data/sensor/sensor_001/recent?limit=20')
  assert.equal(res.statusCode, 200, res.body)
  const body = res.json()
  assert.equal(body.sensor_id, 'sensor_001')
  assert.equal(body.count, 20)
  const times = body.readings.map((r: { timestamp: string }) => Date.parse(r.timestamp))
  assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first')
  assert.equal(body.readings[0].timestamp, '2026-01-01T00:00:00.000Z')

  // A reading ingested now is the newest.
  const ingested = await app.inject({ method: 'POST', url: '/api/v1/data/ingest', payload: { sensor_id: 'sensor_001', value: 47, temperature: 47 } })
  const newest = (await app.inject('/api/v1/data/sensor/sensor_001/recent?limit=1')).json()
  assert.equal(newest.readings[0].event_id, ingested.json().event_id)

  assert.equal((await app.inject('/api/v1/data/sensor/sensor_001/recent')).json().count, 50, 'default limit')
  assert.equal((await app.inject('/api/v1/data/sensor/sensor_001/recent?limit=501')).statusCode, 422)
  assert.equal((await app.inject('/api/v1/data/sensor/sensor_001/recent?limit=0')).statusCode, 422)
  const unknown = await app.inject('/api/v1/data/sensor/nobody/recent')
  assert.equal(unknown.statusCode, 404)
  assert.deepEqual(unknown.json(), { detail: 'Sensor not found', code: 'NOT_FOUND' })
  const nul = await app.inject('/api/v1/data/sensor/a%00b/recent')
  assert.equal(nul.statusCode, 422, nul.body)
  assert.deepEqual(nul.json().detail[0].loc, ['path', 'sensor_id'])
  // Longer than any sensor id: the router refuses it before the route runs.
  assert.equal((await app.inject(`/api/v1/data/sensor/${'x'.repeat(101)}/recent`)).statusCode, 400)

  await database.pool.query("insert into smart_maintenance.sensors (sensor_id, sensor_type) values ('new_sensor', 'general')")
  assert.deepEqual((await app.inject('/api/v1/data/sensor/new_sensor/recent')).json(), { sensor_id: 'new_sensor', count: 0, readings: [] })

  // The query walks the (sensor_id, timestamp) index and stops at the limit: no sort.
  await database.pool.query('analyze smart_maintenance.sensor_readings')
  const plan = await database.pool.query(`explain select * from smart_maintenance.sensor_readings where sensor_id = 'sensor_001'
    order by timestamp desc nulls last limit 20`)
  const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n')
  assert.match(text, /Index Scan using sensor_readings_sensor_time_idx/)
  assert.doesNotMatch(text, /Sort/)
})

test('predictions: same request, same answer; farther from the baseline, higher scores; unknown sensor 404', async (t) => {
  await seedFixture(database.db)
  const app = await buildSm(t, database.url)
  const predict = async (kind: 'anomaly' | 'failure', sensorId: string, features: Record<string, number>) => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/ml/predict/${kind}`, payload: { sensor_id: sensorId, features } })
    assert.equal(res.statusCode, 200, res.body)
    return res.json()
  }
  // sensor_002's baseline (see fixture/history.ts): temperature ≈ 46, pressure ≈ 2.6, vibration ≈ 0.85, humidity ≈ 56.
  const typical = { temperature: 46, pressure: 2.6, vibration: 0.85, humidity: 56 }
  const a1 = await predict('anomaly', 'sensor_002', typical)
  assert.deepEqual(await predict('anomaly', 'sensor_002', typical), a1, 'deterministic')
  assert.equal(a1.is_anomaly, false)
  assert.ok(a1.anomaly_score < 0.2, `typical reading scores low: ${a1.anomaly_score}`)
  assert.equal(a1.baseline_readings, 288)
  assert.deepEqual(a1.features.map((f: { name: string }) => f.name), ['temperature', 'pressure', 'vibration', 'humidity'])

  const hot = await predict('anomaly', 'sensor_002', { ...typical, temperature: 80, vibration: 2 })
  assert.equal(hot.is_anomaly, true)
  assert.ok(hot.anomaly_score > 0.9, `far reading scores high: ${hot.anomaly_score}`)
  const feature = hot.features.find((f: { name: string }) => f.name === 'temperature')
  assert.ok(Math.abs(feature.z_score - (80 - feature.mean) / feature.stddev) < 1e-3)

  const f1 = await predict('failure', 'sensor_002', typical)
  assert.deepEqual(await predict('failure', 'sensor_002', typical), f1)
  const f2 = await predict('failure', 'sensor_002', { ...typical, vibration: 1.5 })
  assert.ok(f2.failure_probability > f1.failure_probability, `${f2.failure_probability} > ${f1.failure_probability}`)
  assert.equal(f1.risk_level, 'low')

  // The stress rigs' vibration rises in their history: the trend adds to the projected deviation.
  const rig = await predict('failure', 'stress_sensor_1', { vibration: 2.2 })
  assert.ok(rig.features[0].trend_per_hour > 0.01, `trend ${rig.features[0].trend_per_hour}`)
  assert.ok(rig.features[0].projected_z_score > rig.features[0].z_score)

  // New readings move the baseline.
  for (let i = 0; i < 50; i++) {
    await app.inject({ method: 'POST', url: '/api/v1/data/ingest', payload: { sensor_id: 'sensor_002', ...typical, temperature: 80, timestamp: 1767225600 + 60 * (i + 1) } })
  }
  const moved = await predict('anomaly', 'sensor_002', { ...typical, temperature: 80 })
  const before = await predict('anomaly', 'sensor_003', { ...typical, temperature: 80 })
  assert.ok(moved.features[0].mean > a1.features[0].mean + 3, 'the mean followed the new readings')
  assert.ok(moved.anomaly_score < before.anomaly_score)

  for (const kind of ['anomaly', 'failure']) {
    const unknown = await app.inject({ method: 'POST', url: `/api/v1/ml/predict/${kind}`, payload: { sensor_id: 'nobody', features: typical } })
    assert.equal(unknown.statusCode, 404)
    const nothing = await app.inject({ method: 'POST', url: `/api/v1/ml/predict/${kind}`, payload: { sensor_id: 'sensor_001', features: { torque: 3 } } })
    assert.equal(nothing.statusCode, 422)
    assert.deepEqual(nothing.json().detail[0].loc, ['body', 'features'])
    const bad = await app.inject({ method: 'POST', url: `/api/v1/ml/predict/${kind}`, payload: { sensor_id: 'sensor_001', features: { temperature: 'hot' } } })
    assert.equal(bad.statusCode, 422)
    const missing = await app.inject({ method: 'POST', url: `/api/v1/ml/predict/${kind}`, payload: { sensor_id: 'sensor_001' } })
    assert.equal(missing.statusCode, 422)
  }
})

test('models/list: the two models the prediction routes serve', async (t) => {
  const app = await buildSm(t, database.url)
  const res = await app.inject('/api/v1/ml/models/list')
  assert.equal(res.statusCode, 200)
  assert.deepEqual(res.json().models.map((m: { endpoint: string }) => m.endpoint), ['/api/v1/ml/predict/anomaly', '/api/v1/ml/predict/failure'])
})
