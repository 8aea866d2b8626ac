import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { dummyPasswordHash, verifyPassword } from '../../../../core/auth/password.js'
import { accessClaims, refreshClaims } from '../../../../core/auth/tokens.js'
import { errors } from '../../../../core/errors/index.js'
import type { AccessClaims, RefreshClaims } from '../../../../core/plugins/auth.js'
import { LoginBody, Me, RefreshBody, TokenPair } from '../../schemas/auth.js'
import { ErrorResponse, authErrors } from '../../../../core/schemas/common.js'
import { createUsersRepository, type UserRow } from '../users/repository.js'

function issueTokens (app: FastifyInstance, user: UserRow) {
  return {
    access_token: app.jwt.sign(accessClaims(user)),
    refresh_token: app.jwt.sign(refreshClaims(user), { expiresIn: app.config.REFRESH_TOKEN_TTL }),
    token_type: 'bearer' as const,
    expires_in: app.config.ACCESS_TOKEN_TTL,
    mfa_required: false,
    mfa_temp_token: null
  }
}

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createUsersRepository(app.db, app.counts)
  const { LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_SECONDS } = app.config

  app.post('/login', {
    schema: {
      tags: ['auth'],
      summary: 'Exchange e-mail and password for a bearer token pair',
      body: LoginBody,
      response: { 200: TokenPair, ...authErrors }
    }
  }, async (request) => {
    const email = request.body.email.trim().toLowerCase()
    const user = await repo.findByEmail(email)
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), request.body.password)
      throw new errors.InvalidCredentials()
    }
    if (user.lockedUntil && user.lockedUntil > new Date()) throw new errors.AccountLocked()
    if (!await verifyPassword(user.hashedPassword, request.body.password)) {
      await repo.recordFailedLogin(user.id, LOGIN_MAX_FAILURES, LOGIN_LOCKOUT_SECONDS)
      throw new errors.InvalidCredentials()
    }
    if (!user.isActive) throw new errors.AccountInactive()
    await repo.recordLogin(user.id)
    return issueTokens(app, user)
  })

  app.post('/refresh', {
    schema: {
      tags: ['auth'],
      summary: 'Exchange a refresh token for a new token pair',
      body: RefreshBody,
      response: { 200: TokenPair, ...authErrors }
    }
  }, async (request) => {
    let claims: AccessClaims | RefreshClaims
    try {
      claims = app.jwt.verify<AccessClaims | RefreshClaims>(request.body.refresh_token)
    } catch {
      throw new errors.InvalidToken()
    }
    if (claims.type !== 'refresh') throw new errors.InvalidToken()
    const user = await repo.findById(claims.sub)
    if (!user || !user.isActive) throw new errors.InvalidToken()
    return issueTokens(app, user)
  })

  app.get('/me', {
    onRequest: app.authenticate,
    schema: { tags: ['auth'], summary: 'The caller', response: { 200: Me, 404: ErrorResponse, ...authErrors } }
  }, async (request) => {
    const user = await repo.findById(request.user.sub, request.user.agency_id)
    if (!user) throw new errors.InvalidToken()
    return {
      id: user.id,
      email: user.email,
      full_name: user.fullName,
      role: user.role,
      agency_id: user.agencyId,
      badge_number: user.badgeNumber,
      is_verified: user.isVerified,
      mfa_enabled: user.mfaEnabled
    }
  })
}

export default authRoutes
