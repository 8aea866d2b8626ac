import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'

/**
 * Fastify's validator compiler: bodies are validated strictly (no type coercion: `"3"` is not a
 * priority), while query strings and path parameters are coerced from text, as they must be.
 * `options` adds to the defaults (an API that reports every error at once: `allErrors`).
 */
export function validatorCompilers (options: Options = {}) {
  const make = (coerceTypes: boolean | 'array') => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false, ...options })
    addFormats.default(ajv)
    return ajv
  }
  const body = make(false)
  const other = make('array')
  return ({ schema, httpPart }: { schema: object, httpPart?: string }) =>
    (httpPart === 'body' ? body : other).compile(schema)
}
