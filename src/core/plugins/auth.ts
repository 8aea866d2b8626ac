import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { sharedSigningKey } from '../db/settings.js'
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

/**
 * The signing key: JWT_SECRET when set, else the key every process on this database shares
 * (src/core/db/settings.ts), generated on the first start. No key is ever published with the code, so
 * nobody can forge a token for a server they did not configure.
 */
async function signingKey (app: FastifyInstance): Promise<string> {
  if (app.config.JWT_SECRET) return app.config.JWT_SECRET
  try {
    return await sharedSigningKey(app.db.$client)
  } catch (err) {
    throw new Error(`could not read or create the token signing key in the database (${(err as Error).message}): make the database reachable, or set JWT_SECRET`)
  }
}

export default fp(async (app) => {
  await app.register(jwt, {
    secret: await signingKey(app),
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
}, { name: 'auth', dependencies: ['config', 'db'] })
