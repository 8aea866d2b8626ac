import { Type, type Static } from 'typebox'
import { SensorId } from './readings.js'

const Feature = (description: string) => Type.Optional(Type.Number({ minimum: -1e9, maximum: 1e9, description }))

export const PredictionRequest = Type.Object({
  sensor_id: SensorId,
  features: Type.Object({
    temperature: Feature('°C'),
    pressure: Feature('bar'),
    vibration: Feature('mm/s'),
    humidity: Feature('%'),
    value: Feature('The reading of a single-value sensor')
  }, { additionalProperties: true, maxProperties: 50, description: 'Scored against the sensor\'s stored readings; other names are ignored' })
}, { additionalProperties: true, maxProperties: 20 })
export type PredictionRequest = Static<typeof PredictionRequest>

const ModelInfo = {
  sensor_id: Type.String(),
  model_name: Type.String(),
  model_version: Type.String(),
  baseline_readings: Type.Integer({ description: 'Stored readings the baseline was computed from' })
}

export const AnomalyPrediction = Type.Object({
  ...ModelInfo,
  is_anomaly: Type.Boolean(),
  anomaly_score: Type.Number({ minimum: 0, maximum: 1 }),
  threshold_z: Type.Number(),
  features: Type.Array(Type.Object({ name: Type.String(), value: Type.Number(), mean: Type.Number(), stddev: Type.Number(), z_score: Type.Number() }))
})

export const FailurePrediction = Type.Object({
  ...ModelInfo,
  failure_probability: Type.Number({ minimum: 0, maximum: 1 }),
  risk_level: Type.Enum(['low', 'medium', 'high']),
  horizon_hours: Type.Number(),
  features: Type.Array(Type.Object({
    name: Type.String(), value: Type.Number(), z_score: Type.Number(), trend_per_hour: Type.Number(), projected_z_score: Type.Number()
  }))
})

export const ModelList = Type.Object({
  models: Type.Array(Type.Object({
    name: Type.String(),
    version: Type.String(),
    task: Type.String(),
    endpoint: Type.String(),
    description: Type.String(),
    features: Type.Array(Type.String()),
    baseline_readings: Type.Integer()
  })),
  count: Type.Integer()
})
