// Two fresh databases seeded apart hold identical rows, ids and timestamps included.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { seedFixture } from '../../../../src/apis/eriop/fixture/store.js'
import { useTestDatabase } from '../../../helper.js'
import { agencyIdOf, snapshot } from './support.js'

/**
 * The standard fixture's every row, pinned: what another machine (or a later checkout) must produce.
 * A faker upgrade or a factory change that alters any row fails here; such a change bumps
 * FIXTURE_VERSION (seed/fixture.ts) and this digest together.
 */
const STANDARD_FIXTURE_SHA256 = 'b5eca27121df40d75756db5c7ce9ec90b100ff026a09a07044c6a582069c8d1d'

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
  assert.equal(createHash('sha256').update(JSON.stringify(a)).digest('hex'), STANDARD_FIXTURE_SHA256,
    'the standard fixture changed: if on purpose, bump FIXTURE_VERSION and this digest')
})

test('deterministic at scale: 3 × the fixture, identical in both databases', async () => {
  await seedFixture(first.db, { agency: 'BIG', scale: 3 })
  await seedFixture(second.db, { agency: 'BIG', scale: 3 })
  const a = await snapshot(first.pool, await agencyIdOf(first.pool, 'BIG'))
  assert.equal(a.alerts.length, 300)
  assert.deepEqual(await snapshot(second.pool, await agencyIdOf(second.pool, 'BIG')), a)
})
