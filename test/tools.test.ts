// A test that needs a missing program is skipped on a developer's machine, and fails in CI.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { runs, skipUnless } from './tools.js'

test('a missing program: a skip reason locally, an error with CI=true; a present one: no skip', () => {
  assert.equal(runs('a-program-that-does-not-exist-anywhere'), false)
  assert.equal(runs(process.execPath), true)
  assert.equal(skipUnless(false, 'locust is not installed', {}), 'locust is not installed')
  assert.throws(() => skipUnless(false, 'locust is not installed', { CI: 'true' }), /locust is not installed: with CI=true a test may not be skipped/)
  assert.equal(skipUnless(true, 'x', { CI: 'true' }), false)
})
