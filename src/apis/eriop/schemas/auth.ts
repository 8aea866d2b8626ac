import { Type, type Static } from 'typebox'
import { Nullable, Uuid } from '../../../core/schemas/common.js'
import { USER_ROLES } from './values.js'

// No strict e-mail validation on purpose: the seed users live on `.local`, a special-use
// domain that the original's validator rejected (email-validator refuses special-use domains such as .local).
export const LoginBody = Type.Object({
  email: Type.String({ minLength: 3, maxLength: 255, pattern: '^[^\\s@\\u0000]+@[^\\s@\\u0000]+$' }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  mfa_code: Type.Optional(Nullable(Type.String({ maxLength: 16 })))
})
export type LoginBody = Static<typeof LoginBody>

export const RefreshBody = Type.Object({ refresh_token: Type.String({ minLength: 1, maxLength: 4096 }) })
export type RefreshBody = Static<typeof RefreshBody>

export const TokenPair = Type.Object({
  access_token: Type.String(),
  refresh_token: Type.String(),
  token_type: Type.Literal('bearer'),
  expires_in: Type.Integer({ description: 'Access-token lifetime in seconds' }),
  mfa_required: Type.Boolean(),
  mfa_temp_token: Type.Null()
})

export const Me = Type.Object({
  id: Uuid,
  email: Type.String(),
  full_name: Type.String(),
  role: Type.Enum(USER_ROLES),
  agency_id: Uuid,
  badge_number: Nullable(Type.String()),
  is_verified: Type.Boolean(),
  mfa_enabled: Type.Boolean()
})
