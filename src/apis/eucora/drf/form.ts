import formbody from '@fastify/formbody'
import type { FastifyInstance, FastifyRequest } from 'fastify'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Body fields that are lists: every value of a repeated form key, not only the last. */
    formLists?: readonly string[]
  }
}

const isForm = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')

/**
 * Request bodies as DRF reads them: JSON, or form-encoded (the EUCORA suite's requests post every
 * body as a form). A form repeats a key for every value (`config=ring&config=target_count`, which
 * is how the `requests` library encodes a dict inside a form), and, like Django's QueryDict, a
 * single-valued field takes the last of its values while a list field takes them all. A POST
 * without a body is an empty one, as for DRF (then each required field is reported missing).
 */
export async function drfBodies (app: FastifyInstance) {
  await app.register(formbody)
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'POST') return
    if (request.body === undefined) {
      request.body = {}
      return
    }
    if (!isForm(request)) return
    const body = request.body as Record<string, unknown>
    const lists = new Set(request.routeOptions.config.formLists ?? [])
    for (const [key, value] of Object.entries(body)) {
      if (lists.has(key)) body[key] = Array.isArray(value) ? value : [value]
      else if (Array.isArray(value)) body[key] = value.at(-1)
    }
  })
}

/** The route's path and the same path without its trailing slash (the suite uses the slash; both answer). */
export function bothSlashes (url: string): [string, boolean][] {
  return url.endsWith('/') && url.length > 1 ? [[url, false], [url.slice(0, -1), true]] : [[url, false]]
}
