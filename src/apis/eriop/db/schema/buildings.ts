import { sql } from 'drizzle-orm'
import { boolean, check, doublePrecision, index, integer, pgTable, uuid, varchar } from 'drizzle-orm/pg-core'
import { agencies } from './agencies.js'
import { id, timestamps } from './columns.js'
import { buildingType, constructionType, hazardLevel, occupancyType } from './enums.js'

export const buildings = pgTable('buildings', {
  id: id(),
  agencyId: uuid('agency_id').notNull().references(() => agencies.id, { onDelete: 'cascade' }),
  name: varchar('name', { length: 200 }).notNull(),
  civicNumber: varchar('civic_number', { length: 20 }),
  streetName: varchar('street_name', { length: 200 }).notNull(),
  streetType: varchar('street_type', { length: 50 }),
  city: varchar('city', { length: 100 }).notNull(),
  provinceState: varchar('province_state', { length: 100 }).notNull(),
  postalCode: varchar('postal_code', { length: 20 }),
  country: varchar('country', { length: 100 }).notNull().default('Canada'),
  fullAddress: varchar('full_address', { length: 500 }).notNull(),
  latitude: doublePrecision('latitude').notNull(),
  longitude: doublePrecision('longitude').notNull(),
  buildingType: buildingType('building_type').notNull().default('other'),
  occupancyType: occupancyType('occupancy_type'),
  constructionType: constructionType('construction_type').notNull().default('unknown'),
  hazardLevel: hazardLevel('hazard_level').notNull().default('low'),
  totalFloors: integer('total_floors').notNull().default(1),
  basementLevels: integer('basement_levels').notNull().default(0),
  yearBuilt: integer('year_built'),
  hasSprinklerSystem: boolean('has_sprinkler_system').notNull().default(false),
  hasFireAlarm: boolean('has_fire_alarm').notNull().default(false),
  hasStandpipe: boolean('has_standpipe').notNull().default(false),
  hasElevator: boolean('has_elevator').notNull().default(false),
  hasGenerator: boolean('has_generator').notNull().default(false),
  ...timestamps
}, (t) => [
  check('buildings_latitude_range', sql`${t.latitude} between -90 and 90`),
  check('buildings_longitude_range', sql`${t.longitude} between -180 and 180`),
  check('buildings_floors_range', sql`${t.totalFloors} >= 0 and ${t.basementLevels} >= 0`),
  index('buildings_agency_name_idx').on(t.agencyId, t.name, t.id)
])
