import { int, mb, ms, pct, rate, seconds } from './format.js'
import { Histogram } from './histogram.js'
import type { ServerRouteStats } from './prometheus.js'
import { rateLimitedCount, rateLimitLine, rateLimitReport } from './rate-limited.js'
import { errorRate, formatValue } from './slo.js'
import { barChart, compact, escapeXml as esc, lineChart } from './svg.js'
import type { BenchResult, EndpointStats, PhaseResult } from './types.js'

const COLORS = { injected: '#d53f8c', ok: '#2f855a', failed: '#c53030', p50: '#3182ce', p95: '#d69e2e', p99: '#c53030', slo: '#718096', loader: '#805ad5', server: '#dd6b20', rss: '#2b6cb0' }
const STATUS_TEXT: Record<BenchResult['verdict']['status'], string> = {
  pass: 'PASS',
  'slo-missed': 'SLO MISSED',
  'data-loss': 'DATA LOSS',
  'loader-saturated': 'LOAD GENERATOR SATURATED'
}
const HISTOGRAM_EDGES = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]

const SCENARIO_TEXT: Record<BenchResult['scenario'], string> = {
  ingest: 'Alerts only (the AlertIngestion persona): first paced at a fixed rate to measure latency against the SLOs, then closed-loop to find the maximum throughput.',
  baseline: 'The seed report\'s baseline: the three personas in the proportions 30 % dispatcher, 50 % responder, 20 % alert ingestion, each with its request mix and think time.',
  concurrent: 'The seed report\'s concurrency target: 10,000 simulated users, each on its own open connection, at the personas\' think times.',
  stress: 'Paced alert ingestion, raised step by step until an SLO breaks: the last step that met every SLO is the sustainable rate.',
  live: 'Live events: Socket.IO clients held open while the three personas run; probe incidents written through REST are matched by id at every socket (REST write → event latency, delivery completeness), with the server\'s memory per socket.'
}

const STYLE = `
:root { --fg:#1a202c; --muted:#4a5568; --faint:#a0aec0; --line:#e2e8f0; --bg:#f7fafc; --ok:#2f855a; --bad:#c53030; --warn:#b7791f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--fg); background:#fff; }
main { max-width:1140px; margin:0 auto; padding:24px 28px 48px; }
header.top { display:flex; align-items:center; gap:16px; flex-wrap:wrap; border-bottom:1px solid var(--line); padding-bottom:14px; }
h1 { font-size:22px; margin:0; font-weight:650; }
h2 { font-size:17px; margin:32px 0 10px; padding-bottom:4px; border-bottom:1px solid var(--line); }
h3 { font-size:15px; margin:22px 0 8px; }
.meta { color:var(--muted); font-size:13px; }
.pill { font-weight:700; letter-spacing:.04em; padding:5px 12px; border-radius:999px; color:#fff; font-size:13px; }
.pill.pass { background:var(--ok); } .pill.fail { background:var(--bad); } .pill.warn { background:var(--warn); }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:10px; margin:18px 0 6px; }
.card { background:var(--bg); border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.card .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.card .v { font-size:22px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .s { color:var(--muted); font-size:12px; }
.card.good { border-left:4px solid var(--ok); } .card.bad { border-left:4px solid var(--bad); } .card.neutral { border-left:4px solid var(--faint); }
table { border-collapse:collapse; width:100%; font-size:13px; margin:6px 0 10px; }
th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { background:var(--bg); font-weight:600; color:var(--muted); }
th:first-child, td:first-child { text-align:left; }
td { font-variant-numeric:tabular-nums; }
tr.total td { font-weight:650; border-top:2px solid var(--line); }
th.group { text-align:center; border-left:2px solid #fff; }
table.wrap th { white-space:normal; vertical-align:bottom; }
td.sep, th.sep { border-left:2px solid var(--line); }
.ok { color:var(--ok); font-weight:650; } .bad { color:var(--bad); font-weight:650; } .warn { color:var(--warn); font-weight:650; } .muted { color:var(--muted); }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(520px,1fr)); gap:12px; }
svg.chart { width:100%; height:auto; background:#fff; border:1px solid var(--line); border-radius:6px; }
svg .ct { font-size:13px; font-weight:600; fill:var(--fg); } svg .tk { font-size:10.5px; fill:var(--muted); }
svg .al { font-size:11px; fill:var(--muted); } svg .lg { font-size:11px; fill:var(--fg); } svg .hl { font-size:10.5px; }
svg .grid { stroke:#edf2f7; } svg .axis { stroke:#a0aec0; } svg .shade { fill:#edf2f7; } svg .sl { font-size:10px; fill:var(--muted); }
ul.reasons { margin:8px 0; padding-left:20px; } ul.reasons li { margin:2px 0; }
.box { border:1px solid var(--line); border-radius:8px; padding:10px 14px; background:var(--bg); }
.note { color:var(--muted); font-size:12.5px; }
dl.kv { display:grid; grid-template-columns:max-content 1fr; gap:2px 16px; margin:6px 0; font-size:13px; }
dl.kv dt { color:var(--muted); } dl.kv dd { margin:0; font-variant-numeric:tabular-nums; }
footer { margin-top:40px; color:var(--faint); font-size:12px; }
@media print { .charts { grid-template-columns:1fr 1fr; } main { padding:0; } }
`

