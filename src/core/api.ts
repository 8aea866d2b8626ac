import type { FastifyInstance } from 'fastify'
import type { Database } from './db/client.js'

/** Where an API's drizzle-kit migrations are and where Postgres records which ones ran. */
export interface ApiMigrations {
  /** The folder drizzle-kit generated (`migrations/<api>/`). */
  folder: string
  /** Journal table of this API's migrations, in Postgres schema `drizzle`. */
  table: string
}

/** One check of `npm run seed -- --api NAME verify`. */
export interface FixtureCheck { name: string, expected: number, actual: number, ok: boolean }

/**
 * The load-test fixture of an API: created, removed and checked by `npm run seed -- --api NAME`,
 * and created at start in an empty embedded database. Deterministic and idempotent.
 */
export interface ApiFixture {
  /** Whether the fixture is there (to tell a newcomer how to start a load test). */
  present (db: Database): Promise<boolean>
  /** Whether the API's tables hold nothing at all: only then is the fixture created at start. */
  empty (db: Database): Promise<boolean>
  /** Creates the fixture, or restores it to its seeded state; rows written per table. */
  seed (db: Database): Promise<Record<string, number>>
  /** Removes the fixture and what load tests added to it; rows removed per table. */
  clean (db: Database): Promise<Record<string, number>>
  verify (db: Database): Promise<{ ok: boolean, checks: FixtureCheck[], problems: string[] }>
  /** Credentials or ids a load test needs, as JSON-serialisable rows (`export`). */
  export (db: Database): Promise<Record<string, unknown>[]>
}

/**
 * An API the target can serve (`API=name`). The core knows APIs only through this shape; each
 * API's folder (`src/apis/<name>/`) exports one, and nothing another API imports.
 */
export interface ApiModule {
  name: string
  /** OpenAPI document's title and description at /docs. */
  title: string
  description: string
  migrations: ApiMigrations
  /** Routes and API-specific plugins, registered encapsulated after the core's plugins. */
  plugin: (app: FastifyInstance) => Promise<void>
  fixture: ApiFixture
  /**
   * Row sets the `pg-lock` fault can hold, by name: a SELECT of the rows this API's routes write
   * (its hot rows), to which the core appends FOR UPDATE SKIP LOCKED. None: pg-lock locks nothing.
   */
  faultLocks?: Record<string, string>
  /** Lines printed once the server listens at `base`: how to log in, how to aim the suite at it. */
  onboarding (base: string): string[]
}
