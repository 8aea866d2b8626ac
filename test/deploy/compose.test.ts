// docker-compose.yml, the Dockerfile and the proxy configuration, checked without Docker (none
// here): what each refers to exists, and they agree with each other and with package.json.
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { parseDocument } from 'yaml'
import { ConfigSchema, loadConfig } from '../../src/config.js'
import { packageJson, readRepoFile, ROOT } from './support.js'

interface Service {
  image?: string
  build?: string | { context: string }
  command?: string[] | string
  environment?: Record<string, string>
  expose?: string[]
  ports?: string[]
  volumes?: string[]
  depends_on?: Record<string, { condition: string }> | string[]
  healthcheck?: { test: string[] | string }
  profiles?: string[]
  user?: string
}

function compose (): { services: Record<string, Service>, volumes?: Record<string, unknown> } {
  const doc = parseDocument(readRepoFile('docker-compose.yml'))
  assert.deepEqual(doc.errors, [], 'docker-compose.yml parses')
  return doc.toJS()
}

/** `${NAME:-default}` → default, as compose does when NAME is not set. */
// Innermost first, so nested defaults (`${LOCUSTFILE:-${API:-eriop}/locustfile.py}`) resolve too.
function withDefaults (value: string): string {
  for (let previous = ''; previous !== value;) {
    previous = value
    value = value.replace(/\$\{[A-Z_]+:-([^${}]*)\}/g, '$1')
  }
  return value
}

/** Settings the seed and bench CLIs read on top of ConfigSchema (see their --help). */
const CLI_VARIABLES = new Set(['BENCH_DATABASE_URL'])

interface Stage { name?: string, lines: string[] }
function dockerfileStages (): Stage[] {
  const lines = readRepoFile('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'))
  const stages: Stage[] = []
  for (const line of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line)
    if (from) stages.push({ name: from[1], lines: [] })
    else stages.at(-1)?.lines.push(line)
  }
  return stages
}
const instruction = (stage: Stage, name: string) => stage.lines.filter((line) => line.toUpperCase().startsWith(`${name} `))

test('docker-compose.yml: the services, with healthchecks and a volume for Postgres', () => {
  const { services, volumes } = compose()
  for (const name of ['postgres', 'redis', 'api', 'seed', 'proxy', 'locust-master', 'locust-worker']) assert.ok(services[name], `service ${name}`)
  assert.ok(services.postgres.healthcheck, 'postgres has a healthcheck')
  assert.ok(services.redis.healthcheck, 'redis has a healthcheck')
  const [volume] = services.postgres.volumes!
  assert.match(volume, /^(\w+):\/var\/lib\/postgresql\/data$/)
  assert.ok(volumes && volume.split(':')[0] in volumes, 'a named volume keeps the data')
  assert.deepEqual(services.api.depends_on, { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } })
  assert.deepEqual(services.seed.depends_on, { api: { condition: 'service_healthy' } }, 'seeds once the api has migrated')
  assert.equal(services.api.ports, undefined, 'replicas do not publish a port: the proxy does')
  assert.deepEqual(services['locust-master'].profiles, ['locust'])
  assert.deepEqual(services['locust-worker'].profiles, ['locust'])
})

test('services built from the Dockerfile run npm scripts that exist; the api runs the image\'s CMD, the compiled npm start entry', () => {
  const { services } = compose()
  const { scripts } = packageJson()
  const built = Object.entries(services).filter(([, service]) => service.build)
  assert.deepEqual(built.map(([name]) => name).sort(), ['api', 'seed'])
  for (const [name, service] of built) {
    if (service.command === undefined) continue
    assert.ok(Array.isArray(service.command), `${name}: exec form`)
    const [npm, ...args] = service.command
    assert.equal(npm, 'npm', `${name} runs an npm script`)
    const script = args[0] === 'run' ? args[1] : args[0]
    assert.ok(script in scripts, `${name}: npm script "${script}" exists in package.json`)
  }
  assert.equal(services.api.command, undefined)

  const stages = dockerfileStages()
  const runtime = stages.at(-1)!
  const [cmd] = instruction(runtime, 'CMD')
  const argv = JSON.parse(cmd.slice(4)) as string[]
  // npm start is `tsx src/<entry>.ts` (development); the image runs what `npm run build` compiled
  // it to, with node itself as PID 1 (no npm, no tsx), so docker stop's SIGTERM reaches the server.
  const start = /^tsx src\/(\S+)\.ts$/.exec(scripts.start)
  assert.ok(start, `npm start is "tsx src/<entry>.ts" (is: ${scripts.start})`)
  assert.deepEqual(argv, ['node', `dist/${start[1]}.js`])
  const build = JSON.parse(readRepoFile('tsconfig.build.json')) as { compilerOptions: { rootDir: string, outDir: string } }
  assert.deepEqual([build.compilerOptions.rootDir, build.compilerOptions.outDir], ['src', 'dist'])
  const builder = stages.find((stage) => instruction(stage, 'RUN').some((line) => line.includes('npm run build')))
  assert.ok(builder?.name, 'a named stage runs npm run build')
  assert.ok(instruction(runtime, 'COPY').some((line) => line.includes(`--from=${builder.name}`) && /\/app\/dist\s+\.\/dist$/.test(line)), 'the runtime stage copies its dist/')
})

