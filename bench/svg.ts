/**
 * Inline SVG charts for the HTML report: no library, no CDN, readable when printed.
 * Every function returns a complete <svg> element as a string.
 */

export interface Series {
  name: string
  color: string
  points: [number, number][]
  dashed?: boolean
}

export interface LineChartOptions {
  title: string
  series: Series[]
  xLabel: string
  yLabel: string
  /** Logarithmic y axis (latency spans orders of magnitude). */
  logY?: boolean
  /** Horizontal reference lines (SLO targets). */
  hLines?: { y: number, label: string, color: string }[]
  /** Shade this x range (the warm-up). */
  shade?: { from: number, to: number, label: string }
  width?: number
  height?: number
  yMin?: number
  xMin?: number
}

const MARGIN = { top: 50, right: 16, bottom: 38, left: 58 }

export function escapeXml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!))
}

/** 1-2-5 ticks covering [min, max]. */
export function niceTicks (min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw
  const ticks: number[] = []
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)))
  return ticks
}

function logTicks (min: number, max: number): number[] {
  const ticks: number[] = []
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e
      if (t >= min * 0.999 && t <= max * 1.001) ticks.push(Number(t.toPrecision(6)))
    }
  }
  return ticks
}

export function compact (value: number): string {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`
  if (abs >= 1) return String(Number(value.toPrecision(4)))
  if (abs === 0) return '0'
  return String(Number(value.toPrecision(2)))
}

function legend (series: { name: string, color: string, dashed?: boolean }[], x: number, y: number): string {
  let offset = 0
  return series.map((s) => {
    const item = `<g transform="translate(${x + offset},${y})"><line x1="0" y1="-4" x2="16" y2="-4" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/><text x="20" y="0" class="lg">${escapeXml(s.name)}</text></g>`
    offset += 28 + s.name.length * 6.2
    return item
  }).join('')
}

export function lineChart (o: LineChartOptions): string {
  const width = o.width ?? 540
  const height = o.height ?? 250
  const w = width - MARGIN.left - MARGIN.right
  const h = height - MARGIN.top - MARGIN.bottom
  const all = o.series.flatMap((s) => s.points)
  const xs = all.map((p) => p[0])
  const ys = [...all.map((p) => p[1]), ...(o.hLines ?? []).map((l) => l.y)]
  const xMin = o.xMin ?? (xs.length ? Math.min(...xs, o.shade?.from ?? Infinity) : 0)
  let xMax = xs.length ? Math.max(...xs, 1) : 1
  if (xMax <= xMin) xMax = xMin + 1
  let yMin: number
  let yMax: number
  let yTicks: number[]
  let yScale: (v: number) => number
  if (o.logY) {
    const positive = ys.filter((v) => v > 0)
    yMin = Math.max(0.01, 10 ** Math.floor(Math.log10(positive.length ? Math.min(...positive) : 0.1)))
    yMax = 10 ** Math.ceil(Math.log10(positive.length ? Math.max(...positive) * 1.05 : 1))
    if (yMax <= yMin) yMax = yMin * 10
    yTicks = logTicks(yMin, yMax)
    const span = Math.log10(yMax) - Math.log10(yMin)
    yScale = (v) => MARGIN.top + h - ((Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / span) * h
  } else {
    yMin = o.yMin ?? 0
    const top = ys.length ? Math.max(...ys) : 1
    yTicks = niceTicks(yMin, top > yMin ? top * 1.08 : yMin + 1)
    yMax = yTicks[yTicks.length - 1]
    if (yMax <= top) yMax = top * 1.08
    yScale = (v) => MARGIN.top + h - ((v - yMin) / (yMax - yMin || 1)) * h
  }
  const xScale = (v: number) => MARGIN.left + ((v - xMin) / (xMax - xMin || 1)) * w
  const xTicks = niceTicks(xMin, xMax, 6)

  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}" class="chart">`)
  parts.push(`<text x="${MARGIN.left}" y="16" class="ct">${escapeXml(o.title)}</text>`)
  if (o.shade && o.shade.to > xMin) {
    const x0 = xScale(Math.max(o.shade.from, xMin))
    const x1 = xScale(Math.min(o.shade.to, xMax))
    parts.push(`<rect x="${x0}" y="${MARGIN.top}" width="${Math.max(0, x1 - x0)}" height="${h}" class="shade"/><text x="${x0 + 4}" y="${MARGIN.top + 12}" class="sl">${escapeXml(o.shade.label)}</text>`)
  }
  for (const t of yTicks) {
    const y = yScale(t)
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y}" y2="${y}" class="grid"/><text x="${MARGIN.left - 6}" y="${y + 4}" class="tk" text-anchor="end">${compact(t)}</text>`)
  }
  for (const t of xTicks) {
    const x = xScale(t)
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top + h}" y2="${MARGIN.top + h + 4}" class="axis"/><text x="${x}" y="${MARGIN.top + h + 16}" class="tk" text-anchor="middle">${compact(t)}</text>`)
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${MARGIN.top + h}" y2="${MARGIN.top + h}" class="axis"/>`)
  parts.push(`<text x="${MARGIN.left + w / 2}" y="${height - 4}" class="al" text-anchor="middle">${escapeXml(o.xLabel)}</text>`)
  parts.push(`<text transform="translate(13,${MARGIN.top + h / 2}) rotate(-90)" class="al" text-anchor="middle">${escapeXml(o.yLabel)}</text>`)
  for (const line of o.hLines ?? []) {
    if (line.y > yMax || line.y < yMin) continue
    const y = yScale(line.y)
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y}" y2="${y}" stroke="${line.color}" stroke-width="1.2" stroke-dasharray="6 4"/><text x="${MARGIN.left + w - 4}" y="${y - 4}" class="hl" text-anchor="end" fill="${line.color}">${escapeXml(line.label)}</text>`)
  }
  for (const s of o.series) {
    if (s.points.length === 0) continue
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${xScale(x).toFixed(1)},${yScale(y).toFixed(1)}`).join('')
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`)
    if (s.points.length === 1) {
      const [x, y] = s.points[0]
      parts.push(`<circle cx="${xScale(x)}" cy="${yScale(y)}" r="3" fill="${s.color}"/>`)
    }
  }
  parts.push(legend(o.series, MARGIN.left + 2, 36))
  parts.push('</svg>')
  return parts.join('')
}

