import type { ApiModule } from '../core/api.js'
import type { ApiName } from '../config.js'

/**
 * The APIs this target can serve, loaded on demand: a process imports only the API it serves.
 * `API_NAMES` in src/config.ts lists the same names (it validates `API` before anything loads).
 */
const loaders: Record<ApiName, () => Promise<ApiModule>> = {
  eriop: async () => (await import('./eriop/index.js')).eriop,
  'smart-maintenance': async () => (await import('./smart-maintenance/index.js')).smartMaintenance,
  eucora: async () => (await import('./eucora/index.js')).eucora,
  pggit: async () => (await import('./pggit/index.js')).pggit
}

export async function loadApi (name: ApiName): Promise<ApiModule> {
  return loaders[name]()
}