test('every setting given to api and seed is a ConfigSchema key (or a documented CLI variable), and loads', () => {
  const { services } = compose()
  const keys = new Set(Object.keys(ConfigSchema.properties))
  for (const name of ['api', 'seed']) {
    const env = services[name].environment ?? {}
    for (const key of Object.keys(env)) assert.ok(keys.has(key) || CLI_VARIABLES.has(key), `${name}: ${key} is a setting of src/config.ts`)
    const values = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, withDefaults(String(value))]))
    assert.doesNotThrow(() => loadConfig(values), `${name}'s environment is a valid configuration`)
  }
  const api = loadConfig(Object.fromEntries(Object.entries(services.api.environment!).map(([k, v]) => [k, withDefaults(String(v))])))
  assert.ok(api.DATABASE_URL, 'the api never falls back to an embedded Postgres in a container')
  assert.equal(api.DATABASE_URL, services.seed.environment!.DATABASE_URL, 'api and seed use the same database')
  assert.equal(new URL(api.DATABASE_URL).hostname, 'postgres')
  assert.equal(new URL(api.REDIS_URL).hostname, 'redis')
  assert.equal(api.HOST, '0.0.0.0', 'reachable from the proxy container')
  assert.equal(api.TRUST_PROXY, true, 'client addresses come from the proxy\'s X-Forwarded-For')
})

test('the proxy forwards its port to the api service\'s port', () => {
  const { services } = compose()
  const nginx = readRepoFile('deploy/nginx.conf')
  const apiPort = Number(services.api.environment!.PORT)
  assert.deepEqual(services.api.expose, [String(apiPort)])
  const upstream = /upstream\s+(\w+)\s*\{[^}]*?server\s+([\w-]+):(\d+)/.exec(nginx)
  assert.ok(upstream, 'an upstream block with a server')
  assert.equal(upstream[2], 'api', 'the upstream is the api service (every replica)')
  assert.equal(Number(upstream[3]), apiPort)
  assert.match(nginx, new RegExp(`proxy_pass\\s+http://${upstream[1]};`))
  const listen = Number(/listen\s+(\d+)/.exec(nginx)![1])
  assert.ok(services.proxy.volumes!.some((v) => v.startsWith('./deploy/nginx.conf:/etc/nginx/nginx.conf')))
  assert.deepEqual(services.proxy.ports!.map(withDefaults), [`8000:${listen}`], 'the host\'s 8000 (API_PORT) reaches nginx')
  assert.match(nginx, /resolver\s+127\.0\.0\.11/, 'Docker\'s DNS, so scaled replicas are found')
  const nginxVersion = /nginx:(\d+)\.(\d+)/.exec(services.proxy.image!)!
  assert.ok(Number(nginxVersion[1]) > 1 || Number(nginxVersion[2]) >= 28, 'upstream `resolve` needs open-source nginx 1.27.3+')
})

test('Locust profile: master and workers run the mounted locustfile against the proxy', () => {
  const { services } = compose()
  const master = services['locust-master']
  const worker = services['locust-worker']
  const mount = withDefaults(master.volumes![0]).split(':')
  assert.equal(mount[1], '/mnt/locust')
  const command = (master.command as string[]).map(withDefaults)
  const file = command[command.indexOf('-f') + 1]
  assert.ok(file.startsWith('/mnt/locust/'))
  assert.ok(existsSync(path.join(ROOT, mount[0], file.slice('/mnt/locust/'.length))), `the default locustfile ${mount[0]}/${path.basename(file)} exists`)
  assert.equal(command[command.indexOf('--host') + 1], `http://proxy:${/listen\s+(\d+)/.exec(readRepoFile('deploy/nginx.conf'))![1]}`)
  assert.ok(command.includes('--master'))
  const workerCommand = worker.command as string[]
  assert.ok(workerCommand.includes('--worker'))
  assert.equal(workerCommand[workerCommand.indexOf('--master-host') + 1], 'locust-master')
})

