import { NO_NUL } from '../schemas/common.js'
import type { ValidationIssue } from './catalog.js'

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' }

const AJV_TYPES: Record<string, string> = {
  required: 'missing',
  type: 'type_error',
  enum: 'enum',
  const: 'literal_error',
  minimum: 'greater_than_equal',
  exclusiveMinimum: 'greater_than',
  maximum: 'less_than_equal',
  exclusiveMaximum: 'less_than',
  minLength: 'string_too_short',
  maxLength: 'string_too_long',
  minItems: 'too_short',
  maxItems: 'too_long',
  format: 'value_error',
  pattern: 'string_pattern_mismatch',
  additionalProperties: 'extra_forbidden',
  anyOf: 'union_error'
}

export interface AjvIssue { keyword: string, instancePath: string, message?: string, params: Record<string, unknown> }

export function toValidationIssues (part: string | undefined, issues: AjvIssue[]): ValidationIssue[] {
  const root = PART_NAMES[part ?? 'body'] ?? 'body'
  return withoutNullableNoise(issues).map((issue) => {
    const loc: (string | number)[] = [root]
    for (const segment of issue.instancePath.split('/').slice(1)) {
      const unescaped = segment.replaceAll('~1', '/').replaceAll('~0', '~')
      loc.push(/^\d+$/.test(unescaped) ? Number(unescaped) : unescaped)
    }
    if (issue.keyword === 'required') loc.push(String(issue.params.missingProperty))
    if (issue.keyword === 'additionalProperties') loc.push(String(issue.params.additionalProperty))
    if (issue.keyword === 'pattern' && issue.params.pattern === NO_NUL) {
      return { loc, msg: 'Text must not contain NUL (\\u0000) characters', type: 'string_nul' }
    }
    const msg = issue.keyword === 'required' ? 'Field required' : (issue.message ?? 'Invalid value')
    return { loc, msg, type: AJV_TYPES[issue.keyword] ?? issue.keyword }
  })
}

/**
 * A nullable field (`anyOf: [T, null]`) that fails as T also reports "must be null" and "must match a
 * schema in anyOf" at the same place: only T's reason says what is wrong.
 */
function withoutNullableNoise (issues: AjvIssue[]): AjvIssue[] {
  if (!issues.some((issue) => issue.keyword === 'anyOf')) return issues
  const explained = new Set(issues.filter((i) => i.keyword !== 'anyOf' && !isNullBranch(i)).map((i) => i.instancePath))
  return issues.filter((i) => !explained.has(i.instancePath) || (i.keyword !== 'anyOf' && !isNullBranch(i)))
}

const isNullBranch = (issue: AjvIssue) => issue.keyword === 'type' && issue.params.type === 'null'
