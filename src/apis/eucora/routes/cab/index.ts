import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { eucoraAuthenticate, requireRole, userId } from '../../drf/auth.js'
import { drf, settle } from '../../drf/errors.js'
import { bothSlashes } from '../../drf/form.js'
import { ApproveBody, Approval, DecisionReply, PendingList, RejectBody } from '../../schemas/cab.js'
import { errors, IdParams, LimitQuery } from '../../schemas/common.js'
import { createCabRepository, type ApprovalRow, type DecisionInput, type Verdict } from './repository.js'

const toApproval = (row: ApprovalRow) => ({ ...row, deployment_intent: row.correlation_id })

const cabRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createCabRepository(app.db)
  const authenticate = eucoraAuthenticate(app)
  const decider = [authenticate, requireRole('cab_member')]

  for (const [url, hide] of bothSlashes('/pending/')) {
    app.get(url, {
      onRequest: authenticate,
      schema: { hide, tags: ['cab'], summary: 'Pending CAB approvals, newest first', querystring: LimitQuery(500, 100), response: { 200: PendingList, ...errors } }
    }, async (request) => {
      const { approvals, count } = await repo.pending(request.query.limit)
      return { approvals: approvals.map(toApproval), count }
    })
  }

  for (const [url, hide] of bothSlashes('/:id/')) {
    app.get(url, {
      onRequest: authenticate,
      schema: { hide, tags: ['cab'], summary: 'One CAB approval', params: IdParams, response: { 200: Approval, ...errors } }
    }, async (request) => {
      const row = await repo.findById(request.params.id)
      if (!row) throw drf.notFound('CAB approval not found.')
      return toApproval(row)
    })
  }

  async function decide (request: FastifyRequest, id: string, verdict: Verdict, input: Omit<DecisionInput, 'verdict' | 'approverId'>) {
    const row = settle(await repo.decide(id, { ...input, verdict, approverId: userId(request) }))
    return { ...toApproval(row), message: verdict === 'approve' ? 'Deployment approved' : 'Deployment rejected' }
  }

  for (const [url, hide] of bothSlashes('/:id/approve/')) {
    app.post(url, {
      onRequest: decider,
      config: { formLists: ['conditions'] },
      schema: {
        hide,
        tags: ['cab'],
        summary: 'Approve (with conditions: CONDITIONAL); again is the same answer, after a rejection 409',
        params: IdParams,
        body: ApproveBody,
        response: { 200: DecisionReply, ...errors }
      }
    }, async (request) => decide(request, request.params.id, 'approve', { comments: request.body.comments ?? '', conditions: request.body.conditions ?? [] }))
  }

  for (const [url, hide] of bothSlashes('/:id/reject/')) {
    app.post(url, {
      onRequest: decider,
      schema: {
        hide,
        tags: ['cab'],
        summary: 'Reject; again is the same answer, after an approval 409',
        params: IdParams,
        body: RejectBody,
        response: { 200: DecisionReply, ...errors }
      }
    }, async (request) => decide(request, request.params.id, 'reject', { comments: request.body.comments ?? '', conditions: [] }))
  }
}

export default cabRoutes
