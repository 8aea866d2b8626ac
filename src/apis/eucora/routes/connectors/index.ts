import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { eucoraAuthenticate, requireRole, userId } from '../../drf/auth.js'
import { drf, settle } from '../../drf/errors.js'
import { bothSlashes } from '../../drf/form.js'
import { jobSchedule } from '../../schedule.js'
import { errors, IdParams } from '../../schemas/common.js'
import { PublishBody, PublishReply, RemediateBody, RemediateReply, StatusReply } from '../../schemas/connectors.js'
import { createConnectorsRepository, type JobRow } from './repository.js'

const toJob = ({ outcome: _outcome, finished: _finished, ...job }: JobRow) => job

/** Publishing a deployment to the execution planes, its jobs' progress, and remediation. */
const connectorsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { EUCORA_CONNECTOR_STEP_MS: stepMs, EUCORA_CONNECTOR_FAILURE_PERCENT: failurePercent } = app.config
  const repo = createConnectorsRepository(app.db, (deploymentId, plane, attempt) => jobSchedule(deploymentId, plane, attempt, stepMs, failurePercent))
  const authenticate = eucoraAuthenticate(app)
  const publisher = [authenticate, requireRole('publisher')]

  for (const [url, hide] of bothSlashes('/publish/')) {
    app.post(url, {
      onRequest: publisher,
      config: { formLists: ['config'] },
      schema: {
        hide,
        tags: ['connectors'],
        summary: 'Publish an approved deployment to a plane; the job moves QUEUED → PUBLISHING → DEPLOYING → COMPLETED | FAILED',
        body: PublishBody,
        response: { 200: PublishReply, ...errors }
      }
    }, async (request) => {
      const { deployment_id: id, target_plane: plane, config } = request.body
      const { job, created, status } = settle(await repo.publish(id, plane, config ?? {}, userId(request)))
      return { deployment_id: id, deployment_status: status, job: toJob(job), created }
    })
  }

  for (const [url, hide] of bothSlashes('/status/:id/')) {
    app.get(url, {
      onRequest: authenticate,
      schema: { hide, tags: ['connectors'], summary: 'A deployment\'s status and its jobs per plane', params: IdParams, response: { 200: StatusReply, ...errors } }
    }, async (request) => {
      const found = await repo.status(request.params.id)
      if (!found) throw drf.notFound('Deployment not found.')
      return { deployment_id: request.params.id, status: found.status, jobs: found.jobs.map(toJob) }
    })
  }

  for (const [url, hide] of bothSlashes('/remediate/')) {
    app.post(url, {
      onRequest: publisher,
      schema: {
        hide,
        tags: ['connectors'],
        summary: 'Start a deployment\'s planes again (REINSTALL: all; RETRY_FAILED: the failed ones)',
        body: RemediateBody,
        response: { 200: RemediateReply, ...errors }
      }
    }, async (request) => {
      const { deployment_id: id, action = 'REINSTALL', reason = '' } = request.body
      const done = settle(await repo.remediate(id, action, reason, userId(request)))
      return {
        remediation_id: done.id,
        deployment_id: id,
        action,
        reason,
        jobs_restarted: done.restarted,
        deployment_status: done.status,
        jobs: done.jobs.map(toJob)
      }
    })
  }
}

export default connectorsRoutes
