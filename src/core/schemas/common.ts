import { Type, type Static, type TSchema } from 'typebox'

export const Uuid = Type.String({ format: 'uuid', maxLength: 36, description: 'UUID' })
// Handlers return Date objects; the serializer writes them as ISO-8601 strings.
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'ISO-8601 timestamp with offset' })

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])

export const IdParams = Type.Object({ id: Uuid })
export type IdParams = Static<typeof IdParams>

export const PageQuery = {
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  page_size: Type.Integer({ minimum: 1, maximum: 100, default: 50 })
}

/** `limit` of the bare-array lists (/incidents/active, /alerts/pending, /resources/available). */
export const CappedListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'At most this many items (the original was uncapped)' })
})
export type CappedListQuery = Static<typeof CappedListQuery>

export const Page = <T extends TSchema>(item: T) => Type.Object({
  items: Type.Array(item),
  total: Type.Integer(),
  page: Type.Integer(),
  page_size: Type.Integer(),
  total_pages: Type.Integer()
})

export interface PageOf<T> { items: T[], total: number, page: number, page_size: number, total_pages: number }

export function pageOf<T> (items: T[], total: number, page: number, pageSize: number): PageOf<T> {
  return { items, total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) }
}

export const ValidationIssue = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
  msg: Type.String(),
  type: Type.String()
})

export const ErrorResponse = Type.Object({
  detail: Type.Union([Type.String(), Type.Array(ValidationIssue)]),
  code: Type.String({ description: 'Stable error code' })
}, { description: 'Error' })

/** Error responses every authenticated route can give. */
export const authErrors = { 401: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse }
export const idErrors = { ...authErrors, 400: ErrorResponse, 404: ErrorResponse }

export const Latitude = Type.Number({ minimum: -90, maximum: 90 })
export const Longitude = Type.Number({ minimum: -180, maximum: 180 })
/**
 * Postgres text cannot hold NUL (U+0000): a string that contains one is refused by validation (422
 * at its own `loc`), never by the database.
 */
export const NO_NUL = '^[^\\u0000]*$'
export const Text = (maxLength: number, opts: { minLength?: number, description?: string } = {}) =>
  Type.String({ maxLength, pattern: NO_NUL, ...opts })
