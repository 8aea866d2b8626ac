import { fileURLToPath } from 'node:url'
import type { ApiMigrations } from '../../core/api.js'

/**
 * ERIOP's tables stay in the `public` schema and its journal in drizzle's default table, where
 * databases made before the other APIs existed have them: no migration has to move live data,
 * and the raw SQL of the ingest path needs no schema prefix.
 */
export const ERIOP_MIGRATIONS: ApiMigrations = {
  folder: fileURLToPath(new URL('../../../migrations/eriop', import.meta.url)),
  table: '__drizzle_migrations'
}
