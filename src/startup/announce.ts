import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { ApiModule } from '../core/api.js'
import type { StartDatabase } from './database.js'

function publicUrl (host: string, port: number): string {
  const shown = ['0.0.0.0', '::', ''].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `http://${shown}:${port}`
}

/** What a newcomer needs once the server is up: where it is, how to log in, how to aim Locust at it. */
export function announce (log: FastifyBaseLogger, config: Config, api: ApiModule, database: StartDatabase, port: number) {
  const base = publicUrl(config.HOST, port)
  log.info({ url: base, api: api.name, workers: config.WORKERS }, `eriop-target ready on ${base}, serving the ${api.name} API (docs ${base}/docs)`)
  if (database.embedded) {
    log.info({ psql: database.url }, `database: embedded Postgres on 127.0.0.1:${database.embedded.port}, files in ${database.embedded.pgdata}`)
  }
  if (!database.fixture) {
    const seed = api.name === 'eriop' ? 'npm run seed' : `npm run seed -- --api ${api.name}`
    log.info(`no load-test fixture in this database: create it with \`DATABASE_URL='${database.url}' ${seed}\`, then:`)
  }
  for (const line of api.onboarding(base)) log.info(line)
}
