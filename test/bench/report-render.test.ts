// The HTML report renders in a real browser: headless Chromium loads a report written from a
// fixed sample result and takes a screenshot. (CI installs Debian's chromium; see .ci/run.)
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { renderHtmlReport } from '../../bench/report-html.js'
import { renderSummary } from '../../bench/summary.js'
import { skipUnless } from '../tools.js'
import { sampleResult } from './sample-result.js'

const run = promisify(execFile)

function findChromium (): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir && existsSync(join(dir, name))) return join(dir, name)
    }
  }
  return null
}

function pngSize (png: Buffer) {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG signature')
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

test('the report is one self-contained file: no script, no external resource', () => {
  for (const scenario of ['ingest', 'baseline', 'stress'] as const) {
    const html = renderHtmlReport(sampleResult(scenario))
    assert.ok(html.startsWith('<!doctype html>'))
    assert.doesNotMatch(html, /<script/i)
    assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:)?\/\//i)
    assert.doesNotMatch(html, /@import|url\(/i)
    assert.doesNotMatch(html, /undefined|NaN/, `${scenario}: no unformatted value`)
    for (const section of ['SLO gates', 'Zero-loss check', 'Per endpoint: client and server', 'How the load was made', 'Machine and settings']) {
      assert.ok(html.includes(section), `${scenario}: ${section}`)
    }
    assert.ok((html.match(/<svg /g) ?? []).length >= 4, 'charts are inline SVG')
  }
  const ingest = renderHtmlReport(sampleResult('ingest'))
  assert.match(ingest, /LOAD GENERATOR SATURATED|SLO MISSED|PASS/)
  assert.ok(ingest.includes('POST /alerts/ingest'))
})

test('the terminal summary fits one screen and names the verdict, SLOs and loss check', () => {
  const text = renderSummary(sampleResult('ingest'), { json: 'bench/results/x.json', html: 'bench/results/x.html' })
  const lines = text.split('\n')
  assert.ok(lines.length <= 40, `${lines.length} lines`)
  assert.match(lines[0], /eriop bench · ingest · run 20260115-120000-abcd · (PASS|SLO-MISSED|LOADER-SATURATED)/)
  assert.ok(lines.some((l) => l.startsWith('paced 1,000/s')))
  assert.ok(lines.some((l) => l.includes('p95 latency < 200 ms')))
  assert.ok(lines.some((l) => l.startsWith('loss check ✔')))
  const ESC = String.fromCharCode(27)
  assert.ok(!text.includes(`${ESC}[`), 'no colour unless asked')
  assert.ok(renderSummary(sampleResult('baseline'), { json: 'a', html: 'b' }, true).includes(`${ESC}[32m`))
})

test('headless Chromium renders the report (screenshot)', async (t) => {
  const chromium = findChromium()
  const skip = skipUnless(chromium !== null, 'chromium is not installed (apt-get install -y chromium)')
  if (skip || !chromium) {
    t.skip(skip || undefined)
    return
  }
  const dir = join(tmpdir(), 'eriop-bench-report-render')
  await mkdir(dir, { recursive: true })
  const profile = await mkdtemp(join(tmpdir(), 'eriop-bench-chromium-'))
  t.after(() => rm(profile, { recursive: true, force: true }))
  const report = join(dir, 'report.html')
  const screenshot = join(dir, 'report.png')
  await rm(screenshot, { force: true })
  await writeFile(report, renderHtmlReport(sampleResult('ingest')))
  await run(chromium, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`, `--screenshot=${screenshot}`, '--window-size=1280,2000',
    `file://${report}`
  ], { timeout: 90_000 })
  const info = await stat(screenshot)
  const png = await readFile(screenshot)
  assert.deepEqual(pngSize(png), { width: 1280, height: 2000 })
  // A blank 1280×2000 page compresses to a few kB; text, tables and charts take far more.
  assert.ok(info.size > 60_000, `screenshot is ${info.size} bytes`)
  t.diagnostic(`screenshot: ${screenshot}`)
})
