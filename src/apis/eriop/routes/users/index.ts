import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../../../core/errors/index.js'
import { ErrorResponse, IdParams, Page, authErrors, idErrors, pageOf } from '../../../../core/schemas/common.js'
import { User, UserListQuery } from '../../schemas/users.js'
import { createUsersRepository, type UserRow } from './repository.js'

function toUser (row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    full_name: row.fullName,
    role: row.role,
    agency_id: row.agencyId,
    badge_number: row.badgeNumber,
    is_active: row.isActive,
    is_verified: row.isVerified,
    mfa_enabled: row.mfaEnabled,
    last_login_at: row.lastLoginAt,
    created_at: row.createdAt
  }
}

const usersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createUsersRepository(app.db, app.counts)
  app.addHook('onRequest', app.authenticate)

  app.get('/', {
    preValidation: app.requireRole('admin', 'dispatcher'),
    schema: { tags: ['users'], summary: 'Users of the caller\'s agency', querystring: UserListQuery, response: { 200: Page(User), 403: ErrorResponse, ...authErrors } }
  }, async (request) => {
    const q = request.query
    const { rows, total } = await repo.list(request.user.agency_id, q)
    return pageOf(rows.map(toUser), total, q.page, q.page_size)
  })

  app.get('/:id', {
    schema: { tags: ['users'], params: IdParams, response: { 200: User, 403: ErrorResponse, ...idErrors } }
  }, async (request) => {
    const { user } = request
    if (request.params.id.toLowerCase() !== user.sub && user.role !== 'admin' && user.role !== 'dispatcher') throw new errors.Forbidden()
    const row = await repo.findById(request.params.id, user.agency_id)
    if (!row) throw new errors.NotFound('User')
    return toUser(row)
  })
}

export default usersRoutes
