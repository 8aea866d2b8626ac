import { int, mb, ms, pct, rate } from './format.js'
import type { ServerRouteStats } from './prometheus.js'
import { otherErrorRate, rateLimitedCount, rateLimitLine, rateLimitReport } from './rate-limited.js'
import { formatValue } from './slo.js'
import type { BenchResult } from './types.js'

const ANSI = { green: '\x1b[32m', red: '\x1b[31m', yellow: '\x1b[33m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' }

function table (rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd())
}

function serverMs (value: number | null, s: ServerRouteStats) {
  const top = s.bucketBoundsMs.at(-1)
  return value !== null && s.aboveTopBucket > 0 && top !== undefined && value >= top ? `≥ ${ms(top)}` : ms(value)
}

/** The one-screen summary printed when a run ends. */
export function renderSummary (r: BenchResult, files: { json: string, html: string }, color = false): string {
  const c = (code: keyof typeof ANSI, text: string) => (color ? `${ANSI[code]}${text}${ANSI.reset}` : text)
  const v = r.verdict
  const tone = v.status === 'pass' ? 'green' : v.status === 'loader-saturated' ? 'yellow' : 'red'
  const lines: string[] = []
  lines.push(`${c('bold', `eriop bench · ${r.scenario}`)} · run ${r.runId} · ${c(tone, `${v.status.toUpperCase()} (exit ${v.exitCode})`)}`)
  lines.push(c('dim', `target ${r.target.url}${r.target.spawned ? ' (started by the bench)' : ''} · ${r.machine.cores} × ${r.machine.cpuModel} · node ${r.machine.node} · load ${r.machine.loadAverage[0]}` +
    (r.postgresCommitMs ? ` · pg commit ${ms(r.postgresCommitMs.medianMs)}` : '')))
  lines.push('')
  const rows = [['phase', 'conns', '2xx/s', 'p50', 'p95', 'p99', 'max', '429', 'errors', 'loader', 'server']]
  for (const p of r.phases) {
    rows.push([
      p.name, int(p.connections), rate(p.total.okPerS), ms(p.total.latency.p50), ms(p.total.latency.p95), ms(p.total.latency.p99),
      ms(p.total.latency.maxMs), int(rateLimitedCount(p.total)), pct(otherErrorRate(p.total)), pct(p.loader.cpu, 0) + (p.loader.processes > 1 ? ` ×${p.loader.processes}` : '') + (p.loader.saturated ? '!' : ''),
      [p.server.cpu !== undefined ? pct(p.server.cpu, 0) : '', p.server.rssMb ? mb(p.server.rssMb.max) : ''].filter(Boolean).join(' ') || '–'
    ])
  }
  lines.push(...table(rows))
  lines.push('')
  for (const p of r.phases) {
    if (p.offeredRate !== undefined) lines.push(`${p.name}: offered ≈ ${rate(p.offeredRate)} at zero latency (the personas' think times); ${pct(p.total.okPerS / p.offeredRate, 0)} answered 2xx`)
  }
  if (r.stress) {
    lines.push(`breaking point: sustained ${r.stress.sustainedRate ? rate(r.stress.sustainedRate) : 'none'}, broke at ${r.stress.breakingRate ? rate(r.stress.breakingRate) : 'not reached'} — ${r.stress.failureMode}`)
  }
  if (r.live) {
    const l = r.live
    lines.push(`live: ${int(l.connected)}/${int(l.sockets)} sockets, connect p95 ${ms(l.connect.p95)}; REST write → event p50 ${ms(l.latency.p50)}, p95 ${ms(l.latency.p95)}, p99 ${ms(l.latency.p99)} over ${int(l.latency.count)} deliveries (the probe POSTs' own p95 ${ms(l.restLatency.p95)}); ` +
      `delivery ${int(l.delivery.received)} received + ${int(l.delivery.dropped)} dropped of ${int(l.delivery.expected)} expected; server ${l.serverKbPerSocket === null ? '–' : `${l.serverKbPerSocket.toFixed(1)} KB`} per socket`)
  }
  lines.push('SLOs')
  for (const k of r.checks) {
    const mark = k.pass ? c('green', '✔') : c('red', '✘')
    lines.push(`  ${mark} ${`${k.label} ${k.comparator === '>=' ? '≥' : '<'} ${formatValue(k.target, k.unit)}`.padEnd(46)} ${formatValue(k.actual, k.unit).padStart(10)}  ${c('dim', k.phase)}`)
  }
  const l = r.loss
  if (l.verified) {
    const text = `${int(l.sent)} sent${l.retries ? `, ${int(l.retries)} retries` : ''}; ${int(l.rows)} rows for ${int(l.acked)} acked + ${int(l.unknown)} without answer (${int(l.unknownCommitted)} of those committed); missing ${l.missing}, unexpected ${l.unexpected}, duplicates ${l.duplicates}, stored despite error ${l.storedDespiteRejection}${l.serverCommitted !== null ? `; server counted ${int(l.serverCommitted)} committed` : ''}`
    lines.push(`loss check ${l.ok ? c('green', '✔') : c('red', '✘')} ${text}`)
  } else {
    lines.push(`loss check ${c('yellow', '–')} not run: ${l.reason}`)
  }
  if (r.faults) {
    lines.push(`faults ${r.faults.file} (seed ${r.faults.seed})`)
    for (const p of r.phases) {
      if (!p.faults) continue
      const f = p.faults
      lines.push(`  ${p.name}: ${int(f.injected)} injected (${Object.entries(f.byAction).map(([k, v]) => `${k} ${int(v)}`).join(', ') || 'none'}); failed ${int(f.failures.total)} = ${int(f.failures.injected)} injected + ${int(f.failures.duringWindows)} in resource windows + ${int(f.failures.genuine)} genuine`)
    }
  }
  const main = r.phases[0]
  if (main) {
    const top = main.server.routes.filter((s) => !['/metrics', '/health/ready', 'unmatched'].includes(s.route)).slice(0, 3).map((s) => `${s.method} ${s.route} ${int(s.requests)} req, p95 ≈ ${serverMs(s.p95, s)}, p99 ≈ ${serverMs(s.p99, s)}`)
    if (top.length) lines.push(`server view (/metrics, ${main.name}): ${top.join(' · ')}`)
  }
  const limited = rateLimitReport(r)
  if (limited) lines.push(c('yellow', `  ⚠ ${rateLimitLine(limited)}`))
  for (const reason of v.reasons) lines.push(c('red', `  ${reason}`))
  for (const warning of v.warnings) lines.push(c('yellow', `  ⚠ ${warning}`))
  for (const note of r.notes) lines.push(c('dim', `  · ${note}`))
  lines.push('')
  lines.push(`report  ${files.html}`)
  lines.push(`json    ${files.json}`)
  return lines.join('\n')
}
