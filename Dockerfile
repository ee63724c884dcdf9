# syntax=docker/dockerfile:1
# Brygga's production image. Build: docker build -t brygga .   Run: see helm/brygga/README.md and README.md "Deploying".
# The sources are TypeScript run by Node's own type stripping (Node 24): there is no build step, only the dependencies.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- Production dependencies only (patch-package applies patches/ in the postinstall step).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- Runtime: the dependencies and the files the process reads, owned by root and read-only to the app user.
FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="brygga" \
      org.opencontainers.image.description="OpenID Connect provider whose login step runs a Swedish BankID order" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
# npm and corepack are not needed at run time: less to patch, less to exploit.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY migrations ./migrations
COPY views ./views
# Nothing is written below /app: the root filesystem can be mounted read-only. Only the embedded database (no
# DATABASE_URL, not for production) writes, to DATA_DIR, which then needs a volume.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
# A numeric user (runAsNonRoot can check it without /etc/passwd); no home, no shell needed.
USER 10001:10001
EXPOSE 3000
# Liveness only (the process answers); readiness (/readyz) is for the orchestrator. No curl in a slim image: Node's fetch.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node itself is PID 1, no init in between: src/main.ts handles SIGTERM and SIGINT (a graceful stop) and the process
# starts no child processes, so there are no zombies to reap. Migrations: `node bin/brygga.js migrate` (the chart's hook).
# V8's memory settings as in `npm start` (docs/performance.md, 27th): --max-semi-space-size=16, a young generation of
# 2 x 16 MB instead of 2 x 64 MB, about 100 MB less resident under load (10,000 waiting people); --heap-growing-percent=30,
# a full collection before the old generation is 1.3 times what the last one kept (V8 allows up to 4 times), so the
# memory a crowd leaves as garbage is given back sooner (350-463 MB at 10,000 became 354-365 MB) for about 2 % more CPU per login.
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=30", "src/main.ts"]
