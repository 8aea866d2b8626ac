import { pgSchema } from 'drizzle-orm/pg-core'

/** Every EUCORA table lives in this Postgres schema, apart from the other APIs' tables. */
export const eucora = pgSchema('eucora')
