import { sql } from 'drizzle-orm'
import { boolean, check, index, integer, pgTable, timestamp, uuid, varchar } from 'drizzle-orm/pg-core'
import { agencies } from './agencies.js'
import { id, timestamps } from './columns.js'
import { userRole } from './enums.js'

export const users = pgTable('users', {
  id: id(),
  agencyId: uuid('agency_id').notNull().references(() => agencies.id, { onDelete: 'cascade' }),
  // Stored lower-cased (checked below) so login can use the plain unique index.
  email: varchar('email', { length: 255 }).notNull().unique(),
  hashedPassword: varchar('hashed_password', { length: 255 }).notNull(),
  fullName: varchar('full_name', { length: 200 }).notNull(),
  badgeNumber: varchar('badge_number', { length: 50 }),
  phone: varchar('phone', { length: 20 }),
  role: userRole('role').notNull().default('responder'),
  isActive: boolean('is_active').notNull().default(true),
  isVerified: boolean('is_verified').notNull().default(false),
  mfaEnabled: boolean('mfa_enabled').notNull().default(false),
  failedLoginAttempts: integer('failed_login_attempts').notNull().default(0),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  ...timestamps
}, (t) => [
  check('users_email_lower_case', sql`${t.email} = lower(${t.email})`),
  index('users_agency_role_idx').on(t.agencyId, t.role)
])
