import { Type } from 'typebox'
import { DateTime, Nullable, Text, ValidationIssue } from '../../../core/schemas/common.js'

export { DateTime, Nullable, Text }

/** Integer ids, as the original's serial columns. */
export const IntId = Type.Integer({ minimum: 1, maximum: 2147483647 })
export const IdParams = Type.Object({ id: IntId })

/**
 * `page`/`page_size` as the original; `limit`/`offset` (what the suite sends) are honoured too:
 * `limit` sizes the page when `page_size` is absent and `offset` skips rows instead of `page`.
 */
export const PagingQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 }))
}

export interface Paging { page?: number, page_size?: number, limit?: number, offset?: number }
export interface Window { offset: number, size: number, page: number }

export function pageWindow (q: Paging, defaultSize = 20): Window {
  const size = q.page_size ?? q.limit ?? defaultSize
  const offset = q.offset ?? ((q.page ?? 1) - 1) * size
  return { offset, size, page: Math.floor(offset / size) + 1 }
}

export const PageFields = {
  total: Type.Integer(),
  page: Type.Integer(),
  page_size: Type.Integer(),
  pages: Type.Integer()
}

export function pageFields (total: number, window: Window) {
  return { total, page: window.page, page_size: window.size, pages: Math.ceil(total / window.size) }
}

/** FastAPI's error body (`code` kept beside `detail`). */
export const HttpError = Type.Object({
  detail: Type.Union([Type.String(), Type.Array(ValidationIssue)]),
  code: Type.Optional(Type.String())
}, { description: 'Error, as FastAPI answers it' })

export const authErrors = { 401: HttpError, 422: HttpError, 429: HttpError, 503: HttpError }
export const idErrors = { ...authErrors, 404: HttpError }
