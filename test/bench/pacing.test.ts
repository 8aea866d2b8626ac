import assert from 'node:assert/strict'
import { test } from 'node:test'
import { closedPacer, pacedConnections, pacedPacer, spawnOffsetMs, thinkPacer } from '../../bench/pacing.js'

test('paced connections together send evenly spaced requests at the rate', () => {
  const connections = 4
  const rate = 100 // 4 connections × 25/s: each every 40 ms, staggered by 10 ms
  const due: number[] = []
  for (let i = 0; i < connections; i++) {
    const pacer = pacedPacer(1000, i, connections, rate)
    for (let k = 0; k < 3; k++) {
      const at = 1000 + i * 10 + k * 40
      assert.equal(pacer.delayMs(at - 5), 5)
      due.push(pacer.onSent(at))
    }
  }
  due.sort((a, b) => a - b)
  assert.deepEqual(due, Array.from({ length: 12 }, (_, n) => 1000 + n * 10))
})

test('a paced request that could not leave on time leaves at once and keeps its due time', () => {
  const pacer = pacedPacer(0, 0, 1, 10) // every 100 ms
  assert.equal(pacer.onSent(0), 0)
  // The answer arrived at 250 ms: two slots are overdue.
  assert.equal(pacer.delayMs(250), 0)
  assert.equal(pacer.onSent(250), 100, 'latency counts from when it was due')
  assert.equal(pacer.delayMs(260), 0)
  assert.equal(pacer.onSent(260), 200)
  assert.equal(pacer.delayMs(270), 30)
})

test('closed loop: the next request leaves when the answer arrives, measured from the send', () => {
  const pacer = closedPacer(0)
  assert.equal(pacer.delayMs(0), 0)
  assert.equal(pacer.onSent(5), 5)
  pacer.onAnswer(9, false)
  assert.equal(pacer.delayMs(9), 0)
})

test('think: wait after a task, not inside one; wait after a failure too', () => {
  const pacer = thinkPacer(500, () => 2000)
  assert.equal(pacer.delayMs(0), 500, 'the first task starts when the user spawns')
  assert.equal(pacer.onSent(500), 500)
  pacer.onAnswer(520, true)
  assert.equal(pacer.delayMs(520), 0, 'the dependent step goes at once')
  pacer.onAnswer(540, false)
  assert.equal(pacer.delayMs(540), 2000)
  pacer.onNoAnswer(3000)
  assert.equal(pacer.delayMs(3000), 2000)
})

test('spawn offsets spread connections over the ramp; paced connections cover rate × latency', () => {
  assert.deepEqual([0, 1, 2, 3].map((i) => spawnOffsetMs(i, 4, 1000)), [0, 250, 500, 750])
  assert.equal(spawnOffsetMs(0, 1, 1000), 0)
  assert.equal(pacedConnections(1000, 200), 200)
  assert.equal(pacedConnections(10, 200), 20, 'at least 20')
  assert.equal(pacedConnections(1e6, 200), 5000, 'at most 5000')
})
