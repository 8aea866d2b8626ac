import type { TestContext } from 'node:test'
import { createSigner } from 'fast-jwt'
import { SUITE_TOKEN } from '../../../src/apis/pggit/index.js'
import { PGGIT_MIGRATIONS } from '../../../src/apis/pggit/migrations.js'
import type { Config } from '../../../src/config.js'
import { build, useTestDatabase } from '../../helper.js'

export { SUITE_TOKEN }
export const auth = { authorization: `Bearer ${SUITE_TOKEN}` }

export const pggitDatabase = (label: string) => useTestDatabase(label, PGGIT_MIGRATIONS)

/** The pggit app as production builds it, simulator off unless the test turns it on. */
export const buildPggit = (t: TestContext | null, url: string, overrides: Partial<Record<keyof Config, unknown>> = {}) =>
  build(t, url, { API: 'pggit', PGGIT_SIMULATOR_RATE: 0, ...overrides })

export function signedToken (secret: string, claims: Record<string, unknown>): string {
  return createSigner({ key: secret, algorithm: 'HS256' })(claims)
}
