import { and, asc, eq, type SQL } from 'drizzle-orm'
import type { Database } from '../../../../core/db/client.js'
import type { CountCache } from '../../../../core/db/count-cache.js'
import { findPage } from '../../../../core/db/pagination.js'
import { buildings } from '../../db/schema/index.js'
import type { BuildingListQuery } from '../../schemas/buildings.js'

export type BuildingRow = typeof buildings.$inferSelect

export function toBuilding (row: BuildingRow) {
  return {
    id: row.id,
    agency_id: row.agencyId,
    name: row.name,
    civic_number: row.civicNumber,
    street_name: row.streetName,
    street_type: row.streetType,
    city: row.city,
    province_state: row.provinceState,
    postal_code: row.postalCode,
    country: row.country,
    full_address: row.fullAddress,
    latitude: row.latitude,
    longitude: row.longitude,
    building_type: row.buildingType,
    occupancy_type: row.occupancyType,
    construction_type: row.constructionType,
    hazard_level: row.hazardLevel,
    total_floors: row.totalFloors,
    basement_levels: row.basementLevels,
    year_built: row.yearBuilt,
    has_sprinkler_system: row.hasSprinklerSystem,
    has_fire_alarm: row.hasFireAlarm,
    has_standpipe: row.hasStandpipe,
    has_elevator: row.hasElevator,
    has_generator: row.hasGenerator,
    created_at: row.createdAt,
    updated_at: row.updatedAt
  }
}

export function createBuildingsRepository (db: Database, counts: CountCache) {
  return {
    async list (agencyId: string, q: BuildingListQuery) {
      const filters: SQL[] = [eq(buildings.agencyId, agencyId)]
      if (q.building_type) filters.push(eq(buildings.buildingType, q.building_type))
      if (q.hazard_level) filters.push(eq(buildings.hazardLevel, q.hazard_level))
      const where = and(...filters)
      return findPage(db, counts, buildings, where, [asc(buildings.name), asc(buildings.id)], q)
    },

    async findById (agencyId: string, id: string) {
      const [row] = await db.select().from(buildings).where(and(eq(buildings.agencyId, agencyId), eq(buildings.id, id)))
      return row
    }
  }
}
