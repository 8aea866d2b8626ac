import type { ErrorObject } from 'ajv'
import { validatorCompilers } from '../../../core/validation.js'

/**
 * This API's validators: every error at once (DRF reports each field), with the failing schema
 * and value at hand (`verbose`) so the messages can be DRF's.
 */
export const drfValidatorCompiler = () => validatorCompilers({ allErrors: true, verbose: true })

/** Python's name of a JSON value's type, as DRF's messages say it. */
function pythonType (value: unknown): string {
  if (value === null || value === undefined) return 'NoneType'
  if (Array.isArray(value)) return 'list'
  if (typeof value === 'string') return 'str'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  return 'dict'
}

/** A schema can name the message of its own failure (unions, whose branches' errors mean nothing to a client). */
export const INVALID_MESSAGE = 'x-drf-invalid'

function message (error: ErrorObject): string | undefined {
  const limit = (error.params as { limit?: number }).limit
  const data = error.data
  switch (error.keyword) {
    case 'required': return 'This field is required.'
    case 'type': {
      const expected = String((error.params as { type: string }).type)
      if (expected.startsWith('string')) return 'Not a valid string.'
      if (expected.startsWith('integer')) return 'A valid integer is required.'
      if (expected.startsWith('number')) return 'A valid number is required.'
      if (expected.startsWith('boolean')) return 'Must be a valid boolean.'
      if (expected.startsWith('array')) return `Expected a list of items but got type "${pythonType(data)}".`
      return `Expected a dictionary of items but got type "${pythonType(data)}".`
    }
    case 'minLength': return limit === 1 ? 'This field may not be blank.' : `Ensure this field has at least ${limit} characters.`
    case 'maxLength': return `Ensure this field has no more than ${limit} characters.`
    case 'pattern': return typeof data === 'string' && data.includes('\u0000') ? 'Null characters are not allowed.' : 'Enter a valid value.'
    case 'format': return (error.params as { format: string }).format === 'uuid' ? 'Must be a valid UUID.' : 'Enter a valid value.'
    case 'enum':
    case 'const': return `"${typeof data === 'string' ? data : JSON.stringify(data)}" is not a valid choice.`
    case 'minItems': return 'This list may not be empty.'
    case 'maxItems': return `Ensure this field has no more than ${limit} elements.`
    case 'maxProperties': return `Ensure this field has no more than ${limit} keys.`
    case 'minimum': return `Ensure this value is greater than or equal to ${limit}.`
    case 'maximum': return `Ensure this value is less than or equal to ${limit}.`
    case 'additionalProperties': return `Unexpected key "${(error.params as { additionalProperty: string }).additionalProperty}".`
    case 'propertyNames': return 'Invalid key.'
    case 'anyOf':
    case 'oneOf': return (error.parentSchema as Record<string, string> | undefined)?.[INVALID_MESSAGE] ?? 'Invalid value.'
    default: return 'Invalid value.'
  }
}

/**
 * Ajv's errors as DRF's `{field: [messages]}`. A body that is not an object is DRF's
 * `non_field_errors`; an error inside a field (an element of a list, a key of a dict) is reported
 * on the field, as DRF's nested serializers flatten it here.
 */
export function toFieldErrors (errors: ErrorObject[]): Record<string, string[]> {
  const fields = new Map<string, { messages: Set<string>, union?: string }>()
  for (const error of errors) {
    let field: string
    if (error.instancePath === '') {
      if (error.keyword === 'required') field = (error.params as { missingProperty: string }).missingProperty
      else if (error.keyword === 'type') {
        fields.set('non_field_errors', { messages: new Set([`Invalid data. Expected a dictionary, but got ${pythonType(error.data)}.`]) })
        continue
      } else continue
    } else {
      field = error.instancePath.split('/')[1].replaceAll('~1', '/').replaceAll('~0', '~')
    }
    const text = message(error)
    if (text === undefined) continue
    const entry = fields.get(field) ?? { messages: new Set<string>() }
    // A union's own message replaces its branches' (which would say "not a string" and "not a list" at once).
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && error.instancePath === `/${field}`) entry.union = text
    else entry.messages.add(text)
    fields.set(field, entry)
  }
  if (fields.has('non_field_errors')) return { non_field_errors: [...fields.get('non_field_errors')!.messages] }
  return Object.fromEntries([...fields].map(([field, entry]) => [field, entry.union ? [entry.union] : [...entry.messages]]))
}
