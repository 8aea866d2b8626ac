import { createRequire } from 'node:module'

/** The package's version, shown by /health and the OpenAPI document. */
export const VERSION: string = createRequire(import.meta.url)('../package.json').version
