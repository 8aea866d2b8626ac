import type { EndpointStats, LiveReport, LossReport, PhaseResult, SloCheck, SloTargets, Verdict } from './types.js'
import { EXIT } from './types.js'

export const DEFAULT_SLO: SloTargets = {
  minThroughput: 1000,
  p95Ms: 200,
  p99Ms: 500,
  maxErrorRate: 0.01,
  maxLoaderCpu: 0.9,
  eventP95Ms: 200
}

/** A paced phase "kept up" when it delivered at least this share of the rate asked of it. */
export const SUSTAINED_SHARE = 0.95

/** Failures over finished requests: non-2xx answers plus requests that never got one. */
export function errorRate (stats: Pick<EndpointStats, 'answered' | 'ok' | 'noAnswer'>): number {
  const finished = stats.answered + stats.noAnswer
  return finished === 0 ? 0 : (finished - stats.ok) / finished
}

const check = (c: Omit<SloCheck, 'pass'>): SloCheck =>
  ({ ...c, pass: c.comparator === '>=' ? c.actual >= c.target : c.actual < c.target })

export function latencyChecks (phase: PhaseResult, slo: SloTargets): SloCheck[] {
  return [
    check({ id: 'p95', phase: phase.name, label: 'p95 latency', target: slo.p95Ms, actual: phase.total.latency.p95, unit: 'ms', comparator: '<' }),
    check({ id: 'p99', phase: phase.name, label: 'p99 latency', target: slo.p99Ms, actual: phase.total.latency.p99, unit: 'ms', comparator: '<' })
  ]
}

export function errorCheck (phase: PhaseResult, slo: SloTargets): SloCheck {
  if (phase.faults) {
    // Under --faults the injected failures are the point of the run: the gate is on the rest.
    const finished = phase.total.answered + phase.total.noAnswer
    const actual = finished === 0 ? 0 : phase.faults.failures.genuine / finished * 100
    return check({ id: 'errors', phase: phase.name, label: 'genuine error rate (faults apart)', target: slo.maxErrorRate * 100, actual, unit: '%', comparator: '<' })
  }
  return check({ id: 'errors', phase: phase.name, label: 'error rate', target: slo.maxErrorRate * 100, actual: errorRate(phase.total) * 100, unit: '%', comparator: '<' })
}

/** live: events reach the sockets quickly, and every one is received or counted as dropped. */
export function liveChecks (live: LiveReport, phase: string, slo: SloTargets): SloCheck[] {
  const { expected, received, dropped } = live.delivery
  return [
    check({ id: 'event-p95', phase, label: 'p95 REST write → event at a socket', target: slo.eventP95Ms, actual: live.latency.p95, unit: 'ms', comparator: '<' }),
    check({ id: 'delivery', phase, label: 'events received or counted as dropped', target: 100, actual: expected === 0 ? 0 : Math.min(100, ((received + dropped) / expected) * 100), unit: '%', comparator: '>=' })
  ]
}

export function throughputCheck (phase: PhaseResult, slo: SloTargets, actual = phase.total.okPerS): SloCheck {
  return check({ id: 'throughput', phase: phase.name, label: 'alerts ingested per second', target: slo.minThroughput, actual, unit: 'req/s', comparator: '>=' })
}

/** For a paced phase: did it deliver (nearly) the rate it was asked for? */
export function sustainedCheck (phase: PhaseResult): SloCheck {
  const target = (phase.targetRate ?? 0) * SUSTAINED_SHARE
  return check({ id: 'sustained', phase: phase.name, label: `kept the paced rate (≥ ${SUSTAINED_SHARE * 100} %)`, target, actual: phase.total.okPerS, unit: 'req/s', comparator: '>=' })
}

/** Every SLO a paced phase must meet: rate kept, latency, errors. */
export function pacedChecks (phase: PhaseResult, slo: SloTargets): SloCheck[] {
  return [sustainedCheck(phase), ...latencyChecks(phase, slo), errorCheck(phase, slo)]
}

export interface StressOutcome {
  sustainedRate: number | null
  breakingRate: number | null
  breakingPhase: string | null
  failureMode: string
}

