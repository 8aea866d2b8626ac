// `npm run bench` end to end, tiny and bounded: the CLI starts the server on this file's own
// database, seeds it, runs the personas for a few seconds and checks the loss.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { BenchResult } from '../../bench/types.js'
import { useTestDatabase } from '../helper.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const database = useTestDatabase('bench_e2e')

function bench (args: string[]): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

test('a usage error exits 2 without starting anything', async () => {
  const { code, output } = await bench(['soak'])
  assert.equal(code, 2)
  assert.match(output, /unknown scenario "soak"/)
})

test('baseline, tiny, on two loader processes: exit 0, every persona endpoint answered, no alert lost', async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'eriop-bench-e2e-'))
  t.after(() => rm(out, { recursive: true, force: true }))
  const { code, output } = await bench([
    'baseline', '--database-url', database.url, '--connections', '12', '--duration', '3', '--warmup', '1', '--spawn-rate', '24',
    '--think-scale', '0.05', '--pool', '3', '--loaders', '2', '--fresh', '--out', out, '--quiet',
    // The machine is shared with the other test files: this checks the plumbing, not the server's speed.
    '--p95', '5000', '--p99', '10000'
  ])
  assert.equal(code, 0, output)
  const files = await readdir(out)
  const json = files.find((f) => f.startsWith('baseline-') && f.endsWith('.json'))
  assert.ok(json, `a JSON result in ${files.join(', ')}`)
  assert.ok(files.some((f) => f.endsWith('.html')), 'an HTML report')
  const result = JSON.parse(await readFile(join(out, json), 'utf8')) as BenchResult
  assert.equal(result.verdict.exitCode, 0)
  assert.equal(result.target.spawned, true)

  const [phase] = result.phases
  assert.deepEqual(phase.personas, { dispatcher: 4, responder: 6, ingester: 2 })
  assert.equal(phase.loader.processes, 2, 'two loader processes shared the connections')
  const hit = phase.endpoints.filter((e) => e.ok > 0).map((e) => e.label)
  for (const label of ['GET /incidents/active', 'GET /alerts/pending', 'POST /alerts/ingest', 'POST /alerts/:id/acknowledge', 'GET /incidents/:id']) {
    assert.ok(hit.includes(label), `${label} answered 2xx (got ${hit.join(', ')})`)
  }
  assert.equal(phase.total.answered - phase.total.ok + phase.total.noAnswer, 0, 'no failed request')
  const ingest = phase.server.routes.find((r) => r.route === '/api/v1/alerts/ingest')
  assert.ok(ingest && ingest.requests > 0, 'the server counted the ingests too')

  const loss = result.loss
  assert.equal(loss.verified, true)
  assert.equal(loss.ok, true, JSON.stringify(loss))
  assert.ok(loss.acked > 0, 'alerts were acknowledged (how many depends on how busy the machine is)')
  assert.equal(loss.missing + loss.unexpected + loss.duplicates, 0)
  assert.ok(loss.rows - loss.acked >= 0 && loss.rows - loss.acked <= loss.unknown)

  // The run's alerts are removed afterwards (--keep-rows keeps them).
  const { rows } = await database.pool.query("select count(*)::int as n from alerts where raw_payload->>'run_id' = $1", [result.runId])
  assert.equal(rows[0].n, 0)
})