test('Dockerfile: multi-stage, runs as a non-root user, copies only what exists and is not ignored', () => {
  const stages = dockerfileStages()
  assert.ok(stages.length >= 2, 'multi-stage')
  const runtime = stages.at(-1)!
  const users = instruction(runtime, 'USER')
  assert.ok(users.length > 0, 'the final stage sets USER')
  assert.ok(!/^USER\s+(root|0)(:|$)/i.test(users.at(-1)!), 'and it is not root')
  assert.ok(runtime.lines.indexOf(users.at(-1)!) < runtime.lines.indexOf(instruction(runtime, 'CMD')[0]), 'USER comes before CMD')
  assert.ok(instruction(runtime, 'COPY').some((line) => /--from=\w+/.test(line) && line.includes('node_modules')), 'node_modules come from the build stage')
  assert.deepEqual(instruction(runtime, 'EXPOSE'), ['EXPOSE 8000'])
  assert.equal(instruction(runtime, 'RUN').length, 0, 'nothing is installed in the runtime stage')
  assert.ok(instruction(runtime, 'COPY').every((line) => !line.includes('--chown')), 'the code stays root\'s: the server cannot rewrite it')
  // seed and proxy wait for `condition: service_healthy` on api: the image's health check decides it.
  const [healthcheck] = instruction(runtime, 'HEALTHCHECK')
  assert.ok(healthcheck, 'the image has a HEALTHCHECK')
  assert.match(healthcheck, /\/health\/live/)

  const ignored = readRepoFile('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
  for (const must of ['node_modules', '.data', '.git']) assert.ok(ignored.includes(must), `.dockerignore excludes ${must}`)
  for (const copy of stages.flatMap((stage) => instruction(stage, 'COPY')).filter((line) => !line.includes('--from='))) {
    const sources = copy.split(/\s+/).slice(1).filter((part) => !part.startsWith('--')).slice(0, -1)
    for (const source of sources) {
      assert.ok(existsSync(path.join(ROOT, source)), `COPY ${source}: exists`)
      assert.ok(!ignored.includes(source), `COPY ${source}: not excluded by .dockerignore`)
    }
  }
})

test('every package that src/ and seed/ import is a production dependency (the image installs --omit=dev)', () => {
  const { dependencies } = packageJson()
  const files = (dir: string): string[] => readdirSync(path.join(ROOT, dir)).flatMap((entry) => {
    const relative = path.join(dir, entry)
    return statSync(path.join(ROOT, relative)).isDirectory() ? files(relative) : relative.endsWith('.ts') ? [relative] : []
  })
  const missing = new Set<string>()
  for (const file of [...files('src'), ...files('seed')]) {
    const source = readFileSync(path.join(ROOT, file), 'utf8')
    // Runtime imports only: `import type` is erased.
    const specifiers = [
      ...[...source.matchAll(/^import\s+(?!type\s)[^'"]*?from\s+'([^'.][^']*)'/gm)].map((m) => m[1]),
      ...[...source.matchAll(/^import\s+'([^'.][^']*)'/gm)].map((m) => m[1]),
      ...[...source.matchAll(/import\('([^'.][^']*)'\)/g)].map((m) => m[1])
    ]
    for (const specifier of specifiers) {
      if (specifier.startsWith('node:')) continue
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]
      if (!(name in dependencies)) missing.add(`${name} (${file})`)
    }
  }
  assert.deepEqual([...missing], [])
  assert.ok('tsx' in dependencies, 'the image runs the seed CLI\'s TypeScript sources with tsx')
  assert.ok('pino-pretty' in dependencies, 'loaded by name as the logger\'s transport on a terminal')
})

test('the compose stack carries no token-signing secret: its replicas share the random key of their database', () => {
  const { services } = compose()
  const text = readRepoFile('docker-compose.yml')
  assert.doesNotMatch(text, /eriop-target-development-secret/, 'the once-published development secret')
  for (const [name, service] of Object.entries(services)) {
    const value = service.environment?.JWT_SECRET
    // Passing the user's own through (`${JWT_SECRET:-}`, empty by default) would be fine; a fixed value is not.
    if (value !== undefined) assert.match(value, /^\$\{JWT_SECRET(:-)?\}$/, `${name} sets a fixed JWT_SECRET`)
  }
})
