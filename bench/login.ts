// `npm run bench:login`: logins/s for fixture users (cheap argon2id profile) and for a user with the
// strong profile, against a real server process on loopback. Bounded: two 10-second runs.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { hashPassword } from '../src/core/auth/password.js'
import { createDb, createPool } from '../src/core/db/client.js'
import { prepareDatabase } from '../src/core/db/migrate.js'
import { ERIOP_MIGRATIONS } from '../src/apis/eriop/migrations.js'
import { agencies, users } from '../src/apis/eriop/db/schema/index.js'
import { spawnServer } from './server.js'
import { freePort } from '../src/core/net.js'
import { FIXTURE_PASSWORD } from '../src/apis/eriop/fixture/fixture.js'

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/eriop_bench_login'
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const PASSWORD = FIXTURE_PASSWORD

async function prepareUsers () {
  await prepareDatabase(PG, ERIOP_MIGRATIONS)
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
const server = await spawnServer({
  cwd: process.cwd(),
  env: { DATABASE_URL: PG, PORT: String(await freePort()), RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn' },
  logFile: join(tmpdir(), `eriop-bench-login-${process.pid}.log`),
  fileLimit: 4096
})
try {
  const rows = []
  for (const [label, emails] of [
    ['fixture users (argon2id m=1 MiB, t=1)', Array.from({ length: 350 }, (_, i) => `user${i + 1}@bench.eriop.local`)],
    ['strong user (argon2id m=19 MiB, t=2)', ['strong@bench.eriop.local']]
  ] as const) {
    const result = await run(server.origin, [...emails])
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
  await server.stop()
}
