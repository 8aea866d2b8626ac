// bench --faults: the schedule file, the retrying driver, the split of failures, the loss check
// with retries, and one tiny end-to-end run against a server the bench starts.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { phaseFaults, readSchedule } from '../../bench/faults.js'
import type { ConnectionDriver } from '../../bench/load.js'
import { retrying } from '../../bench/loader.js'
import { parseBenchArgs, UsageError } from '../../bench/options.js'
import type { PlannedRequest } from '../../bench/personas.js'
import { reconcile } from '../../bench/reconcile.js'
import type { BenchResult, TimelinePoint } from '../../bench/types.js'
import { useTestDatabase } from '../helper.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const database = useTestDatabase('bench_faults')

describe('fault schedules', () => {
  it('the shipped examples are valid; a bad one is refused naming the field', async (t) => {
    assert.equal(readSchedule(join(ROOT, 'faults/examples/ingest-storm.json')).rules, 3)
    assert.deepEqual(readSchedule(join(ROOT, 'faults/examples/ingest-storm.json')).resourceActions, ['pg-lock', 'redis-pause'])
    assert.equal(readSchedule(join(ROOT, 'faults/examples/slow-and-flaky.json')).rules, 3)
    const dir = await mkdtemp(join(tmpdir(), 'eriop-faults-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ name: 'x', rules: [{ action: { type: 'error', status: 200 } }] }))
    assert.throws(() => readSchedule(join(dir, 'bad.json')), /body\.rules\.0\.action\.status/)
    assert.throws(() => parseBenchArgs(['ingest', '--faults', join(dir, 'bad.json')]), UsageError)
    assert.throws(() => parseBenchArgs(['ingest', '--faults', join(dir, 'missing.json')]), UsageError)
    assert.throws(() => parseBenchArgs(['ingest', '--url', 'http://127.0.0.1:8000', '--faults', join(ROOT, 'faults/examples/ingest-storm.json')]), /apply to a server the bench starts/)
  })
})

describe('the retrying driver', () => {
  it('sends an ingest answered 5xx, 429 or not at all again: same body and Idempotency-Key, a new fault key', () => {
    let n = 0
    const inner: ConnectionDriver = {
      headers: {},
      pacer: undefined as unknown as ConnectionDriver['pacer'],
      next: (): PlannedRequest => ({ method: 'POST', route: '/api/v1/alerts/ingest', path: '/api/v1/alerts/ingest', reqId: `run1.0.3.${n++}`, body: `{"n":${n}}` }),
      observe: () => false,
      abandon: () => {}
    }
    const d = retrying(inner, 'run1')
    const first = d.next()
    assert.equal(first.idempotencyKey, 'run1.0.3.0')
    assert.equal(first.faultKey, '0.3.0#0')
    d.observe(503, '')
    const second = d.next()
    assert.equal(second.body, first.body)
    assert.equal(second.idempotencyKey, first.idempotencyKey)
    assert.equal(second.faultKey, '0.3.0#1')
    d.abandon()
    assert.equal(d.next().faultKey, '0.3.0#2')
    d.observe(429, '')
    assert.equal(d.next().faultKey, '0.3.0#3')
    d.observe(201, '{}')
    const next = d.next()
    assert.equal(next.reqId, 'run1.0.3.1')
    assert.equal(next.faultKey, '0.3.1#0')
    d.observe(422, '')
    assert.equal(d.next().reqId, 'run1.0.3.2', 'a 422 is final')
  })
})

describe('loss check with retries', () => {
  it('an alert refused, then acknowledged on retry, stored once, is no loss', () => {
    const loss = reconcile({ sent: ['a', 'a', 'b', 'c', 'c', 'c'], acked: ['a', 'b', 'c'], rejected: ['a'] }, { reqIds: ['a', 'b', 'c'] }, 3)
    assert.equal(loss.ok, true)
    assert.equal(loss.sent, 3)
    assert.equal(loss.retries, 3)
    assert.equal(loss.rejected, 0)
    assert.equal(loss.duplicates, 0)
  })

  it('a retry that wrote a second row is caught', () => {
    const loss = reconcile({ sent: ['a', 'a'], acked: ['a'], rejected: [] }, { reqIds: ['a', 'a'] })
    assert.equal(loss.ok, false)
    assert.equal(loss.duplicates, 1)
  })
})

describe('failures split by phaseFaults', () => {
  it('marks injected faults per second and tells injected, in-window and genuine failures apart', () => {
    const start = 1_000_000
    const at = (s: number) => start + s * 1000
    const timeline: TimelinePoint[] = [1, 2, 3, 4, 5, 6].map((t) => ({ t, ok: 100, failed: [0, 0, 3, 10, 1, 2][t - 1], answered: 100, p50: 1, p95: 2, p99: 3 }))
    const entries = [
      { at: '', atMs: at(2.5), rule: 'e', action: 'error', route: '/x' },
      { at: '', atMs: at(2.6), rule: 'e', action: 'error', route: '/x' },
      { at: '', atMs: at(2.7), rule: 'd', action: 'delay', route: '/x' },
      { at: '', atMs: at(3.0), rule: 'lock', action: 'pg-lock', route: '*', detail: { forMs: 1000 } },
      { at: '', atMs: at(5.2), rule: 'e', action: 'reset', route: '/x' },
      { at: '', atMs: at(99), rule: 'e', action: 'error', route: '/x' }
    ]
    const { faults, timeline: marked } = phaseFaults(entries, timeline, { startWallMs: start, endWallMs: at(7), warmupS: 1, postedWallMs: at(1) })
    assert.deepEqual(marked.map((p) => p.injected), [0, 0, 2, 0, 0, 1])
    assert.equal(faults.injected, 5)
    assert.deepEqual(faults.byAction, { error: 2, delay: 1, 'pg-lock': 1, reset: 1 })
    assert.deepEqual(faults.windows, [{ rule: 'lock', action: 'pg-lock', fromS: 3, toS: 4 }])
    assert.equal(faults.postedAtS, 1)
    // Seconds 2–6 measured: 16 failed; 3 injected; second 3's other 1 and second 4's 10 inside the window; 1 + 1 genuine.
    assert.deepEqual(faults.failures, { total: 16, injected: 3, duringWindows: 11, genuine: 2 })
  })
})

test('npm run bench -- ingest --faults: retries with the same key, every acknowledged alert stored once, faults marked', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'eriop-bench-faults-'))
  t.after(() => rm(out, { recursive: true, force: true }))
  const schedule = join(out, 'schedule.json')
  await writeFile(schedule, JSON.stringify({
    name: 'test-storm',
    rules: [
      { id: 'ghost', match: { method: 'POST', route: '/api/v1/alerts/ingest' }, probability: 0.1, stage: 'after', action: { type: 'error', status: 503 } },
      { id: 'cut', match: { method: 'POST', route: '/api/v1/alerts/ingest' }, probability: 0.03, action: { type: 'reset' } },
      { id: 'lock', after: '1s', for: '1s', action: { type: 'pg-lock' } }
    ]
  }))
  const { code, output } = await new Promise<{ code: number | null, output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/cli.ts', 'ingest', '--database-url', database.url, '--faults', schedule,
      '--rate', '60', '--connections', '8', '--duration', '3', '--warmup', '1', '--pool', '3', '--out', out, '--quiet',
      '--server-env', 'DB_LOCK_TIMEOUT_MS=300', '--p95', '10000', '--p99', '20000', '--min-throughput', '1'], {
      cwd: ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe']
    })
    let text = ''
    child.stdout.on('data', (c: Buffer) => { text += c.toString() })
    child.stderr.on('data', (c: Buffer) => { text += c.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000)
    child.once('error', reject)
    child.once('exit', (c) => { clearTimeout(timer); resolve({ code: c, output: text }) })
  })
  assert.ok(code === 0 || code === 1, `no loss and no crash (exit ${code}):\n${output}`)
  const json = (await readdir(out)).find((f) => f.startsWith('ingest-') && f.endsWith('.json'))
  const result = JSON.parse(await readFile(join(out, json!), 'utf8')) as BenchResult
  assert.equal(result.loss.verified, true)
  assert.equal(result.loss.ok, true, JSON.stringify(result.loss))
  assert.equal(result.loss.duplicates + result.loss.missing + result.loss.storedDespiteRejection, 0)
  assert.ok(result.loss.retries > 0, 'the loader retried')
  assert.equal(result.faults?.seed, 'bench-1')
  for (const phase of result.phases) {
    assert.ok(phase.faults, `${phase.name} has its faults`)
    assert.ok((phase.faults.byAction.error ?? 0) > 0, `${phase.name}: errors injected`)
    assert.equal(phase.faults.windows.length, 1, `${phase.name}: the lock window`)
    assert.ok(phase.timeline.some((p) => (p.injected ?? 0) > 0), 'marked per second')
  }
  const html = await readFile(join(out, json!.replace(/\.json$/, '.html')), 'utf8')
  assert.match(html, /injected faults/)
  assert.match(html, /faults injected/)
})
