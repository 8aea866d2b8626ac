import { defineConfig } from 'drizzle-kit'

// One API at a time: `API=eucora npm run db:generate` writes migrations/eucora/ from that API's
// tables (src/apis/eucora/db/schema/). Each API but ERIOP keeps its tables in a Postgres schema of
// its own; ERIOP's stay in `public`.
const api = process.env.API ?? 'eriop'

export default defineConfig({
  dialect: 'postgresql',
  schema: `./src/apis/${api}/db/schema/index.ts`,
  out: `./migrations/${api}`,
  // Only `generate` is used (no push, no introspection), so no credentials are needed here.
  strict: true,
  verbose: true
})
