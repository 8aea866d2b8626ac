import { Type, type Static } from 'typebox'
import { DateTime, Nullable, PageQuery, Uuid } from '../../../core/schemas/common.js'
import { USER_ROLES } from './values.js'

export const User = Type.Object({
  id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  role: Type.Enum(USER_ROLES),
  agency_id: Uuid,
  badge_number: Nullable(Type.String()),
  is_active: Type.Boolean(),
  is_verified: Type.Boolean(),
  mfa_enabled: Type.Boolean(),
  last_login_at: Nullable(DateTime),
  created_at: DateTime
})

export const UserListQuery = Type.Object({
  ...PageQuery,
  role: Type.Optional(Type.Enum(USER_ROLES))
})
export type UserListQuery = Static<typeof UserListQuery>

export const Agency = Type.Object({
  id: Uuid,
  name: Type.String(),
  code: Type.String(),
  description: Nullable(Type.String()),
  address: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  is_active: Type.Boolean(),
  created_at: DateTime
})
