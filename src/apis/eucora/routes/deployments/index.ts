import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eucoraAuthenticate, userId } from '../../drf/auth.js'
import { drf } from '../../drf/errors.js'
import { bothSlashes } from '../../drf/form.js'
import { assess } from '../../risk.js'
import { errors, IdParams } from '../../schemas/common.js'
import { CreateDeploymentBody, CreatedDeployment, DeploymentDetail, DeploymentList, DeploymentListQuery } from '../../schemas/deployments.js'
import { createDeploymentsRepository } from './repository.js'

const deploymentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const repo = createDeploymentsRepository(app.db)
  const authenticate = eucoraAuthenticate(app)
  const threshold = app.config.EUCORA_CAB_THRESHOLD

  // '/' under a prefix answers with and without the slash by itself.
  app.post('/', {
    onRequest: authenticate,
    schema: {
      tags: ['deployments'],
      summary: 'Create a deployment intent; its risk score decides whether it waits for CAB',
      body: CreateDeploymentBody,
      response: { 201: CreatedDeployment, ...errors }
    }
  }, async (request, reply) => {
    const body = request.body
    const verdict = assess(body.app_name, body.version, body.target_ring, threshold)
    const row = await repo.create({
      appName: body.app_name,
      version: body.version,
      ring: body.target_ring,
      evidencePackId: body.evidence_pack_id ?? randomUUID(),
      ...verdict,
      submitterId: userId(request)
    })
    return reply.code(201).send(row)
  })

  const listSchema = {
    tags: ['deployments'],
    summary: 'Deployment intents, newest first',
    querystring: DeploymentListQuery,
    response: { 200: DeploymentList, ...errors }
  }
  const list = async (query: DeploymentListQuery) => {
    const deployments = await repo.list(query.limit, { status: query.status, ring: query.ring })
    return { deployments, count: deployments.length }
  }
  app.get('/', { onRequest: authenticate, schema: listSchema }, async (request) => list(request.query))
  // The original's list lives at /deployments/list.
  for (const [url, hide] of bothSlashes('/list/')) {
    app.get(url, { onRequest: authenticate, schema: { ...listSchema, hide } }, async (request) => list(request.query))
  }

  for (const [url, hide] of bothSlashes('/:id/')) {
    app.get(url, {
      onRequest: authenticate,
      schema: { hide, tags: ['deployments'], summary: 'One deployment intent', params: IdParams, response: { 200: DeploymentDetail, ...errors } }
    }, async (request) => {
      const row = await repo.findById(request.params.id)
      if (!row) throw drf.notFound('Deployment not found.')
      return row
    })
  }
}

export default deploymentsRoutes
