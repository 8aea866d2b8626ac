// Every enumerated value of the contract (README, "The ERIOP API"), in the order Postgres sorts them:
// alert severities run critical → info so `ORDER BY severity` puts critical first.

export const USER_ROLES = ['admin', 'dispatcher', 'responder', 'alert_system'] as const
export type UserRole = typeof USER_ROLES[number]

export const INCIDENT_CATEGORIES = [
  'fire', 'medical', 'police', 'rescue', 'traffic', 'weather', 'hazmat', 'utility', 'intrusion',
  'assault', 'theft', 'threat', 'welfare_check', 'civil_assistance', 'training', 'other'
] as const
export const INCIDENT_STATUSES = ['new', 'assigned', 'en_route', 'on_scene', 'resolved', 'closed'] as const
export type IncidentStatus = typeof INCIDENT_STATUSES[number]
export const ACTIVE_INCIDENT_STATUSES = ['new', 'assigned', 'en_route', 'on_scene'] as const satisfies readonly IncidentStatus[]

export const ALERT_SOURCES = [
  'fundamentum', 'alarm_system', 'axis_microphone', 'security_system', 'manual', 'external_api', 'iot_telemetry'
] as const
export const ALERT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export const ALERT_STATUSES = ['pending', 'acknowledged', 'processing', 'resolved', 'dismissed'] as const

export const RESOURCE_TYPES = ['personnel', 'vehicle', 'equipment'] as const
export const RESOURCE_STATUSES = ['available', 'assigned', 'en_route', 'on_scene', 'off_duty', 'out_of_service'] as const

export const BUILDING_TYPES = [
  'residential_single', 'residential_multi', 'commercial', 'industrial', 'institutional', 'healthcare',
  'educational', 'government', 'religious', 'mixed_use', 'parking', 'warehouse', 'high_rise', 'other'
] as const
export const OCCUPANCY_TYPES = [
  'assembly', 'business', 'educational', 'factory', 'high_hazard', 'institutional', 'mercantile',
  'residential', 'storage', 'utility'
] as const
export const CONSTRUCTION_TYPES = ['type_i', 'type_ii', 'type_iii', 'type_iv', 'type_v', 'unknown'] as const
export const HAZARD_LEVELS = ['low', 'moderate', 'high', 'extreme'] as const