function verdictClass (status: BenchResult['verdict']['status']) {
  return status === 'pass' ? 'pass' : status === 'loader-saturated' ? 'warn' : 'fail'
}

function card (key: string, value: string, sub: string, tone: 'good' | 'bad' | 'neutral' = 'neutral') {
  return `<div class="card ${tone}"><div class="k">${esc(key)}</div><div class="v">${esc(value)}</div><div class="s">${esc(sub)}</div></div>`
}

function headline (r: BenchResult): string {
  const cards: string[] = []
  const main = r.scenario === 'ingest' ? r.phases[0] : r.phases[r.phases.length - 1]
  const check = (id: string) => r.checks.find((c) => c.id === id && (c.phase === main?.name || r.scenario === 'stress'))
  const tone = (id: string) => {
    const c = check(id)
    return c ? (c.pass ? 'good' : 'bad') : 'neutral'
  }
  if (r.scenario === 'ingest') {
    const max = r.phases[1]
    const t = r.checks.find((c) => c.id === 'throughput')
    cards.push(card('max throughput', rate(max?.total.okPerS), 'alerts/s, closed loop', t ? (t.pass ? 'good' : 'bad') : 'neutral'))
  }
  if (r.scenario === 'stress' && r.stress) {
    const t = r.checks[0]
    cards.push(card('sustained rate', r.stress.sustainedRate ? rate(r.stress.sustainedRate) : 'none', 'last step meeting every SLO', t?.pass ? 'good' : 'bad'))
    cards.push(card('breaking point', r.stress.breakingRate ? rate(r.stress.breakingRate) : 'not reached', r.stress.breakingRate ? 'first step missing an SLO' : 'ramp ended first', 'neutral'))
  }
  if (r.live) {
    const c = r.checks.find((k) => k.id === 'event-p95')
    cards.push(card('event p95', ms(r.live.latency.p95), `REST write → event, ${int(r.live.connected)} sockets`, c ? (c.pass ? 'good' : 'bad') : 'neutral'))
  }
  if (main && r.scenario !== 'stress') {
    cards.push(card('throughput', rate(main.total.okPerS), `2xx/s, ${main.name}`))
    cards.push(card('p95 latency', ms(main.total.latency.p95), `target < ${r.slo.p95Ms} ms`, tone('p95')))
    cards.push(card('p99 latency', ms(main.total.latency.p99), `target < ${r.slo.p99Ms} ms`, tone('p99')))
    cards.push(card('error rate', pct(errorRate(main.total)), `target < ${r.slo.maxErrorRate * 100} %`, tone('errors')))
  }
  const loss = r.loss
  cards.push(card('alert loss', loss.verified ? (loss.ok ? 'none' : loss.missing ? `${int(loss.missing)} lost` : 'mismatch') : 'not checked',
    loss.verified ? `${int(loss.rows)} rows for ${int(loss.acked)} acks` : (loss.reason ?? ''), loss.verified ? (loss.ok ? 'good' : 'bad') : 'neutral'))
  const rss = r.phases.map((p) => p.server.rssMb?.max).filter((v): v is number => v !== undefined)
  if (rss.length) cards.push(card('server memory', mb(Math.max(...rss)), 'peak RSS'))
  const loaderPeak = Math.max(...r.phases.map((p) => p.loader.cpu))
  const loaderProcesses = Math.max(...r.phases.map((p) => p.loader.processes))
  cards.push(card('loader CPU', pct(loaderPeak, 0), `of one core${loaderProcesses > 1 ? ` in the busiest of ${loaderProcesses} processes` : ''} (limit ${Math.round(r.slo.maxLoaderCpu * 100)} %)`, loaderPeak >= r.slo.maxLoaderCpu ? 'bad' : 'neutral'))
  return `<div class="cards">${cards.join('')}</div>`
}

