import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultLoaders } from '../../bench/loaders.js'
import { BENCH_DATABASE_URL, parseBenchArgs, UsageError, type BenchOptions } from '../../bench/options.js'

const parse = (args: string, env: Record<string, string> = {}) => parseBenchArgs(args.split(' ').filter(Boolean), env) as BenchOptions

test('defaults per scenario', () => {
  const ingest = parse('ingest')
  assert.equal(ingest.url, null)
  assert.equal(ingest.databaseUrl, BENCH_DATABASE_URL)
  assert.equal(ingest.durationS, 15)
  assert.equal(ingest.warmupS, 3)
  assert.equal(ingest.rate, 1000)
  assert.equal(ingest.connections, null)
  assert.equal(ingest.loaders, null)
  assert.equal(ingest.rateLimit, false)
  assert.equal(ingest.pgPoolMax, 10)
  assert.deepEqual(ingest.slo, { minThroughput: 1000, p95Ms: 200, p99Ms: 500, maxErrorRate: 0.01, maxLoaderCpu: 0.9, eventP95Ms: 200 })
  assert.equal(parse('concurrent').durationS, 40)
  // Persona users spawn at the seed's 100/s; the warm-up covers the ramp and 10 s more.
  assert.equal(parse('concurrent').rampS, 100)
  assert.equal(parse('concurrent').warmupS, 110)
  assert.equal(parse('baseline').rampS, 10)
  assert.equal(parse('baseline').warmupS, 20)
  assert.equal(parse('concurrent --connections 500').warmupS, 20, 'never below the scenario\'s least warm-up')
  assert.deepEqual([parse('baseline -r 50 -c 500').rampS, parse('baseline -r 50 -c 500').warmupS], [10, 20])
  assert.equal(parse('baseline --spawn-rate 50 --warmup 3').warmupS, 3, 'an explicit warm-up wins')
  assert.equal(parse('ingest').rampS, 0)
  assert.equal(parse('stress').stressStepS, 8)
  assert.equal(parse('stress --duration 5').stressStepS, 5)
  assert.equal(parse('stress --duration 5 --step-duration 3').stressStepS, 3)
  assert.equal(parseBenchArgs(['--help']), 'help')
  const live = parse('live')
  assert.deepEqual([live.sockets, live.probeRate, live.connections, live.durationS, live.rampS, live.warmupS], [1000, 2, null, 30, 10, 20])
  const stretch = parse('live --sockets 5000 --probe-rate 5 --event-p95 150')
  assert.deepEqual([stretch.sockets, stretch.probeRate, stretch.slo.eventP95Ms], [5000, 5, 150])
  assert.throws(() => parse('live --sockets 0'), /--sockets must be at least 1/)
})

test('flags override; SLO percentages become fractions', () => {
  const o = parse('baseline --duration 7 --connections 50 --rate 300 --p95 150 --p99 400 --max-error-rate 0.5 --max-loader-cpu 80 --min-throughput 2000 --think-scale 0.1 --server-env INGEST_MAX_BATCH=100 --server-env A=b=c --rate-limit --pool 4 --keep-rows --loaders 3 -q')
  assert.equal(o.durationS, 7)
  assert.equal(o.connections, 50)
  assert.equal(o.rate, 300)
  assert.deepEqual(o.slo, { minThroughput: 2000, p95Ms: 150, p99Ms: 400, maxErrorRate: 0.005, maxLoaderCpu: 0.8, eventP95Ms: 200 })
  assert.equal(o.thinkScale, 0.1)
  assert.deepEqual(o.serverEnv, { INGEST_MAX_BATCH: '100', A: 'b=c' })
  assert.equal(o.rateLimit, true)
  assert.equal(o.pgPoolMax, 4)
  assert.equal(o.loaders, 3)
  assert.equal(o.fresh, false)
  assert.equal(parse('baseline --fresh').fresh, true)
  assert.equal(o.keepRows, true)
  assert.equal(o.quiet, true)
  assert.equal(parse('ingest', { CI: 'true' }).quiet, true)
  assert.equal(parse('ingest', { BENCH_DATABASE_URL: 'postgres://x@127.0.0.1/y' }).databaseUrl, 'postgres://x@127.0.0.1/y')
})

test('--url: loopback only; the loss check reads --database-url or DATABASE_URL', () => {
  assert.equal(parse('ingest --url http://127.0.0.1:8000').url, 'http://127.0.0.1:8000')
  assert.equal(parse('ingest --url http://localhost:8000/').url, 'http://localhost:8000')
  assert.equal(parse('ingest --url http://127.0.0.1:8000').databaseUrl, null)
  assert.equal(parse('ingest --url http://127.0.0.1:8000', { DATABASE_URL: 'postgres://a@127.0.0.1/b' }).databaseUrl, 'postgres://a@127.0.0.1/b')
  assert.throws(() => parse('ingest --url http://10.0.0.13:8000'), /loopback/)
  assert.throws(() => parse('ingest --url https://127.0.0.1:8000'), /http:/)
  assert.throws(() => parse('ingest --url http://127.0.0.1:8000 --pool 3'), /not to --url/)
})

test('usage errors', () => {
  for (const [args, message] of [
    ['', /which scenario/],
    ['soak', /unknown scenario "soak"/],
    ['ingest baseline', /one scenario/],
    ['ingest --duration abc', /--duration must be a number/],
    ['ingest --duration 0', /at least 0.5/],
    ['ingest --connections 1.5', /whole number/],
    ['ingest --max-error-rate 120', /at most 100/],
    ['concurrent --loaders 0', /--loaders must be at least 1/],
    ['baseline --spawn-rate 0', /--spawn-rate must be at least 0.1/],
    ['baseline --ramp 5', /Unknown option '--ramp'/],
    ['baseline --fresh --no-seed', /choose one/],
    ['ingest --server-env NOVALUE', /KEY=VALUE/],
    ['ingest --bogus', /Unknown option/]
  ] as const) {
    assert.throws(() => parse(args), (err: Error) => err instanceof UsageError && message.test(err.message), args)
  }
})

test('loader processes: one per 2,500 connections, at most one per core', () => {
  assert.equal(defaultLoaders(100, 2), 1)
  assert.equal(defaultLoaders(2500, 2), 1)
  assert.equal(defaultLoaders(2501, 2), 2)
  assert.equal(defaultLoaders(10_000, 2), 2)
  assert.equal(defaultLoaders(10_000, 8), 4)
  assert.equal(defaultLoaders(10_000, 1), 1)
})
