import { fileURLToPath } from 'node:url'
import type { ApiMigrations } from '../../core/api.js'

/** EUCORA's tables are in Postgres schema `eucora`; its journal is apart from the other APIs'. */
export const EUCORA_MIGRATIONS: ApiMigrations = {
  folder: fileURLToPath(new URL('../../../migrations/eucora', import.meta.url)),
  table: '__drizzle_migrations_eucora'
}
