import { Type, type Static } from 'typebox'
import { DateTime, Latitude, Longitude, Nullable, PageQuery, Uuid } from '../../../core/schemas/common.js'
import { RESOURCE_STATUSES, RESOURCE_TYPES } from './values.js'

export const ResourceType = Type.Enum(RESOURCE_TYPES)
export const ResourceStatus = Type.Enum(RESOURCE_STATUSES)

export const Resource = Type.Object({
  id: Uuid,
  resource_type: ResourceType,
  name: Type.String(),
  call_sign: Nullable(Type.String()),
  status: ResourceStatus,
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  capabilities: Type.Array(Type.String()),
  agency_id: Uuid,
  current_incident_id: Nullable(Uuid),
  last_status_update: DateTime
})

export const ResourceListQuery = Type.Object({
  ...PageQuery,
  resource_type: Type.Optional(ResourceType),
  status: Type.Optional(ResourceStatus)
})
export type ResourceListQuery = Static<typeof ResourceListQuery>

export const AvailableQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  resource_type: Type.Optional(ResourceType)
})
export type AvailableQuery = Static<typeof AvailableQuery>

// The original also accepted `dispatched` and stored it as `assigned`.
export const ResourceUpdate = Type.Object({
  status: Type.Optional(Type.Enum([...RESOURCE_STATUSES, 'dispatched'])),
  latitude: Type.Optional(Nullable(Latitude)),
  longitude: Type.Optional(Nullable(Longitude))
}, { minProperties: 1 })
export type ResourceUpdate = Static<typeof ResourceUpdate>