function sloTable (r: BenchResult): string {
  const rows = r.checks.map((c) => `<tr><td>${esc(c.label)}</td><td>${esc(c.phase)}</td><td>${esc(c.comparator === '>=' ? '≥' : '<')} ${esc(formatValue(c.target, c.unit))}</td><td>${esc(formatValue(c.actual, c.unit))}</td><td class="${c.pass ? 'ok' : 'bad'}">${c.pass ? '✔ pass' : '✘ missed'}</td></tr>`)
  return `<table><thead><tr><th>SLO</th><th>phase</th><th>target</th><th>measured</th><th>result</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function lossSection (r: BenchResult): string {
  const l = r.loss
  if (!l.verified) return `<div class="box"><b>Not checked:</b> ${esc(l.reason ?? '')}.</div>`
  const sentence = l.ok
    ? `Every one of the ${int(l.acked)} acknowledged alerts is in Postgres; ${int(l.unknownCommitted)} of the ${int(l.unknown)} requests without an answer (in flight when the loader stopped, or timed out) were committed too, and nothing else appeared.`
    : 'The database does not match what the server acknowledged.'
  return `<div class="box"><p class="${l.ok ? 'ok' : 'bad'}">${l.ok ? '✔ No loss.' : '✘ Loss detected.'} <span style="color:var(--fg);font-weight:400">${esc(sentence)}</span></p>
<table class="wrap"><thead><tr><th>sent</th><th>retries</th><th>acked (2xx)</th><th>rejected (non-2xx)</th><th>no answer</th><th>rows in Postgres</th><th>rows − acked</th><th>missing acks</th><th>unexpected rows</th><th>duplicates</th><th>stored despite error</th></tr></thead>
<tbody><tr><td>${int(l.sent)}</td><td>${int(l.retries ?? 0)}</td><td>${int(l.acked)}</td><td>${int(l.rejected)}</td><td>${int(l.unknown)}</td><td>${int(l.rows)}</td><td>${int(l.surplus)} <span class="muted">(0…${int(l.unknown)})</span></td><td class="${l.missing ? 'bad' : ''}">${int(l.missing)}</td><td class="${l.unexpected ? 'bad' : ''}">${int(l.unexpected)}</td><td class="${l.duplicates ? 'bad' : ''}">${int(l.duplicates)}</td><td class="${l.storedDespiteRejection ? 'bad' : ''}">${int(l.storedDespiteRejection)}</td></tr></tbody></table>
${l.serverCommitted !== null ? `<p>The server's own counter (<code>ingest_alerts_committed_total</code>) rose by ${int(l.serverCommitted)} during the run: ${l.serverCommitted === l.rows ? '<span class="ok">equal to the rows</span>' : '<span class="bad">not equal to the rows</span>'}.</p>` : ''}
<p class="note">Each alert carries the run id and a per-request id in <code>raw_payload</code> (and the request id as <code>source_id</code>); the rows are read from Postgres directly, not through the API. Rule: every acknowledged id stored once, every stored id sent, nothing stored that was refused, and 0 ≤ rows − acked ≤ requests without an answer.</p></div>`
}

function serverRoute (routes: ServerRouteStats[], e: EndpointStats) {
  return routes.find((s) => s.method === e.method && s.route === e.route)
}

function statusText (byStatus: Record<string, number>) {
  const failed = Object.entries(byStatus).filter(([code]) => !code.startsWith('2'))
  return failed.length ? failed.map(([code, n]) => `${code}×${int(n)}`).join(' ') : ''
}

function endpointTable (p: PhaseResult): string {
  const row = (e: EndpointStats, cls = '') => {
    const s = cls === 'total' ? p.server.total ?? undefined : serverRoute(p.server.routes, e)
    const limited = rateLimitedCount(e)
    const failed = e.answered - e.ok + e.noAnswer - limited
    return `<tr class="${cls}"><td>${esc(e.label)}</td><td>${int(e.sent)}</td><td>${int(e.ok)}</td><td class="${limited ? 'warn' : ''}">${int(limited)}</td><td class="${failed ? 'bad' : ''}" title="${esc(statusText(e.byStatus))}">${int(failed)}</td><td>${rate(e.okPerS)}</td>
<td class="sep">${ms(e.latency.p50)}</td><td>${ms(e.latency.p95)}</td><td>${ms(e.latency.p99)}</td><td>${ms(e.latency.maxMs)}</td>
<td class="sep">${s ? int(s.requests) : '–'}</td><td>${serverMs(s, s?.p50)}</td><td>${serverMs(s, s?.p95)}</td><td>${serverMs(s, s?.p99)}</td></tr>`
  }
  const body = p.endpoints.map((e) => row(e)).join('') + row(p.total, 'total')
  const bounds = p.server.routes[0]?.bucketBoundsMs ?? []
  return `<table><thead><tr><th rowspan="2">endpoint</th><th rowspan="2">sent</th><th rowspan="2">2xx</th><th rowspan="2" title="rate limited">429</th><th rowspan="2" title="other non-2xx answers and requests never answered">failed</th><th rowspan="2">2xx/s</th>
<th colspan="4" class="group sep">client latency (autocannon connections)</th><th colspan="4" class="group sep">server view (/metrics, measured window)</th></tr>
<tr><th class="sep">p50</th><th>p95</th><th>p99</th><th>max</th><th class="sep">requests</th><th>p50 ≈</th><th>p95 ≈</th><th>p99 ≈</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">Both views cover the measured window (after ${seconds(p.warmupS)} of warm-up; the server's from a /metrics scrape when the warm-up ended to one after the last answer). The server measures from request received to response sent, without the time on the wire and in the loader; its percentiles are interpolated inside histogram buckets (${bounds.map((b) => compactMs(b)).join(', ')} ms), so they are approximate.${p.kind === 'paced' ? ' Paced latency counts from when a request was due, not when it left (coordinated-omission correction).' : ''}</p>`
}

