// The README and .env.example stay true: every setting, every script, every route.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigSchema } from '../../src/config.js'
import { build, useTestDatabase } from '../helper.js'
import { packageJson, readRepoFile } from './support.js'

const database = useTestDatabase('deploy_docs')

/** The rows of the first Markdown table after `heading`, as arrays of cells. */
function tableAfter (markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`)
  assert.ok(start >= 0, `README has a "${heading}" section`)
  const lines = markdown.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(line.slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()))
  }
  return rows
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '')
const schemaKeys = Object.keys(ConfigSchema.properties)

test('README configuration table: exactly the keys of ConfigSchema, in order, with their defaults', () => {
  const rows = tableAfter(readRepoFile('README.md'), '## Configuration')
  assert.deepEqual(rows.map((row) => unquote(row[0])), schemaKeys, 'add or remove the key in the README table too')
  for (const [key, shown, meaning] of rows) {
    const property = (ConfigSchema.properties as Record<string, { default?: unknown }>)[unquote(key)]
    const expected = property.default === undefined ? 'unset' : `\`${String(property.default)}\``
    assert.equal(shown, expected, `default of ${key}`)
    assert.ok(meaning.length > 10, `${key} has a meaning`)
  }
})

test('.env.example lists every key of ConfigSchema, with its default, and nothing else', () => {
  const lines = readRepoFile('.env.example').split('\n')
  const entries = lines.flatMap((line) => {
    const match = /^#?\s?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    return match ? [[match[1], match[2]] as const] : []
  })
  assert.deepEqual(entries.map(([key]) => key), schemaKeys)
  for (const [key, value] of entries) {
    const property = (ConfigSchema.properties as Record<string, { default?: unknown }>)[key]
    assert.equal(value, property.default === undefined ? '' : String(property.default), `default of ${key}`)
  }
  assert.ok(lines.every((line) => line === '' || line.startsWith('#')), 'every setting commented out: copying it changes nothing')
})

test('README scripts table: every script of package.json', () => {
  const rows = tableAfter(readRepoFile('README.md'), '## Scripts')
  const listed = rows.map(([cell]) => unquote(cell).replace(/^npm (run )?/, ''))
  assert.deepEqual(listed.sort(), Object.keys(packageJson().scripts).sort(), 'add or remove the script in the README table too')
})

test('README API overview: every route of the OpenAPI document, plus metrics and docs', async (t) => {
  const app = await build(t, database.url, { REDIS_URL: 'none' })
  const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
  const routes = Object.entries(spec.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/(.)\/$/, '$1')}`))
  const rows = tableAfter(readRepoFile('README.md'), '## API overview')
  const listed = rows.map(([method, path]) => `${unquote(method)} ${unquote(path)}`)
  assert.deepEqual([...listed].sort(), [...routes, 'GET /metrics', 'GET /docs'].sort(), 'add or remove the route in the README table too')
})

test('README: the sections a newcomer needs, and the commands the contract names', () => {
  const readme = readRepoFile('README.md')
  for (const heading of ['## Quick start', '## Running the tests', '## With Docker', '## Load testing with Locust',
    '## Seeding the fixture', '## Configuration', '## Scripts', '## API overview', '## Benchmarks', '## Performance', '## Troubleshooting']) {
    assert.ok(readme.includes(`\n${heading}\n`), `section ${heading}`)
  }
  for (const command of ['npm ci', 'npm start', 'npm test', 'docker compose up', '--scale api=3', '--profile locust',
    '--host http://localhost:8000', 'dispatcher1@test.eriop.local', 'TestPass123456!', 'ulimit -n', 'RATE_LIMIT_ENABLED=false', 'BENCHMARKS.md']) {
    assert.ok(readme.includes(command), `README mentions ${command}`)
  }
})
