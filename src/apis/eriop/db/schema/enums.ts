import { pgEnum } from 'drizzle-orm/pg-core'

// Postgres enums for every enumerated column. The value lists live in src/schemas/values.ts
// so the API contract and the table layout cannot drift apart.
import {
  ALERT_SEVERITIES, ALERT_SOURCES, ALERT_STATUSES, BUILDING_TYPES, CONSTRUCTION_TYPES,
  HAZARD_LEVELS, INCIDENT_CATEGORIES, INCIDENT_STATUSES, OCCUPANCY_TYPES, RESOURCE_STATUSES,
  RESOURCE_TYPES, USER_ROLES
} from '../../schemas/values.js'

export const userRole = pgEnum('user_role', USER_ROLES)
export const incidentCategory = pgEnum('incident_category', INCIDENT_CATEGORIES)
export const incidentStatus = pgEnum('incident_status', INCIDENT_STATUSES)
export const alertSource = pgEnum('alert_source', ALERT_SOURCES)
export const alertSeverity = pgEnum('alert_severity', ALERT_SEVERITIES)
export const alertStatus = pgEnum('alert_status', ALERT_STATUSES)
export const resourceType = pgEnum('resource_type', RESOURCE_TYPES)
export const resourceStatus = pgEnum('resource_status', RESOURCE_STATUSES)
export const buildingType = pgEnum('building_type', BUILDING_TYPES)
export const occupancyType = pgEnum('occupancy_type', OCCUPANCY_TYPES)
export const constructionType = pgEnum('construction_type', CONSTRUCTION_TYPES)
export const hazardLevel = pgEnum('hazard_level', HAZARD_LEVELS)
