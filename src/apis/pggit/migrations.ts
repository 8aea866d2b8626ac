import { fileURLToPath } from 'node:url'
import type { ApiMigrations } from '../../core/api.js'

export const PGGIT_MIGRATIONS: ApiMigrations = {
  folder: fileURLToPath(new URL('../../../migrations/pggit', import.meta.url)),
  table: '__drizzle_migrations_pggit'
}
