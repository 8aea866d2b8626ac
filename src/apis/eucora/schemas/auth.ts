import { Type, type Static } from 'typebox'
import { Char } from './common.js'

// Django's username is at most 150 characters; passwords are bounded only so a body cannot make
// argon2 hash a megabyte.
export const LoginBody = Type.Object({
  username: Type.Optional(Char(150, { description: 'The original also accepts `email` instead' })),
  email: Type.Optional(Char(254)),
  password: Char(1024)
})
export type LoginBody = Static<typeof LoginBody>

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  is_staff: Type.Boolean(),
  is_superuser: Type.Boolean()
})

export const LoginReply = Type.Object({
  token: Type.String({ description: 'Send as `Authorization: Bearer <token>` (or DRF\'s `Token <token>`)' }),
  user: User,
  expires_in: Type.Integer({ description: 'Token lifetime in seconds' })
})

export const MeReply = Type.Object({ user: User })
