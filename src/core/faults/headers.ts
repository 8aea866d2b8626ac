import type { IncomingHttpHeaders } from 'node:http'
import { errors } from '../errors/index.js'
import type { Action, DistributionSpec } from './rules.js'

/** Per-request faults (FAULT_HEADERS=true): what the headers ask for, or null when none is present. */
export interface HeaderFaults { actions: Action[], probability: number }

/** Header delays are capped: a typo must not hold a connection for hours. */
const MAX_HEADER_MS = 60_000
const CONNECTIONS = ['reset', 'empty', 'malformed', 'garbage', 'hang'] as const

function bad (header: string, expected: string): never {
  throw new errors.BadRequest(`Malformed ${header} header: expected ${expected}`)
}

function one (headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  if (value === undefined) return undefined
  if (Array.isArray(value) || value.length > 200) bad(name, 'one value')
  return value.trim()
}

/** "200ms", "2s", "200" (ms). */
function duration (text: string, header: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text.trim())
  if (!m) bad(header, 'a duration such as 200ms or 1.5s')
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1)
  if (ms > MAX_HEADER_MS) bad(header, `at most ${MAX_HEADER_MS / 1000}s`)
  return ms
}

const DELAY_FORMS = '200ms, uniform(50ms,150ms), lognormal(40ms,0.5[,2s]) or exponential(40ms[,2s])'

function delay (text: string): DistributionSpec {
  const h = 'X-Fault-Delay'
  const call = /^(uniform|lognormal|exponential)\((.*)\)$/i.exec(text)
  if (!call) return { type: 'fixed', ms: duration(text, h) }
  const args = call[2].split(',').map((a) => a.trim())
  switch (call[1].toLowerCase()) {
    case 'uniform': {
      if (args.length !== 2) bad(h, DELAY_FORMS)
      const [min, max] = args.map((a) => duration(a, h))
      if (min > max) bad(h, 'uniform(min,max) with min ≤ max')
      return { type: 'uniform', min, max }
    }
    case 'lognormal': {
      if (args.length < 2 || args.length > 3) bad(h, DELAY_FORMS)
      const median = duration(args[0], h)
      const sigma = Number(args[1])
      if (!/^\d+(\.\d+)?$/.test(args[1]) || sigma > 5 || median <= 0) bad(h, 'lognormal(median,sigma) with median > 0 and 0 ≤ sigma ≤ 5')
      const max = args[2] !== undefined ? duration(args[2], h) : MAX_HEADER_MS
      if (max < median) bad(h, 'a cap at least the median')
      return { type: 'lognormal', median, sigma, max }
    }
    default: {
      if (args.length < 1 || args.length > 2) bad(h, DELAY_FORMS)
      const mean = duration(args[0], h)
      if (mean <= 0) bad(h, 'exponential(mean) with mean > 0')
      const max = args[1] !== undefined ? duration(args[1], h) : MAX_HEADER_MS
      if (max < mean) bad(h, 'a cap at least the mean')
      return { type: 'exponential', mean, max }
    }
  }
}

/**
 * X-Fault-Delay, X-Fault-Error, X-Fault-Connection and X-Fault-Probability. A header that cannot be
 * read is the client's mistake: a 400 in the contract's shape, and no fault.
 */
export function parseFaultHeaders (headers: IncomingHttpHeaders): HeaderFaults | null {
  const delayText = one(headers, 'x-fault-delay')
  const errorText = one(headers, 'x-fault-error')
  const connection = one(headers, 'x-fault-connection')
  const probabilityText = one(headers, 'x-fault-probability')
  if (delayText === undefined && errorText === undefined && connection === undefined) {
    if (probabilityText !== undefined) bad('X-Fault-Probability', 'X-Fault-Delay, X-Fault-Error or X-Fault-Connection beside it')
    return null
  }
  const actions: Action[] = []
  if (delayText !== undefined) {
    const spec = delay(delayText)
    actions.push(spec.type === 'fixed' ? { type: 'delay', ms: spec.ms } : { type: 'delay', distribution: spec })
  }
  if (errorText !== undefined) {
    const status = Number(errorText)
    if (!/^\d{3}$/.test(errorText) || !(status === 429 || (status >= 500 && status <= 599))) bad('X-Fault-Error', 'a status 500–599 or 429')
    actions.push({ type: 'error', status })
  }
  if (connection !== undefined) {
    const kind = connection.toLowerCase()
    if (!(CONNECTIONS as readonly string[]).includes(kind)) bad('X-Fault-Connection', CONNECTIONS.join(', '))
    actions.push({ type: kind as typeof CONNECTIONS[number] })
  }
  let probability = 1
  if (probabilityText !== undefined) {
    probability = Number(probabilityText)
    if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(probabilityText)) bad('X-Fault-Probability', 'a number from 0 to 1')
  }
  return { actions, probability }
}
