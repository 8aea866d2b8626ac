import envSchema from 'env-schema'
import { Type, type Static } from 'typebox'

/** The APIs this target can serve; src/apis/index.ts loads each. */
export const API_NAMES = ['eriop', 'smart-maintenance', 'eucora', 'pggit'] as const
export type ApiName = typeof API_NAMES[number]

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
  JWT_SECRET: Type.Optional(Type.String({ minLength: 16, description: 'HS256 signing key of access and refresh tokens (16 characters or more). Unset: a random key generated on first start and kept in the database (table eriop_target.settings), shared by every process using it' })),
  ACCESS_TOKEN_TTL: Type.Integer({ default: 7200, minimum: 60, description: 'Access-token lifetime in seconds (the seed clients never refresh)' }),
  REFRESH_TOKEN_TTL: Type.Integer({ default: 604800, minimum: 60, description: 'Refresh-token lifetime in seconds' }),
  LOGIN_MAX_FAILURES: Type.Integer({ default: 5, minimum: 1, description: 'Failed logins in a row before the account is locked' }),
  LOGIN_LOCKOUT_SECONDS: Type.Integer({ default: 900, minimum: 1, description: 'How long a locked account stays locked' }),
  RATE_LIMIT_ENABLED: Type.Boolean({ default: true, description: 'Per-user (per-IP when anonymous) request limits' }),
  RATE_LIMIT_MAX: Type.Integer({ default: 10000000, minimum: 1, description: 'Requests allowed per key (user, or IP without a token) and window. The default is far above what one machine can serve, so it never spoils a benchmark; 1000 per minute is a realistic limit' }),
  RATE_LIMIT_WINDOW: Type.String({ default: '1 minute', maxLength: 50, description: 'Window of RATE_LIMIT_MAX, in ms or as text ("1 minute")' }),
  BODY_LIMIT: Type.Integer({ default: 1048576, minimum: 1024, description: 'Largest accepted request body in bytes (413 above)' }),
  LOG_LEVEL: Type.Union([
    Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'),
    Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')
  ], { default: 'info', description: 'pino log level' }),
  INGEST_MAX_BATCH: Type.Integer({ default: 500, minimum: 1, maximum: 5000, description: 'Most records (alerts, readings) written by one group-commit INSERT' }),
  INGEST_MAX_WAIT_MS: Type.Integer({ default: 2, minimum: 0, maximum: 1000, description: 'Longest an accepted record waits for its batch to start when no connection is free' }),
  INGEST_MAX_QUEUE: Type.Integer({ default: 10000, minimum: 1, description: 'Records waiting to be written before ingest answers 503 + Retry-After' }),
  INGEST_MAX_IN_FLIGHT: Type.Integer({ default: 2, minimum: 1, maximum: 32, description: 'Group-commit batches written concurrently' }),
  COUNT_REUSE_ROWS: Type.Integer({ default: 100000, minimum: 0, description: 'A paginated list\'s total of at least this many rows is reused for 20 times as long as counting it took (at 2 million rows: a 250 ms count reused for 5 s), so counting costs Postgres at most ~1/20 of a core per list; smaller totals are always exact. 0 = always count' }),
  LIST_CACHE_TTL_MS: Type.Integer({ default: 250, minimum: 0, maximum: 60000, description: 'How long GET /incidents/active, /alerts/pending and /resources/available answers are reused per agency and query; writes through this process show at once, ingested alerts and other replicas\' writes within this time. 0 = off' }),
  BENCH_NOOP_ROUTE: Type.Boolean({ default: false, description: 'Also serve the ingest route\'s no-op twin (POST /api/v1/alerts/ingest/noop, /api/v1/data/ingest/noop: same checks and schema as ingest, writes nothing): the ceiling of bench:ingest-ratio' }),
  WORKERS: Type.Integer({ default: 1, minimum: 1, maximum: 64, description: 'Processes sharing the port (node:cluster); 1 = no cluster' }),
  CLOSE_GRACE_DELAY_MS: Type.Integer({ default: 10000, minimum: 0, description: 'How long shutdown waits for in-flight work before forcing exit' }),
  LIVE_ALERT_CREATED: Type.String({ default: 'all', pattern: '^(all|off|sample:(0(\\.[0-9]+)?|1(\\.0+)?))$', maxLength: 30, description: 'Which committed alerts are pushed as Socket.IO `alert:created`: `all`, `off`, or `sample:P` (0–1; the same alerts in every process: those whose id hashes below P)' }),
  LIVE_SOCKET_BUFFER_MAX: Type.Integer({ default: 1000, minimum: 1, maximum: 1000000, description: 'Events a Socket.IO client may have waiting to be written: once that many wait (it stopped reading), further events to it are dropped (and counted in live_events_dropped_total)' }),
  LIVE_FLUSH_MS: Type.Integer({ default: 100, minimum: 0, maximum: 10000, description: 'At most one write per Socket.IO client per this many ms: an event after a quiet spell goes out at once, the events of a busy spell wait at most this long and reach each client in one write (the server\'s live CPU grows with clients × writes per second). 0 = each committed batch at once' }),
  DB_LOCK_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 0, description: 'Postgres lock_timeout for API queries: a write waiting longer for a row lock (a pg-lock fault, a stuck transaction) answers 503 + Retry-After. 0 = wait up to DB_STATEMENT_TIMEOUT_MS' }),
  FAULTS_SEED: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Seed of every fault decision: the same seed and X-Fault-Key values give the same faults in every process and run. Unset: random, shared by the processes on one Redis, logged and shown by GET /faults' })),
  FAULT_RULES: Type.Optional(Type.String({ maxLength: 100000, description: 'Fault rules loaded at start: a JSON file, or inline JSON (a rule, an array of rules, or a schedule {name, rules}); `[]` turns faults on with no rule (a replica following rules posted elsewhere)' })),
  FAULT_HEADERS: Type.Boolean({ default: false, description: 'Honour X-Fault-Delay, X-Fault-Error, X-Fault-Connection and X-Fault-Probability request headers' }),
  ADMIN_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Port of the admin API (GET/POST/DELETE /faults, GET /faults/log, its docs at /docs); needs ADMIN_TOKEN. Unset: no admin API' })),
  ADMIN_HOST: Type.String({ default: '127.0.0.1', maxLength: 255, description: 'Interface the admin API listens on (0.0.0.0 inside a container)' }),
  ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 16, maxLength: 500, description: 'Bearer token every admin API call must carry' })),
  SMART_MAINTENANCE_API_KEY: Type.String({ default: '', maxLength: 200, description: 'smart-maintenance: the key every /api/v1 request must carry in X-API-Key (401 without one, 403 with another). Empty: anonymous access, the original\'s default' }),
  SMART_MAINTENANCE_RATE_LIMIT_MAX: Type.Integer({ default: 0, minimum: 0, description: 'smart-maintenance: /api/v1 requests allowed per X-API-Key (per client IP without one) and window, as the original\'s slowapi limiter; above it 429. 0 = off' }),
  SMART_MAINTENANCE_RATE_LIMIT_WINDOW: Type.String({ default: '1 minute', maxLength: 50, description: 'smart-maintenance: window of SMART_MAINTENANCE_RATE_LIMIT_MAX, in ms or as text ("1 minute")' }),
  PGGIT_VERIFY_TOKENS: Type.Boolean({ default: false, description: 'pggit: verify bearer tokens\' HS256 signature with JWT_SECRET. Off: any well-formed HS256 token is accepted unverified and its `sub` is the user (the suite\'s token is signed with the text PLACEHOLDER)' }),
  PGGIT_SIMULATOR_RATE: Type.Number({ default: 0.5, minimum: 0, maximum: 500, description: 'pggit: alerts the delivery simulator queues per second (each then delivered, retried or failed against its webhook); 0 = off' }),
  PGGIT_SIMULATOR_SEED: Type.Integer({ default: 15, minimum: 0, maximum: 2147483647, description: 'pggit: seed of the simulator: tick N draws the same alerts, outcomes and latencies in every run and on every replica' }),
  PGGIT_CACHE_ENABLED: Type.Boolean({ default: true, description: 'pggit: Redis-backed response cache of the list, stats and dashboard reads (30-60 s, as the original); off: every read goes to Postgres' }),
  PGGIT_WS_METRICS_INTERVAL_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 3600000, description: 'pggit: how often /ws/dashboard pushes metrics_update to sockets subscribed to metrics' }),
  PGGIT_WS_HEARTBEAT_MS: Type.Integer({ default: 30000, minimum: 100, maximum: 3600000, description: 'pggit: how often /ws/dashboard sends every socket a heartbeat (the original: 30 s)' }),
  PGGIT_WS_MAX_CLIENTS: Type.Integer({ default: 10000, minimum: 1, maximum: 1000000, description: 'pggit: open /ws/dashboard sockets per process; an upgrade beyond it is answered 503' }),
  PGGIT_WS_MAX_BUFFER_BYTES: Type.Integer({ default: 262144, minimum: 1024, maximum: 67108864, description: 'pggit: bytes a socket may leave unread before its messages are dropped; a socket still over it after 30 s is terminated' }),
  EUCORA_PROVISION_PATTERN: Type.String({ default: '^burst_user_[0-9a-f]{8}$', maxLength: 200, description: 'API=eucora: an unknown username matching this regular expression is created at its first login with the fixture password (test123) as a submitter; any other unknown username gets 401. Empty: no one is created' }),
  EUCORA_CAB_THRESHOLD: Type.Integer({ default: 50, minimum: 0, maximum: 100, description: 'API=eucora: a deployment whose risk score is above this waits for CAB approval (AWAITING_CAB); at or below it is APPROVED at once' }),
  EUCORA_CONNECTOR_STEP_MS: Type.Integer({ default: 2000, minimum: 1, maximum: 3600000, description: 'API=eucora: mean length of each step of a connector publish job (QUEUED, PUBLISHING, DEPLOYING); each job\'s steps are drawn from it deterministically' }),
  EUCORA_CONNECTOR_FAILURE_PERCENT: Type.Integer({ default: 10, minimum: 0, maximum: 100, description: 'API=eucora: share of connector publish jobs that end FAILED instead of COMPLETED (decided deterministically per deployment, plane and attempt)' })
})

export type Config = Omit<Static<typeof ConfigSchema>, 'API'> & { API: ApiName }

export function loadConfig (data: Record<string, unknown> = process.env): Config {
  const config = envSchema<Config>({ schema: ConfigSchema, data, dotenv: false })
  if (!(API_NAMES as readonly string[]).includes(config.API)) {
    throw new Error(`Unknown API "${config.API}": valid names are ${API_NAMES.join(', ')}`)
  }
  if (config.ADMIN_PORT !== undefined && !config.ADMIN_TOKEN) {
    throw new Error('ADMIN_PORT is set but ADMIN_TOKEN is not: the admin API needs a token (16 characters or more)')
  }
  if (config.ADMIN_PORT !== undefined && config.ADMIN_PORT !== 0 && config.ADMIN_PORT === config.PORT) {
    throw new Error('ADMIN_PORT must differ from PORT: the admin API never shares the public port')
  }
  return config
}