export interface BarChartOptions {
  title: string
  labels: string[]
  values: number[]
  /** Bar colour per bar (e.g. red beyond the SLO). */
  colors: string[]
  yLabel: string
  xLabel: string
  /** Text above each bar. */
  annotations?: string[]
  width?: number
  height?: number
}

export function barChart (o: BarChartOptions): string {
  const width = o.width ?? 540
  const height = o.height ?? 250
  const w = width - MARGIN.left - MARGIN.right
  const h = height - MARGIN.top - MARGIN.bottom
  const max = Math.max(1, ...o.values)
  const ticks = niceTicks(0, max * 1.1)
  const top = ticks[ticks.length - 1]
  const slot = w / Math.max(1, o.values.length)
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(o.title)}" class="chart">`)
  parts.push(`<text x="${MARGIN.left}" y="16" class="ct">${escapeXml(o.title)}</text>`)
  for (const t of ticks) {
    const y = MARGIN.top + h - (t / top) * h
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${y}" y2="${y}" class="grid"/><text x="${MARGIN.left - 6}" y="${y + 4}" class="tk" text-anchor="end">${compact(t)}</text>`)
  }
  o.values.forEach((value, i) => {
    const bh = (value / top) * h
    const x = MARGIN.left + i * slot + slot * 0.12
    const y = MARGIN.top + h - bh
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.76).toFixed(1)}" height="${bh.toFixed(1)}" fill="${o.colors[i]}" rx="2"><title>${escapeXml(`${o.labels[i]}: ${value}`)}</title></rect>`)
    if (o.annotations?.[i]) parts.push(`<text x="${x + slot * 0.38}" y="${y - 3}" class="tk" text-anchor="middle">${escapeXml(o.annotations[i])}</text>`)
    parts.push(`<text x="${x + slot * 0.38}" y="${MARGIN.top + h + 14}" class="tk" text-anchor="middle">${escapeXml(o.labels[i])}</text>`)
  })
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${MARGIN.top + h}" y2="${MARGIN.top + h}" class="axis"/>`)
  parts.push(`<text x="${MARGIN.left + w / 2}" y="${height - 4}" class="al" text-anchor="middle">${escapeXml(o.xLabel)}</text>`)
  parts.push(`<text transform="translate(13,${MARGIN.top + h / 2}) rotate(-90)" class="al" text-anchor="middle">${escapeXml(o.yLabel)}</text>`)
  parts.push('</svg>')
  return parts.join('')
}
