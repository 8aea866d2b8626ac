// Locust's CSV output (--csv), for the tests that run real Locust.
export function parseCsv (text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n')
  const split = (line: string) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((cell) => cell.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"'))
  const keys = split(header)
  return lines.filter(Boolean).map((line) => Object.fromEntries(split(line).map((value, i) => [keys[i], value])))
}
