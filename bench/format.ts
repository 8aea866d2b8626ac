/** Number formatting shared by the terminal summary and the HTML report. */

export function ms (value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`
  if (value >= 100) return `${Math.round(value)} ms`
  if (value >= 10) return `${value.toFixed(1)} ms`
  return `${value.toFixed(2)} ms`
}

export function int (value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return Math.round(value).toLocaleString('en-US')
}

export function rate (value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return value >= 100 ? `${int(value)}/s` : `${value.toFixed(1)}/s`
}

/** A fraction (0.0123) as a percentage ("1.23 %"). */
export function pct (fraction: number | null | undefined, digits = 2): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–'
  const value = fraction * 100
  if (value > 0 && value < 0.01) return '< 0.01 %'
  return `${value.toFixed(digits)} %`
}

export function mb (value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return `${Math.round(value)} MB`
}

export function seconds (value: number): string {
  return value >= 120 ? `${Math.floor(value / 60)} min ${Math.round(value % 60)} s` : `${Math.round(value * 10) / 10} s`
}
