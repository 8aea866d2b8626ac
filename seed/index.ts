// The seeder as a library: what `npm run seed` does, callable from the API's first start,
// the benchmarks and the tests. See the README section "Seeding the fixture".
export { buildFixture } from './factories.js'
export {
  DEFAULT_AGENCY_CODE, FIXTURE_PASSWORD, FIXTURE_REFERENCE_DATE, FIXTURE_SEED, FIXTURE_VERSION,
  fixtureCounts, fixtureId, fixtureIdentity, fixtureUsers, MAX_SCALE, parseAgencyCode, parseScale,
  type Fixture, type FixtureCounts, type FixtureIdentity, type FixtureOptions, type FixtureTable
} from './fixture.js'
export {
  checkConnection, cleanFixture, FixtureError, fixturePasswordHash, fixtureStatus, resetFixture, seedDatabase,
  seedFixture, withDatabase,
  type CleanOptions, type CleanResult, type FixtureStatus, type ProgressEvent, type ProgressListener,
  type ResetResult, type SeedOptions, type SeedResult, type TableCounts
} from './store.js'
export { verifyFixture, type VerifyCheck, type VerifyOptions, type VerifyReport } from './verify.js'
export {
  createAccessTokenSigner, exportCredentials, formatCredentials, loadCredentials, toCsv, toJson, writeFileAtomic,
  EXPORT_FORMATS, type Credential, type ExportFormat, type ExportOptions
} from './export.js'
