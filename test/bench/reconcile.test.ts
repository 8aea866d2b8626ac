import assert from 'node:assert/strict'
import { test } from 'node:test'
import { reconcile, unverified } from '../../bench/reconcile.js'

const ids = (n: number, prefix = 'r') => Array.from({ length: n }, (_, i) => `${prefix}.${i}`)

test('every acknowledged alert stored once, nothing else: ok', () => {
  const sent = ids(100)
  const report = reconcile({ sent, acked: sent, rejected: [] }, { reqIds: sent })
  assert.equal(report.ok, true)
  assert.equal(report.rows, 100)
  assert.equal(report.surplus, 0)
  assert.equal(report.unknown, 0)
})

test('requests in flight at stop may or may not be committed: 0 ≤ rows − acked ≤ unknown', () => {
  const sent = ids(100)
  const acked = sent.slice(0, 90)
  const someCommitted = reconcile({ sent, acked, rejected: [] }, { reqIds: sent.slice(0, 96) })
  assert.equal(someCommitted.ok, true)
  assert.equal(someCommitted.unknown, 10)
  assert.equal(someCommitted.surplus, 6)
  assert.equal(someCommitted.unknownCommitted, 6)
  assert.equal(reconcile({ sent, acked, rejected: [] }, { reqIds: acked }).ok, true, 'none of them committed')
  assert.equal(reconcile({ sent, acked, rejected: [] }, { reqIds: sent }).ok, true, 'all of them committed')
})

test('an acknowledged alert that is not stored is loss', () => {
  const sent = ids(10)
  const report = reconcile({ sent, acked: sent, rejected: [] }, { reqIds: sent.slice(1) })
  assert.equal(report.ok, false)
  assert.equal(report.missing, 1)
  assert.deepEqual(report.samples.missing, ['r.0'])
  assert.equal(report.surplus, -1)
})

test('rows that were never sent, duplicated rows and rows stored despite an error answer all fail', () => {
  const sent = ids(10)
  const unexpected = reconcile({ sent, acked: sent, rejected: [] }, { reqIds: [...sent, 'other-run.1'] })
  assert.equal(unexpected.ok, false)
  assert.equal(unexpected.unexpected, 1)
  assert.deepEqual(unexpected.samples.unexpected, ['other-run.1'])

  const duplicated = reconcile({ sent, acked: sent, rejected: [] }, { reqIds: [...sent, 'r.3'] })
  assert.equal(duplicated.ok, false)
  assert.equal(duplicated.duplicates, 1)

  const rejected = reconcile({ sent, acked: sent.slice(0, 9), rejected: ['r.9'] }, { reqIds: sent })
  assert.equal(rejected.ok, false)
  assert.equal(rejected.storedDespiteRejection, 1)
  assert.equal(rejected.unknown, 0)
})

test('the server\'s own committed count must match the rows when it is known', () => {
  const sent = ids(10)
  assert.equal(reconcile({ sent, acked: sent, rejected: [] }, { reqIds: sent }, 10).ok, true)
  const off = reconcile({ sent, acked: sent, rejected: [] }, { reqIds: sent }, 11)
  assert.equal(off.ok, false)
  assert.equal(off.serverCommitted, 11)
})

test('samples are capped; unverified reports say why', () => {
  const sent = ids(50)
  const report = reconcile({ sent, acked: sent, rejected: [] }, { reqIds: [] })
  assert.equal(report.missing, 50)
  assert.equal(report.samples.missing.length, 10)
  const skipped = unverified('no alerts were sent')
  assert.equal(skipped.verified, false)
  assert.equal(skipped.reason, 'no alerts were sent')
})
