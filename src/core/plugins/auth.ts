import jwt from '@fastify/jwt'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { errors } from '../errors/index.js'

/** A role name; each API has its own list (ERIOP: admin, dispatcher, responder, alert_system). */
export type UserRole = string

export interface AccessClaims {
  sub: string
  type: 'access'
  user_id: string
  email: string
  role: UserRole
  agency_id: string
}

export interface RefreshClaims {
  sub: string
  type: 'refresh'
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims | RefreshClaims
    user: AccessClaims
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>
    requireRole: (...roles: UserRole[]) => (request: FastifyRequest) => Promise<void>
  }
}

export default fp(async (app) => {
  await app.register(jwt, {
    secret: app.config.JWT_SECRET,
    sign: { algorithm: 'HS256', expiresIn: app.config.ACCESS_TOKEN_TTL },
    // A Locust run keeps reusing a few thousand tokens: verifying each once is enough.
    verify: { algorithms: ['HS256'], cache: 20_000 }
  })

  app.decorate('authenticate', async (request: FastifyRequest) => {
    if (!request.headers.authorization) throw new errors.NotAuthenticated()
    let claims: AccessClaims | RefreshClaims
    try {
      claims = await request.jwtVerify<AccessClaims | RefreshClaims>()
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER' || code === 'FST_JWT_BAD_REQUEST') {
        throw new errors.NotAuthenticated()
      }
      throw new errors.InvalidToken()
    }
    if (claims.type !== 'access') throw new errors.InvalidToken()
  })

  app.decorate('requireRole', (...roles: UserRole[]) => {
    const allowed = new Set<UserRole>(roles)
    return async (request: FastifyRequest) => {
      if (!allowed.has(request.user.role)) throw new errors.Forbidden()
    }
  })
}, { name: 'auth', dependencies: ['config'] })