/** A server percentile; one that landed in the +Inf bucket is only known to be at least the top bound. */
function serverMs (s: ServerRouteStats | undefined, value: number | null | undefined) {
  if (!s || value === null || value === undefined) return '–'
  const top = s.bucketBoundsMs.at(-1)
  return s.aboveTopBucket > 0 && top !== undefined && value >= top ? `≥ ${ms(top)}` : ms(value)
}

function compactMs (value: number) {
  return Number(value.toPrecision(3)).toString()
}

function phaseCharts (r: BenchResult, p: PhaseResult): string {
  const tl = p.timeline
  const charts: string[] = []
  const shade = p.warmupS > 0 ? { from: 0, to: p.warmupS, label: 'warm-up' } : undefined
  charts.push(lineChart({
    title: 'Throughput per second',
    xLabel: 'seconds',
    yLabel: 'responses / s',
    shade,
    series: [
      { name: '2xx', color: COLORS.ok, points: tl.map((t) => [t.t, t.ok]) },
      { name: 'failed', color: COLORS.failed, points: tl.map((t) => [t.t, t.failed]) },
      ...(p.faults ? [{ name: 'injected faults', color: COLORS.injected, dashed: true, points: tl.map((t): [number, number] => [t.t, t.injected ?? 0]) }] : []),
      ...(p.targetRate ? [{ name: 'target', color: COLORS.slo, dashed: true, points: tl.map((t): [number, number] => [t.t, p.targetRate!]) }] : [])
    ]
  }))
  charts.push(lineChart({
    title: 'Latency per second (log scale)',
    xLabel: 'seconds',
    yLabel: 'ms',
    logY: true,
    shade,
    series: [
      { name: 'p50', color: COLORS.p50, points: tl.filter((t) => t.answered > 0).map((t) => [t.t, t.p50]) },
      { name: 'p95', color: COLORS.p95, points: tl.filter((t) => t.answered > 0).map((t) => [t.t, t.p95]) },
      { name: 'p99', color: COLORS.p99, points: tl.filter((t) => t.answered > 0).map((t) => [t.t, t.p99]) }
    ],
    hLines: [
      { y: r.slo.p95Ms, label: `p95 SLO ${r.slo.p95Ms} ms`, color: COLORS.p95 },
      { y: r.slo.p99Ms, label: `p99 SLO ${r.slo.p99Ms} ms`, color: COLORS.p99 }
    ]
  }))
  const histogram = Histogram.from(p.histogram)
  const counts = histogram.bins(HISTOGRAM_EDGES)
  const labels = [...HISTOGRAM_EDGES.map((e) => `≤${e >= 1000 ? `${e / 1000}s` : e}`), `>${HISTOGRAM_EDGES.at(-1)! / 1000}s`]
  const total = counts.reduce((a, b) => a + b, 0) || 1
  const lastIndex = counts.findLastIndex((c) => c > 0)
  const firstIndex = Math.max(0, counts.findIndex((c) => c > 0))
  const shown = lastIndex >= 0 ? [Math.min(firstIndex, Math.max(0, lastIndex - 5)), lastIndex + 1] : [0, counts.length]
  charts.push(barChart({
    title: 'Latency distribution (measured window)',
    xLabel: 'latency (ms)',
    yLabel: 'requests',
    labels: labels.slice(shown[0], shown[1]),
    values: counts.slice(shown[0], shown[1]),
    colors: HISTOGRAM_EDGES.concat(Infinity).slice(shown[0], shown[1]).map((edge) => edge <= r.slo.p95Ms ? COLORS.ok : edge <= r.slo.p99Ms ? COLORS.p95 : COLORS.failed),
    annotations: counts.slice(shown[0], shown[1]).map((c) => c ? pct(c / total, c / total < 0.01 ? 2 : 0) : '')
  }))
  const resource: { name: string, color: string, points: [number, number][], dashed?: boolean }[] = [
    { name: 'loader CPU % (busiest process)', color: COLORS.loader, points: tl.filter((t) => t.loaderCpu !== undefined).map((t) => [t.t, t.loaderCpu! * 100]) }
  ]
  if (tl.some((t) => t.serverCpu !== undefined)) resource.push({ name: 'server CPU %', color: COLORS.server, points: tl.filter((t) => t.serverCpu !== undefined).map((t) => [t.t, t.serverCpu! * 100]) })
  charts.push(lineChart({
    title: 'CPU: load generator vs server (% of one core)',
    xLabel: 'seconds',
    yLabel: '% of one core',
    shade,
    series: resource,
    hLines: [{ y: r.slo.maxLoaderCpu * 100, label: 'loader saturation', color: COLORS.loader }]
  }))
  if (tl.some((t) => t.serverRssMb !== undefined)) {
    charts.push(lineChart({
      title: 'Server memory (RSS)',
      xLabel: 'seconds',
      yLabel: 'MB',
      shade,
      series: [{ name: 'RSS MB', color: COLORS.rss, points: tl.filter((t) => t.serverRssMb !== undefined).map((t) => [t.t, t.serverRssMb!]) }]
    }))
  }
  return `<div class="charts">${charts.join('')}</div>`
}

