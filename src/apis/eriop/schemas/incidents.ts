import { Type, type Static } from 'typebox'
import { CappedListQuery, DateTime, Latitude, Longitude, Nullable, PageQuery, Text, Uuid } from '../../../core/schemas/common.js'
import { INCIDENT_CATEGORIES, INCIDENT_STATUSES } from './values.js'

export const IncidentCategory = Type.Enum(INCIDENT_CATEGORIES)
export const IncidentStatus = Type.Enum(INCIDENT_STATUSES)
export const Priority = Type.Integer({ minimum: 1, maximum: 5, description: '1 = critical … 5 = minimal' })

export const IncidentLocation = Type.Object({
  latitude: Latitude,
  longitude: Longitude,
  address: Type.Optional(Nullable(Text(500))),
  building_info: Type.Optional(Nullable(Text(2000)))
})

export const IncidentCreate = Type.Object({
  category: IncidentCategory,
  priority: Type.Optional(Priority),
  title: Text(200, { minLength: 5 }),
  description: Type.Optional(Nullable(Text(10_000))),
  location: IncidentLocation,
  building_id: Type.Optional(Nullable(Uuid))
})
export type IncidentCreate = Static<typeof IncidentCreate>

export const IncidentUpdate = Type.Object({
  status: Type.Optional(IncidentStatus),
  priority: Type.Optional(Priority),
  title: Type.Optional(Text(200, { minLength: 5 })),
  description: Type.Optional(Nullable(Text(10_000))),
  notes: Type.Optional(Nullable(Text(10_000)))
}, { minProperties: 1 })
export type IncidentUpdate = Static<typeof IncidentUpdate>

export const AssignBody = Type.Object({
  resource_ids: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true })
})
export type AssignBody = Static<typeof AssignBody>

export const Incident = Type.Object({
  id: Uuid,
  incident_number: Type.String(),
  category: IncidentCategory,
  incident_type: IncidentCategory,
  priority: Type.Integer(),
  status: IncidentStatus,
  title: Type.String(),
  description: Nullable(Type.String()),
  location: Type.Object({
    latitude: Type.Number(),
    longitude: Type.Number(),
    address: Nullable(Type.String()),
    building_info: Nullable(Type.String())
  }),
  building_id: Nullable(Uuid),
  assigned_units: Type.Array(Uuid),
  notes: Nullable(Type.String()),
  reported_at: DateTime,
  created_at: DateTime,
  updated_at: DateTime
})

export const IncidentListQuery = Type.Object({
  ...PageQuery,
  status: Type.Optional(IncidentStatus),
  priority: Type.Optional(Priority),
  category: Type.Optional(IncidentCategory),
  building_id: Type.Optional(Uuid)
})
export type IncidentListQuery = Static<typeof IncidentListQuery>
export { CappedListQuery }
