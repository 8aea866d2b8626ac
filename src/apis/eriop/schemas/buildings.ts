import { Type, type Static } from 'typebox'
import { DateTime, Nullable, PageQuery, Uuid } from '../../../core/schemas/common.js'
import { BUILDING_TYPES, CONSTRUCTION_TYPES, HAZARD_LEVELS, OCCUPANCY_TYPES } from './values.js'

export const Building = Type.Object({
  id: Uuid,
  agency_id: Uuid,
  name: Type.String(),
  civic_number: Nullable(Type.String()),
  street_name: Type.String(),
  street_type: Nullable(Type.String()),
  city: Type.String(),
  province_state: Type.String(),
  postal_code: Nullable(Type.String()),
  country: Type.String(),
  full_address: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  building_type: Type.Enum(BUILDING_TYPES),
  occupancy_type: Nullable(Type.Enum(OCCUPANCY_TYPES)),
  construction_type: Type.Enum(CONSTRUCTION_TYPES),
  hazard_level: Type.Enum(HAZARD_LEVELS),
  total_floors: Type.Integer(),
  basement_levels: Type.Integer(),
  year_built: Nullable(Type.Integer()),
  has_sprinkler_system: Type.Boolean(),
  has_fire_alarm: Type.Boolean(),
  has_standpipe: Type.Boolean(),
  has_elevator: Type.Boolean(),
  has_generator: Type.Boolean(),
  created_at: DateTime,
  updated_at: DateTime
})

export const BuildingListQuery = Type.Object({
  ...PageQuery,
  building_type: Type.Optional(Type.Enum(BUILDING_TYPES)),
  hazard_level: Type.Optional(Type.Enum(HAZARD_LEVELS))
})
export type BuildingListQuery = Static<typeof BuildingListQuery>