function phaseSection (r: BenchResult, p: PhaseResult, index: number): string {
  const what = p.kind === 'paced'
    ? `${int(p.connections)} connections paced to ${rate(p.targetRate)} in total (evenly spaced, one request in flight per connection).`
    : p.kind === 'closed'
      ? `${int(p.connections)} connections, each sending its next request as soon as the previous answer arrives.`
      : `${int(p.connections)} simulated users, one connection each${p.personas ? ` (${Object.entries(p.personas).map(([k, v]) => `${int(v)} ${k}s`).join(', ')})` : ''}, opened over the ramp and thinking between tasks.`
  const facts = [
    ['measured', `${seconds(p.durationS)} after ${seconds(p.warmupS)} warm-up`],
    ['requests', `${int(p.total.sent)} sent, ${int(p.total.ok)} 2xx, ${int(p.total.answered - p.total.ok)} non-2xx, ${int(p.total.noAnswer)} without answer (${int(p.total.timeouts)} timeouts)`],
    ...(p.offeredRate !== undefined ? [['offered load', `≈ ${rate(p.offeredRate)} if every answer were instant (users × requests per task ÷ mean think time); ${pct(p.total.okPerS / p.offeredRate, 0)} of it answered 2xx`]] : []),
    ['in flight at stop', int(p.inFlightAtStop)],
    ...(p.server.drain ? [['server drain', p.server.drain.quiet ? `quiet ${seconds(p.server.drain.waitedS)} after the loader stopped (its counters then held still for 1 s)` : `still busy ${seconds(p.server.drain.waitedS)} after the loader stopped`]] : []),
    ['loader', `${p.loader.processes > 1 ? `${p.loader.processes} processes (${pct(p.loader.cpuTotal, 0)} of a core together); the busiest: ` : ''}${pct(p.loader.cpu, 0)} of a core (peak ${pct(p.loader.peakCpu, 0)}), event loop ${pct(p.loader.elu, 0)} busy${p.loader.saturated ? ' — saturated' : ''}`],
    ['machine', `${pct(p.machine.busy, 0)} of all cores busy (server, Postgres, Redis and loader together)`],
    ['server', [
      p.server.cpu !== undefined ? `${pct(p.server.cpu, 0)} of a core` : '',
      p.server.rssMb ? `RSS ${mb(p.server.rssMb.start)} → ${mb(p.server.rssMb.end)} (peak ${mb(p.server.rssMb.max)})` : p.server.process.rssBytesAfter ? `RSS ${mb(p.server.process.rssBytesAfter / 2 ** 20)} at the end` : '',
      p.server.process.eventLoopLagP99Ms !== undefined ? `event-loop lag p99 ${ms(p.server.process.eventLoopLagP99Ms)}` : ''
    ].filter(Boolean).join(', ') || '–'],
    ['autocannon’s own tally', `${int(p.autocannon.sent)} sent, ${int(p.autocannon['2xx'])} 2xx, ${int(p.autocannon.non2xx)} non-2xx, ${int(p.autocannon.errors)} errors, ${int(p.autocannon.timeouts)} timeouts; latency from send p50 ${ms(p.autocannon.latencyP50)}, p99 ${ms(p.autocannon.latencyP99)} (whole phase, warm-up included)`]
  ]
  if (p.faults) {
    const f = p.faults
    facts.push(['faults injected', `${int(f.injected)} (${Object.entries(f.byAction).map(([k, v]) => `${k} × ${int(v)}`).join(', ') || 'none'}); schedule posted ${f.postedAtS === null ? 'never (refused)' : `at ${seconds(f.postedAtS)}`}`])
    if (f.windows.length) facts.push(['resource windows', f.windows.map((w) => `${w.action} (${w.rule}) ${seconds(w.fromS)}–${seconds(w.toS)}`).join('; ')])
    facts.push(['failed requests', `${int(f.failures.total)} in the measured window: ${int(f.failures.injected)} injected, ${int(f.failures.duringWindows)} inside resource-fault windows, ${int(f.failures.genuine)} genuine`])
  }
  const errors = Object.entries(p.connectionErrors)
  if (errors.length) facts.push(['connection errors', errors.map(([k, v]) => `${k} × ${int(v)}`).join(', ')])
  const extra = p.server.process.extra.filter((m) => m.after !== m.before)
  if (extra.length) facts.push(['server metrics', extra.map((m) => `${m.name}${Object.keys(m.labels).length ? `{${Object.values(m.labels).join(',')}}` : ''} ${compact(m.before ?? 0)} → ${compact(m.after)}`).join('; ')])
  return `<h2>Phase ${index + 1}: ${esc(p.name)}</h2>
<p>${esc(what)}</p>
<dl class="kv">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
${phaseCharts(r, p)}
<h3>Per endpoint: client and server</h3>
${endpointTable(p)}`
}

