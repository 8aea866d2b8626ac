import type { AccessClaims, RefreshClaims, UserRole } from '../plugins/auth.js'

/** What a token says about its user: the login route and the seeder's pre-issued tokens share it. */
export interface TokenSubject {
  id: string
  email: string
  role: UserRole
  agencyId: string
}

/** The claims of an access token (`iat` and `exp` are added by the signer). */
export function accessClaims (user: TokenSubject): AccessClaims {
  return { sub: user.id, type: 'access', user_id: user.id, email: user.email, role: user.role, agency_id: user.agencyId }
}

export function refreshClaims (user: Pick<TokenSubject, 'id'>): RefreshClaims {
  return { sub: user.id, type: 'refresh' }
}
