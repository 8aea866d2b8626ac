import { sql } from 'drizzle-orm'
import { boolean, check, integer, text, timestamp, varchar } from 'drizzle-orm/pg-core'
import { eucora } from './base.js'
import { inList, ROLES } from './values.js'

/** Django's auth_user (integer ids, username login), plus the role the original kept in groups. */
export const users = eucora.table('users', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  username: varchar('username', { length: 150 }).notNull().unique(),
  email: varchar('email', { length: 254 }).notNull().default(''),
  firstName: varchar('first_name', { length: 150 }).notNull().default(''),
  lastName: varchar('last_name', { length: 150 }).notNull().default(''),
  // An argon2id PHC string (src/core/auth/password.ts).
  password: text('password').notNull(),
  role: text('role').notNull().default('submitter'),
  isStaff: boolean('is_staff').notNull().default(false),
  isSuperuser: boolean('is_superuser').notNull().default(false),
  isActive: boolean('is_active').notNull().default(true),
  // Created by its first login (EUCORA_PROVISION_PATTERN), not by the fixture.
  provisioned: boolean('provisioned').notNull().default(false),
  dateJoined: timestamp('date_joined', { withTimezone: true }).notNull().defaultNow(),
  lastLogin: timestamp('last_login', { withTimezone: true })
}, (t) => [
  check('users_role_valid', sql.raw(`role in (${inList(ROLES)})`))
])
