import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyContextConfig } from 'fastify'
import { errors } from '../../../../core/errors/index.js'
import { unprocessable } from '../../../../core/ingest/errors.js'
import { ErrorResponse, apiErrors } from '../../schemas/errors.js'
import { AnomalyPrediction, FailurePrediction, ModelList, PredictionRequest } from '../../schemas/ml.js'
import { createBaselineRepository } from './repository.js'
import { BASELINE_READINGS, FEATURES, HORIZON_HOURS, Z_THRESHOLD, predictAnomaly, predictFailure, scoreFeatures } from './scoring.js'

const MODELS = [
  {
    name: 'zscore-anomaly',
    version: '1',
    task: 'anomaly_detection',
    endpoint: '/api/v1/ml/predict/anomaly',
    description: `Per-feature z-score against the sensor's newest ${BASELINE_READINGS} readings; anomaly when some |z| ≥ ${Z_THRESHOLD}`,
    features: [...FEATURES],
    baseline_readings: BASELINE_READINGS
  },
  {
    name: 'trend-deviation-failure',
    version: '1',
    task: 'failure_prediction',
    endpoint: '/api/v1/ml/predict/failure',
    description: `Deviation from the baseline projected ${HORIZON_HOURS} h along each feature's trend, as a probability`,
    features: [...FEATURES],
    baseline_readings: BASELINE_READINGS
  }
]

const predictionErrors = { 404: ErrorResponse, ...apiErrors }

/** Predictions computed from the sensor's stored readings (see ./scoring.ts), and the models that make them. */
const mlRoutes: FastifyPluginAsyncTypebox<{ routeConfig: FastifyContextConfig }> = async (app, { routeConfig }) => {
  const repo = createBaselineRepository(app.db)

  /** The request's features scored against the sensor's baseline; 404 without readings, 422 when nothing can be scored. */
  async function scored (body: PredictionRequest) {
    const baseline = await repo.baseline(body.sensor_id)
    if (baseline === undefined) throw new errors.NotFound(`Readings of sensor ${body.sensor_id}`)
    const features = scoreFeatures(body.features, baseline)
    if (features.length === 0) {
      throw unprocessable([{ path: '/features', message: `No feature of this request has a baseline for this sensor (scored: ${FEATURES.join(', ')})`, type: 'value_error' }])
    }
    return { baseline, features }
  }

  app.post('/predict/anomaly', {
    config: routeConfig,
    schema: { tags: ['ml'], summary: 'Anomaly score of a reading against the sensor\'s stored readings', body: PredictionRequest, response: { 200: AnomalyPrediction, ...predictionErrors } }
  }, async (request) => {
    const { baseline, features } = await scored(request.body)
    return { sensor_id: request.body.sensor_id, model_name: MODELS[0].name, model_version: MODELS[0].version, baseline_readings: baseline.readings, ...predictAnomaly(features) }
  })

  app.post('/predict/failure', {
    config: routeConfig,
    schema: { tags: ['ml'], summary: `Probability of failure within ${HORIZON_HOURS} h from deviation and trend`, body: PredictionRequest, response: { 200: FailurePrediction, ...predictionErrors } }
  }, async (request) => {
    const { baseline, features } = await scored(request.body)
    return { sensor_id: request.body.sensor_id, model_name: MODELS[1].name, model_version: MODELS[1].version, baseline_readings: baseline.readings, ...predictFailure(features) }
  })

  app.get('/models/list', {
    config: routeConfig,
    schema: { tags: ['ml'], summary: 'The models the prediction routes serve', response: { 200: ModelList, ...apiErrors } }
  }, async () => ({ models: MODELS, count: MODELS.length }))
}

export default mlRoutes
