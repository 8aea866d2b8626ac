import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../../../core/auth/password.js'
import { accessClaims } from '../../../../core/auth/tokens.js'
import { eucoraAuthenticate, userId, type TokenRole } from '../../drf/auth.js'
import { drf } from '../../drf/errors.js'
import { bothSlashes } from '../../drf/form.js'
import { FIXTURE_PASSWORD } from '../../fixture/data.js'
import { errors } from '../../schemas/common.js'
import { LoginBody, LoginReply, MeReply } from '../../schemas/auth.js'
import { createUsersRepository, toUser, type UserRow } from './repository.js'

const tokenRole = (user: UserRow): TokenRole => user.isStaff ? 'staff' : user.role as TokenRole

/**
 * Token login by username (or e-mail, as the original allowed). `provisionPattern` is the burst
 * policy: an unknown username that matches it, logging in with the fixture password, is created
 * as a submitter on the spot (the suite's HighLoadDeploymentUser invents a name per user).
 */
const authRoutes: FastifyPluginAsyncTypebox<{ provisionPattern: RegExp | undefined }> = async (app, { provisionPattern }) => {
  const repo = createUsersRepository(app.db)
  const authenticate = eucoraAuthenticate(app)

  async function findOrProvision (body: LoginBody): Promise<UserRow | undefined> {
    if (body.username === undefined) return repo.findByEmail(body.email!)
    const user = await repo.findByUsername(body.username)
    if (user || !provisionPattern?.test(body.username) || body.password !== FIXTURE_PASSWORD) return user
    await repo.provision(body.username, await hashPassword(body.password, 'fixture'))
    return repo.findByUsername(body.username)
  }

  for (const [url, hide] of bothSlashes('/login/')) {
    app.post(url, {
      schema: {
        hide,
        tags: ['auth'],
        summary: 'Exchange username and password for a bearer token',
        body: LoginBody,
        response: { 200: LoginReply, 400: errors[400], 401: errors[401], 429: errors[429] }
      }
    }, async (request) => {
      const { username, email, password } = request.body
      if (username === undefined && email === undefined) throw drf.fields({ username: ['This field is required.'] })
      const user = await findOrProvision(request.body)
      if (!user) {
        // As long as a real check, so the answer's timing does not tell which usernames exist.
        await verifyPassword(await dummyPasswordHash(), password)
        throw drf.invalidCredentials()
      }
      // Django's authenticate() refuses an inactive user exactly like a wrong password.
      if (!await verifyPassword(user.password, password) || !user.isActive) throw drf.invalidCredentials()
      await repo.recordLogin(user.id)
      const token = app.jwt.sign(accessClaims({ id: String(user.id), email: user.email, role: tokenRole(user), agencyId: '' }))
      return { token, user: toUser(user), expires_in: app.config.ACCESS_TOKEN_TTL }
    })
  }

  for (const [url, hide] of bothSlashes('/me/')) {
    app.get(url, {
      onRequest: authenticate,
      schema: { hide, tags: ['auth'], summary: 'The caller', response: { 200: MeReply, 401: errors[401] } }
    }, async (request) => {
      const user = await repo.findById(userId(request))
      if (!user || !user.isActive) throw drf.inactiveUser()
      return { user: toUser(user) }
    })
  }
}

export default authRoutes
