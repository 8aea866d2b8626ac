import envSchema from 'env-schema'
import { Type, type Static } from 'typebox'

/** The APIs this target can serve; src/apis/index.ts loads each. */
export const API_NAMES = ['eriop'] as const
export type ApiName = typeof API_NAMES[number]

export const DEV_JWT_SECRET = 'eriop-target-development-secret-change-me-please'

/**
 * Every setting the service reads, with its default. `.env.example` and the README's
 * configuration table list exactly these keys (a test keeps them in sync).
 */
export const ConfigSchema = Type.Object({
  API: Type.String({ default: 'eriop', maxLength: 50, description: `Which API this process serves: ${API_NAMES.join(' | ')}` }),
  PORT: Type.Integer({ default: 8000, minimum: 0, maximum: 65535, description: 'TCP port the API listens on' }),
  HOST: Type.String({ default: '0.0.0.0', description: 'Interface the API listens on' }),
  TRUST_PROXY: Type.Boolean({ default: false, description: 'Take the client address from X-Forwarded-For (behind the compose stack\'s proxy), for logs and per-IP rate limits' }),
  DATABASE_URL: Type.Optional(Type.String({ description: 'Postgres connection string; the database is created if missing. Unset: an embedded Postgres under DATA_DIR' })),
  DATA_DIR: Type.String({ default: '.data', description: 'Where the embedded Postgres keeps its files (only when DATABASE_URL is unset)' }),
  EMBEDDED_PG_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Port of the embedded Postgres (127.0.0.1 only). Unset: the port recorded in DATA_DIR, else 5433, else a free port' })),
  MIGRATE_ON_START: Type.Boolean({ default: true, description: 'Apply pending migrations before listening' }),
  SEED_ON_START: Type.Optional(Type.Boolean({ description: 'Create the load-test fixture at start when the database is empty. Unset: on for the embedded Postgres, off when DATABASE_URL is set' })),
  PG_POOL_MAX: Type.Integer({ default: 10, minimum: 1, maximum: 200, description: 'Postgres connections per process' }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100, description: 'Give up on a new Postgres connection after this long (then 503)' }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100, description: 'Postgres statement_timeout for API queries' }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', description: 'Redis for rate-limit counters and live events; the API keeps serving without it. Empty or `none`: no Redis (single-instance mode)' }),
  REDIS_KEY_PREFIX: Type.String({ default: 'eriop:', maxLength: 100, description: 'Prefix of every Redis key this service writes' }),
  JWT_SECRET: Type.String({ default: DEV_JWT_SECRET, minLength: 16, description: 'HS256 signing key of access and refresh tokens' }),
  REQUIRE_SECRETS: Type.Boolean({ default: false, description: 'Refuse to start with the development JWT_SECRET' }),
  ACCESS_TOKEN_TTL: Type.Integer({ default: 7200, minimum: 60, description: 'Access-token lifetime in seconds (the seed clients never refresh)' }),
  REFRESH_TOKEN_TTL: Type.Integer({ default: 604800, minimum: 60, description: 'Refresh-token lifetime in seconds' }),
  LOGIN_MAX_FAILURES: Type.Integer({ default: 5, minimum: 1, description: 'Failed logins in a row before the account is locked' }),
  LOGIN_LOCKOUT_SECONDS: Type.Integer({ default: 900, minimum: 1, description: 'How long a locked account stays locked' }),
  RATE_LIMIT_ENABLED: Type.Boolean({ default: true, description: 'Per-user (per-IP when anonymous) request limits' }),
  RATE_LIMIT_MAX: Type.Integer({ default: 60000, minimum: 1, description: 'Requests allowed per key and window' }),
  RATE_LIMIT_WINDOW: Type.String({ default: '1 minute', maxLength: 50, description: 'Window of RATE_LIMIT_MAX, in ms or as text ("1 minute")' }),
  BODY_LIMIT: Type.Integer({ default: 1048576, minimum: 1024, description: 'Largest accepted request body in bytes (413 above)' }),
  LOG_LEVEL: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { default: 'info', description: 'pino log level' }),
  INGEST_MAX_BATCH: Type.Integer({ default: 500, minimum: 1, maximum: 5000, description: 'Most alerts written by one group-commit INSERT' }),
  INGEST_MAX_WAIT_MS: Type.Integer({ default: 2, minimum: 0, maximum: 1000, description: 'Longest an accepted alert waits for its batch to start when no connection is free' }),
  INGEST_MAX_QUEUE: Type.Integer({ default: 10000, minimum: 1, description: 'Alerts waiting to be written before ingest answers 503 + Retry-After' }),
  INGEST_MAX_IN_FLIGHT: Type.Integer({ default: 2, minimum: 1, maximum: 32, description: 'Group-commit batches written concurrently' }),
  COUNT_REUSE_ROWS: Type.Integer({ default: 100000, minimum: 0, description: 'A paginated list\'s total of at least this many rows is reused for 20 times as long as counting it took (at 2 million rows: a 250 ms count reused for 5 s), so counting costs Postgres at most ~1/20 of a core per list; smaller totals are always exact. 0 = always count' }),
  LIST_CACHE_TTL_MS: Type.Integer({ default: 250, minimum: 0, maximum: 60000, description: 'How long GET /incidents/active, /alerts/pending and /resources/available answers are reused per agency and query; writes through this process show at once, ingested alerts and other replicas\' writes within this time. 0 = off' }),
  BENCH_NOOP_ROUTE: Type.Boolean({ default: false, description: 'Also serve POST /api/v1/alerts/ingest/noop (same auth and schema as ingest, writes nothing): the ceiling of bench:ingest-ratio' }),
  WORKERS: Type.Integer({ default: 1, minimum: 1, maximum: 64, description: 'Processes sharing the port (node:cluster); 1 = no cluster' }),
  CLOSE_GRACE_DELAY_MS: Type.Integer({ default: 10000, minimum: 0, description: 'How long shutdown waits for in-flight work before forcing exit' }),
  LIVE_ALERT_CREATED: Type.String({ default: 'all', pattern: '^(all|off|sample:(0(\\.[0-9]+)?|1(\\.0+)?))$', maxLength: 30, description: 'Which committed alerts are pushed as Socket.IO `alert:created`: `all`, `off`, or `sample:P` (0–1; the same alerts in every process: those whose id hashes below P)' }),
  LIVE_SOCKET_BUFFER_MAX: Type.Integer({ default: 1000, minimum: 1, maximum: 1000000, description: 'Events a Socket.IO client may have waiting to be written before further events to it are dropped (and counted in live_events_dropped_total)' })
})

export type Config = Omit<Static<typeof ConfigSchema>, 'API'> & { API: ApiName }

export function loadConfig (data: Record<string, unknown> = process.env): Config {
  const config = envSchema<Config>({ schema: ConfigSchema, data, dotenv: false })
  if (!(API_NAMES as readonly string[]).includes(config.API)) {
    throw new Error(`Unknown API "${config.API}": valid names are ${API_NAMES.join(', ')}`)
  }
  if (config.REQUIRE_SECRETS && config.JWT_SECRET === DEV_JWT_SECRET) {
    throw new Error('JWT_SECRET must be set when REQUIRE_SECRETS=true')
  }
  return config
}
