// `npm run bench:login`: logins/s for fixture users (cheap argon2id profile) and for a user with the
// strong profile, against a real server process on loopback. Bounded: two 10-second runs.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import autocannon from 'autocannon'
import { hashPassword } from '../src/auth/password.js'
import { createDb, createPool } from '../src/db/client.js'
import { prepareDatabase } from '../src/db/migrate.js'
import { agencies, users } from '../src/db/schema/index.js'

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/eriop_bench_login'
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const PASSWORD = 'TestPass123456!'

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

async function prepareUsers () {
  await prepareDatabase(PG)
  const pool = createPool(PG, { max: 2, connectTimeoutMs: 5000 })
  const db = createDb(pool)
  await db.delete(agencies)
  const [agency] = await db.insert(agencies).values({ code: 'BENCHLOGIN', name: 'Login bench' }).returning()
  const fixture = await hashPassword(PASSWORD, 'fixture')
  const strong = await hashPassword(PASSWORD, 'strong')
  await db.insert(users).values([
    ...Array.from({ length: 350 }, (_, i) => ({ agencyId: agency.id, email: `user${i + 1}@bench.eriop.local`, hashedPassword: fixture, fullName: `User ${i + 1}`, role: 'responder' as const })),
    { agencyId: agency.id, email: 'strong@bench.eriop.local', hashedPassword: strong, fullName: 'Strong', role: 'admin' as const }
  ])
  await pool.end()
}

function run (url: string, emails: string[]) {
  let next = 0
  return autocannon({
    url: `${url}/api/v1/auth/login`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: emails[next++ % emails.length], password: PASSWORD }) })
    }]
  })
}

await prepareUsers()
const port = await freePort()
const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  env: { ...process.env, DATABASE_URL: PG, PORT: String(port), HOST: '127.0.0.1', RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'inherit', 'inherit']
})
const url = `http://127.0.0.1:${port}`
try {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const rows = []
  for (const [label, emails] of [
    ['fixture users (argon2id m=1 MiB, t=1)', Array.from({ length: 350 }, (_, i) => `user${i + 1}@bench.eriop.local`)],
    ['strong user (argon2id m=19 MiB, t=2)', ['strong@bench.eriop.local']]
  ] as const) {
    const result = await run(url, [...emails])
    rows.push({
      users: label,
      'logins/s': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      '2xx': result['2xx'],
      'non-2xx': result.non2xx
    })
  }
  console.log(`\nPOST /api/v1/auth/login, autocannon -c ${CONNECTIONS} -d ${DURATION}, ${new Date().toISOString()}`)
  console.table(rows)
} finally {
  server.kill('SIGTERM')
  await once(server, 'exit')
}