function stressSection (r: BenchResult): string {
  if (r.scenario !== 'stress' || r.phases.length === 0) return ''
  const steps = r.phases
  const chart = lineChart({
    title: 'Stress ramp: delivered rate and latency per step',
    xLabel: 'asked rate (alerts/s)',
    yLabel: 'alerts/s delivered',
    series: [
      { name: 'asked', color: COLORS.slo, dashed: true, points: steps.map((s) => [s.targetRate ?? 0, s.targetRate ?? 0]) },
      { name: 'delivered (2xx/s)', color: COLORS.ok, points: steps.map((s) => [s.targetRate ?? 0, s.total.okPerS]) }
    ],
    width: 540
  })
  const latency = lineChart({
    title: 'Latency per step (log scale)',
    xLabel: 'asked rate (alerts/s)',
    yLabel: 'ms',
    logY: true,
    series: [
      { name: 'p50', color: COLORS.p50, points: steps.map((s) => [s.targetRate ?? 0, s.total.latency.p50]) },
      { name: 'p95', color: COLORS.p95, points: steps.map((s) => [s.targetRate ?? 0, s.total.latency.p95]) },
      { name: 'p99', color: COLORS.p99, points: steps.map((s) => [s.targetRate ?? 0, s.total.latency.p99]) }
    ],
    hLines: [{ y: r.slo.p95Ms, label: 'p95 SLO', color: COLORS.p95 }, { y: r.slo.p99Ms, label: 'p99 SLO', color: COLORS.p99 }]
  })
  const rows = steps.map((s) => {
    const failed = s.total.answered - s.total.ok + s.total.noAnswer
    const isBreak = s.targetRate === r.stress?.breakingRate
    return `<tr${isBreak ? ' style="background:#fff5f5"' : ''}><td>${esc(s.name)}</td><td>${int(s.connections)}</td><td>${rate(s.total.okPerS)}</td><td>${ms(s.total.latency.p50)}</td><td>${ms(s.total.latency.p95)}</td><td>${ms(s.total.latency.p99)}</td><td>${pct(errorRate(s.total))}</td><td>${esc(statusText(s.total.byStatus) || (failed ? `${int(failed)} no answer` : '–'))}</td><td>${pct(s.loader.cpu, 0)}</td><td>${s.server.cpu !== undefined ? pct(s.server.cpu, 0) : '–'}</td><td class="${isBreak ? 'bad' : 'ok'}">${isBreak ? '✘ broke' : '✔'}</td></tr>`
  })
  return `<h2>Breaking point</h2>
<div class="box"><p><b>Sustained:</b> ${esc(r.stress?.sustainedRate ? rate(r.stress.sustainedRate) : 'no step met every SLO')} · <b>broke at:</b> ${esc(r.stress?.breakingRate ? rate(r.stress.breakingRate) : 'not reached within the ramp')} · <b>how it failed:</b> ${esc(r.stress?.failureMode ?? '')}</p></div>
<div class="charts">${chart}${latency}</div>
<table><thead><tr><th>step</th><th>connections</th><th>2xx/s</th><th>p50</th><th>p95</th><th>p99</th><th>errors</th><th>failure statuses</th><th>loader CPU</th><th>server CPU</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function methodSection (r: BenchResult): string {
  const kinds = new Set(r.phases.map((p) => p.kind))
  const items: string[] = []
  if (kinds.has('paced')) items.push('<b>Paced phases</b> are open-loop: connection <i>i</i> of <i>C</i> sends at start + (i/C + k)·C/rate, so requests are evenly spaced at the asked rate. When an answer comes late, the next request leaves as soon as it can and its latency is counted from when it was due, as wrk2 does. autocannon\'s own <code>-R</code> mode is not used: it sends each connection\'s quota in a burst at the start of every second (autocannon issue #174) and its correction assumes a 1 ms interval.')
  if (kinds.has('closed')) items.push('<b>Closed-loop phases</b> send the next request as soon as the previous answer arrives: they measure the maximum throughput, and their latency is mostly queueing (Little\'s law: connections ÷ throughput), so it is reported but not gated.')
  if (kinds.has('personas')) items.push('<b>Persona phases</b> model each Locust user as one connection: it logs in as a fixture user, picks a task by the locustfile\'s weights, runs a dependent step at once (acknowledge the first pending alert, open the first active incident), then waits the persona\'s think time (dispatcher 2–5 s, responder 3–8 s, ingester 0.1–0.5 s). Like Locust, this is closed-loop per user: a slow server lowers the offered load, and latency counts from the actual send (no coordinated-omission correction). Connections open evenly over the ramp; the warm-up (ramp included) is not measured.')
  items.push('<b>Errors</b> are every non-2xx answer plus every request that got no answer (timeout, connection error, connection closed), as Locust counts them.')
  items.push('<b>Loader saturation</b>: the load generator measures its own CPU (process.cpuUsage) and event-loop utilisation over the measured window. At ' + Math.round(r.slo.maxLoaderCpu * 100) + ' % of one core or more, or with its event loop busy 95 % of the time or more (it could not send on time: CPU-bound, or starved of CPU by the processes beside it), it counts as saturated. A phase that misses an SLO while saturated exits 4 (the miss cannot be blamed on the server); a passing phase only warns, since its figures are conservative.')
  items.push(`<b>Noise</b>: the server, Postgres, Redis and the load generator share ${r.machine.cores} cores${r.machine.cores <= 2 ? ' (and on the development machine other engineers\' test runs too)' : ''}; identical runs differ by ±20–25 %. Compare figures from the same session only, and prefer medians of repeated runs.`)
  return `<h2>How the load was made</h2><ul class="reasons">${items.map((i) => `<li>${i}</li>`).join('')}</ul>`
}

function settingsSection (r: BenchResult): string {
  const machine = r.machine
  const rows: [string, string][] = [
    ['machine', `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.platform}`],
    ['node', machine.node],
    ['load average at the end', `${machine.loadAverage.join(' / ')} (1 / 5 / 15 min)`],
    ...(r.postgresCommitMs ? [['Postgres commit before the run', `median ${ms(r.postgresCommitMs.medianMs)}, max ${ms(r.postgresCommitMs.maxMs)} (select txid_current(), 20 times; well under 1 ms on an idle machine)`] as [string, string]] : []),
    ['target', `${r.target.url} (${r.target.spawned ? 'started by the bench' : 'already running'})`],
    ...Object.entries(r.target.serverEnv ?? {}).map(([k, v]): [string, string] => [`server ${k}`, v]),
    ...Object.entries(r.settings).map(([k, v]): [string, string] => [k, v === null ? '–' : String(v)]),
    ['SLO targets', `≥ ${r.slo.minThroughput}/s, p95 < ${r.slo.p95Ms} ms, p99 < ${r.slo.p99Ms} ms, errors < ${r.slo.maxErrorRate * 100} %, loader < ${Math.round(r.slo.maxLoaderCpu * 100)} % of a core`]
  ]
  return `<h2>Machine and settings</h2><dl class="kv">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`
}

/** The whole report: one self-contained HTML file (inline CSS and SVG, no script, no network). */
export function renderHtmlReport (r: BenchResult): string {
  const v = r.verdict
  const started = new Date(r.startedAt)
  const took = (new Date(r.finishedAt).getTime() - started.getTime()) / 1000
  const limited = rateLimitReport(r)
  const reasons = [...v.reasons.map((t) => `<li class="bad">${esc(t)}</li>`), ...(limited ? [`<li class="rate-limited" style="color:var(--warn)">⚠ ${esc(rateLimitLine(limited))}</li>`] : []), ...v.warnings.map((t) => `<li style="color:var(--warn)">⚠ ${esc(t)}</li>`), ...r.notes.map((t) => `<li class="muted">${esc(t)}</li>`)]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(`${r.scenario} · ${STATUS_TEXT[v.status]} · eriop-target bench ${r.runId}`)}</title>
<style>${STYLE}</style></head>
<body><main>
<header class="top"><h1>eriop-target · ${esc(r.scenario)} benchmark</h1><span class="pill ${verdictClass(v.status)}">${STATUS_TEXT[v.status]} · exit ${v.exitCode}</span>
<span class="meta">run ${esc(r.runId)} · ${esc(started.toISOString().replace('T', ' ').slice(0, 19))} UTC · ${esc(seconds(took))} · ${esc(r.machine.cores + ' cores')}</span></header>
<p>${esc(SCENARIO_TEXT[r.scenario])}</p>
${headline(r)}
${reasons.length ? `<ul class="reasons">${reasons.join('')}</ul>` : ''}
<h2>SLO gates</h2>
${sloTable(r)}
<h2>Zero-loss check</h2>
${lossSection(r)}
${stressSection(r)}
${liveSection(r)}
${r.phases.map((p, i) => phaseSection(r, p, i)).join('\n')}
${methodSection(r)}
${settingsSection(r)}
<footer>Generated by <code>npm run bench -- ${esc(r.scenario)}</code> · eriop-target · the JSON beside this file holds every figure shown here.</footer>
</main></body></html>
`
}

