import { boolean, jsonb, pgTable, text, varchar } from 'drizzle-orm/pg-core'
import { id, timestamps } from './columns.js'

export const agencies = pgTable('agencies', {
  id: id(),
  name: varchar('name', { length: 200 }).notNull(),
  code: varchar('code', { length: 20 }).notNull().unique(),
  description: text('description'),
  address: varchar('address', { length: 500 }),
  phone: varchar('phone', { length: 20 }),
  email: varchar('email', { length: 255 }),
  isActive: boolean('is_active').notNull().default(true),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  ...timestamps
})
