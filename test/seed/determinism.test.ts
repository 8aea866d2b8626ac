// Two fresh databases seeded apart hold identical rows, ids and timestamps included.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedFixture } from '../../seed/store.js'
import { useTestDatabase } from '../helper.js'
import { agencyIdOf, snapshot } from './support.js'

const first = useTestDatabase('seed_det_a')
const second = useTestDatabase('seed_det_b')

test('deterministic: the same fixture, row for row, in two fresh databases', async () => {
  await seedFixture(first.db)
  await seedFixture(second.db, { agency: 'CITY2' }) // another agency seeded first must not shift anything
  await seedFixture(second.db)
  const a = await snapshot(first.pool, await agencyIdOf(first.pool, 'LOADTEST'))
  const b = await snapshot(second.pool, await agencyIdOf(second.pool, 'LOADTEST'))
  assert.equal(a.users.length, 350)
  assert.deepEqual(b, a)
})

test('deterministic at scale: 3 × the fixture, identical in both databases', async () => {
  await seedFixture(first.db, { agency: 'BIG', scale: 3 })
  await seedFixture(second.db, { agency: 'BIG', scale: 3 })
  const a = await snapshot(first.pool, await agencyIdOf(first.pool, 'BIG'))
  assert.equal(a.alerts.length, 300)
  assert.deepEqual(await snapshot(second.pool, await agencyIdOf(second.pool, 'BIG')), a)
})
