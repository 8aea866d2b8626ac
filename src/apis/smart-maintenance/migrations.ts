import { fileURLToPath } from 'node:url'
import type { ApiMigrations } from '../../core/api.js'

export const SMART_MAINTENANCE_MIGRATIONS: ApiMigrations = {
  folder: fileURLToPath(new URL('../../../migrations/smart-maintenance', import.meta.url)),
  table: '__drizzle_migrations_smart_maintenance'
}
