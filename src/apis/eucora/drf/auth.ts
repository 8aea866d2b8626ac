import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AccessClaims } from '../../../core/plugins/auth.js'
import type { Role } from '../db/schema/values.js'
import { drf } from './errors.js'

/** The role a token carries: a staff user's is `staff`, which every permission check accepts. */
export type TokenRole = Role | 'staff'

/**
 * DRF's TokenAuthentication, with the core's signed tokens: `Authorization: Bearer <token>` (the
 * suite's keyword) or `Token <token>` (DRF's). Sets `request.user`, so rate limits count per user.
 */
export function eucoraAuthenticate (app: FastifyInstance) {
  return async (request: FastifyRequest) => {
    const header = request.headers.authorization
    if (!header) throw drf.notAuthenticated()
    const parts = header.trim().split(/\s+/)
    const keyword = parts[0].toLowerCase()
    if (keyword !== 'bearer' && keyword !== 'token') throw drf.notAuthenticated()
    if (parts.length === 1) throw drf.invalidTokenHeader('No credentials provided.')
    if (parts.length > 2) throw drf.invalidTokenHeader('Token string should not contain spaces.')
    let claims: AccessClaims
    try {
      claims = app.jwt.verify<AccessClaims>(parts[1])
    } catch {
      throw drf.invalidToken()
    }
    if (claims.type !== 'access' || !/^[0-9]+$/.test(claims.sub)) throw drf.invalidToken()
    request.user = claims
  }
}

/** The caller's integer user id (the token's subject). */
export const userId = (request: FastifyRequest) => Number(request.user.sub)

export function requireRole (role: Role) {
  return async (request: FastifyRequest) => {
    const held = request.user.role as TokenRole
    if (held !== role && held !== 'staff') throw drf.forbidden()
  }
}