function liveSection (r: BenchResult): string {
  const l = r.live
  if (!l) return ''
  const d = l.delivery
  const facts: Array<[string, string]> = [
    ['sockets', `${int(l.connected)} of ${int(l.sockets)} connected (WebSocket transport) at ${l.spawnRate}/s${Object.keys(l.connectErrors).length ? `; failed: ${Object.entries(l.connectErrors).map(([k, v]) => `${k} × ${int(v)}`).join(', ')}` : ''}; ${int(l.disconnects)} dropped during the run`],
    ['connect time', `p50 ${ms(l.connect.p50)}, p95 ${ms(l.connect.p95)}, p99 ${ms(l.connect.p99)}, max ${ms(l.connect.maxMs)} (handshake, token check, rooms)`],
    ['server memory', l.serverRssMb ? `RSS ${mb(l.serverRssMb.before)} → ${mb(l.serverRssMb.connected)} while the sockets connected: ${l.serverKbPerSocket === null ? '–' : `${l.serverKbPerSocket.toFixed(1)} KB per socket`}` : '–'],
    ['probes', `${int(l.probes)} incidents written through REST at ${l.probeRate}/s during the measured window, each expected at every socket`],
    ['REST write → event', `p50 ${ms(l.latency.p50)}, p95 ${ms(l.latency.p95)}, p99 ${ms(l.latency.p99)}, max ${ms(l.latency.maxMs)} over ${int(l.latency.count)} deliveries (from the request being sent to the event arriving; the probe POSTs themselves took p50 ${ms(l.restLatency.p50)}, p95 ${ms(l.restLatency.p95)} to answer)`],
    ['delivery', `${int(d.expected)} expected (probes × sockets): ${int(d.received)} received, ${int(d.dropped)} counted as dropped by the server (slow sockets), ${int(d.unaccounted)} unaccounted`],
    ['events received since connecting', Object.entries(l.events).map(([k, v]) => `${k} ${int(v)}`).join(', ') || '–'],
    ['alert:created', `LIVE_ALERT_CREATED=${l.liveAlertCreated}`]
  ]
  const connectEdges = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
  const connectBins = Histogram.from(l.connectHistogram).bins(connectEdges)
  const labels = [...connectEdges.map((e) => `≤ ${e}`), `> ${connectEdges.at(-1)}`]
  const charts = [
    lineChart({
      title: 'REST write → event at the sockets, per probe (log scale)',
      xLabel: 'seconds into the measured window',
      yLabel: 'ms',
      logY: true,
      series: [
        { name: 'p50', color: COLORS.p50, points: l.timeline.filter((p) => p.received > 0).map((p) => [p.t, p.p50]) },
        { name: 'p95', color: COLORS.p95, points: l.timeline.filter((p) => p.received > 0).map((p) => [p.t, p.p95]) },
        { name: 'p99', color: COLORS.p99, points: l.timeline.filter((p) => p.received > 0).map((p) => [p.t, p.p99]) }
      ],
      hLines: [{ y: r.slo.eventP95Ms, label: `p95 SLO ${r.slo.eventP95Ms} ms`, color: COLORS.p95 }]
    }),
    lineChart({
      title: 'Events received by all sockets, per second',
      xLabel: 'seconds into the measured window',
      yLabel: 'events / s',
      series: [{ name: 'received', color: COLORS.ok, points: l.perSecond.filter(([t]) => t >= 0) }]
    }),
    barChart({
      title: 'Connect time of the sockets',
      labels,
      values: connectBins,
      colors: connectBins.map(() => COLORS.ok),
      xLabel: 'ms',
      yLabel: 'sockets'
    })
  ]
  return `<h2>Live events (Socket.IO)</h2>
<dl class="kv">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<div class="charts">${charts.join('\n')}</div>`
}
