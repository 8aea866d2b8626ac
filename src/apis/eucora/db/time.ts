/**
 * A timestamptz as drizzle's raw queries return it (Postgres' text, `2026-01-25 10:00:00.123456+00`)
 * as a Date; Dates and nulls pass through.
 */
export function pgTime (value: string | Date): Date
export function pgTime (value: string | Date | null): Date | null
export function pgTime (value: string | Date | null): Date | null {
  if (value === null || value instanceof Date) return value
  return new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))
}