/** Describes how a phase failed: what the non-2xx answers were, or that latency alone broke. */
export function failureMode (phase: PhaseResult, slo: SloTargets): string {
  const parts: string[] = []
  const statuses = Object.entries(phase.total.byStatus).filter(([code]) => !code.startsWith('2')).sort((a, b) => b[1] - a[1])
  const named: Record<string, string> = { 429: 'rate limited', 503: 'overloaded (Retry-After)', 500: 'server error', 502: 'bad gateway', 504: 'gateway timeout' }
  for (const [code, n] of statuses) parts.push(`${n} × ${code}${named[code] ? ` ${named[code]}` : ''}`)
  if (phase.total.timeouts) parts.push(`${phase.total.timeouts} timeouts`)
  const otherNoAnswer = phase.total.noAnswer - phase.total.timeouts
  if (otherNoAnswer > 0) parts.push(`${otherNoAnswer} connection errors`)
  const { p95, p99 } = phase.total.latency
  if (p95 >= slo.p95Ms || p99 >= slo.p99Ms) parts.push(`latency p95 ${p95.toFixed(0)} ms / p99 ${p99.toFixed(0)} ms`)
  if (phase.targetRate && phase.total.okPerS < phase.targetRate * SUSTAINED_SHARE) {
    parts.push(`delivered ${phase.total.okPerS.toFixed(0)}/s of ${phase.targetRate}/s`)
  }
  if (phase.loader.saturated) parts.push('load generator saturated')
  return parts.length ? parts.join('; ') : 'none'
}

/** The stress ramp: the highest step that met every SLO before the first that did not. */
export function stressOutcome (steps: PhaseResult[], slo: SloTargets): StressOutcome {
  let sustainedRate: number | null = null
  for (const step of steps) {
    if (pacedChecks(step, slo).every((c) => c.pass)) {
      sustainedRate = step.targetRate
      continue
    }
    return { sustainedRate, breakingRate: step.targetRate, breakingPhase: step.name, failureMode: failureMode(step, slo) }
  }
  return { sustainedRate, breakingRate: null, breakingPhase: null, failureMode: 'did not break within the ramp' }
}

/** All cores this busy: everything on the machine, loader included, waits for CPU. */
export const MACHINE_BUSY = 0.95

/**
 * The exit status. Data loss outranks everything. A missed SLO in a phase where the load
 * generator was itself saturated cannot be blamed on the server: exit 4, not 1. A saturated
 * loader in a phase that passed is only a warning, because its figures are conservative
 * (latency can only have been inflated, throughput only held down).
 */
export function verdict (checks: SloCheck[], loss: LossReport, phases: PhaseResult[]): Verdict {
  const reasons: string[] = []
  const warnings: string[] = []
  const saturated = new Set(phases.filter((p) => p.loader.saturated).map((p) => p.name))
  for (const p of phases) {
    if (p.loader.saturated) {
      const which = p.loader.processes > 1 ? `the busiest of ${p.loader.processes} loader processes` : 'the loader process'
      const starved = p.machine.busy >= MACHINE_BUSY && p.loader.elu > p.loader.cpu + 0.2
        ? `; the machine's cores were ${Math.round(p.machine.busy * 100)} % busy, so it was starved of CPU rather than using it`
        : ''
      warnings.push(`load generator saturated in "${p.name}" (${which}: CPU ${Math.round(p.loader.cpu * 100)} % of a core, event loop ${Math.round(p.loader.elu * 100)} % busy${starved}): its figures understate the server; more loader processes (--loaders) help only where cores are free`)
    }
  }
  if (!loss.verified) warnings.push(`loss check not run: ${loss.reason ?? 'unknown reason'}`)

  if (loss.verified && !loss.ok) {
    reasons.push(`data loss: ${loss.missing} acknowledged alerts missing, ${loss.unexpected} unexpected rows, ${loss.duplicates} duplicated, ${loss.storedDespiteRejection} stored despite an error answer, rows − acked ${loss.surplus} (allowed 0…${loss.unknown})` +
      (loss.serverCommitted !== null && loss.serverCommitted !== loss.rows ? `, server counted ${loss.serverCommitted} committed for ${loss.rows} rows` : ''))
    return { exitCode: EXIT.dataLoss, status: 'data-loss', reasons, warnings }
  }
  const failed = checks.filter((c) => !c.pass)
  if (failed.length === 0) return { exitCode: EXIT.pass, status: 'pass', reasons, warnings }
  for (const c of failed) reasons.push(`${c.label} in "${c.phase}": ${formatValue(c.actual, c.unit)} (target ${c.comparator} ${formatValue(c.target, c.unit)})`)
  if (failed.some((c) => saturated.has(c.phase))) {
    reasons.push('the load generator was saturated where the SLO was missed: the miss says nothing about the server')
    return { exitCode: EXIT.loaderSaturated, status: 'loader-saturated', reasons, warnings }
  }
  return { exitCode: EXIT.sloMissed, status: 'slo-missed', reasons, warnings }
}

export function formatValue (value: number, unit: SloCheck['unit']): string {
  if (unit === 'ms') return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`
  if (unit === '%') return `${value < 0.1 && value > 0 ? value.toFixed(3) : value.toFixed(2)} %`
  return `${Math.round(value).toLocaleString('en-US')}/s`
}
