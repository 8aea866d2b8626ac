import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './migrations',
  // Only `generate` is used (no push, no introspection), so no credentials are needed here.
  strict: true,
  verbose: true
})
