import { Type, type TSchema } from 'typebox'
import { DateTime, IdParams, Nullable, Uuid } from '../../../core/schemas/common.js'
import { INVALID_MESSAGE } from '../drf/validation.js'

export { DateTime, IdParams, Nullable, Uuid }

/** Postgres text cannot hold NUL: refused by validation with DRF's message, never by the database. */
const NO_NUL = '^[^\\u0000]*$'

/** A DRF CharField: a string, not blank unless allowed, at most `maxLength` characters, no NUL. */
export const Char = (maxLength: number, opts: { allowBlank?: boolean, description?: string } = {}) =>
  Type.String({ maxLength, pattern: NO_NUL, ...(opts.allowBlank ? {} : { minLength: 1 }), ...(opts.description ? { description: opts.description } : {}) })

export const Choice = <const T extends string[]>(values: readonly [...T], description?: string) =>
  Type.Enum(values, description ? { description } : {})

/** A union whose failure is one message of the API's choosing (see toFieldErrors). */
export const OneOf = <T extends TSchema[]>(schemas: [...T], invalid: string, description?: string) =>
  Type.Union(schemas, { [INVALID_MESSAGE]: invalid, ...(description ? { description } : {}) })

/**
 * A dict of at most `maxProperties` scalar values (text, number, boolean) under non-empty keys of
 * at most 100 characters, as JSON Schema says it directly: TypeBox's Record would let a key its
 * pattern does not match (one with a newline, say) carry any value at all.
 */
export const ScalarDict = (maxProperties: number) => Type.Unsafe<Record<string, string | number | boolean>>({
  type: 'object',
  maxProperties,
  propertyNames: { type: 'string', minLength: 1, maxLength: 100, pattern: NO_NUL },
  additionalProperties: { anyOf: [Char(500, { allowBlank: true }), { type: 'number' }, { type: 'boolean' }] }
})

export const LimitQuery = (max: number, fallback: number) => Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: max, default: fallback, description: `At most this many items (1–${max})` })
})

const Error = Type.Object({ detail: Type.String() }, { description: 'DRF error' })
const FieldErrors = Type.Record(Type.String(), Type.Array(Type.String()), { description: 'DRF validation errors: messages per field' })

export const errors = {
  400: FieldErrors, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 415: Error, 429: Error, 503: Error
}
