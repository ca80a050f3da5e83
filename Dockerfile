# syntax=docker/dockerfile:1.7
# One Dockerfile, one target per service:
#   docker build --target api -t conveyor-api .      (also: worker, scheduler)
# docker-compose.yml builds all three.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install the workspace, compile it, then cut one self-contained folder per app
FROM ${NODE_IMAGE} AS build
RUN npm i -g pnpm@12.4.2
WORKDIR /repo
# Manifests first, so the dependency layer is reused when only sources change.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/scheduler/package.json apps/scheduler/
COPY packages/queue-core/package.json packages/queue-core/
COPY packages/service-kit/package.json packages/service-kit/
COPY packages/telemetry/package.json packages/telemetry/
COPY packages/launcher/package.json packages/launcher/
COPY packages/client/package.json packages/client/
COPY packages/cli/package.json packages/cli/
COPY packages/e2e/package.json packages/e2e/
COPY packages/test-support/package.json packages/test-support/
COPY packages/chaos/package.json packages/chaos/
COPY bench/package.json bench/
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile
COPY . .
RUN pnpm exec turbo run build --filter=@conveyor/api --filter=@conveyor/worker --filter=@conveyor/scheduler
# pnpm deploy copies an app with only its production dependencies (workspace
# packages included) into a folder that runs on its own.
RUN for app in api worker scheduler; do \
      pnpm --filter "@conveyor/$app" --prod deploy "/out/$app"; \
    done

# ---- runtime base: no build tools, non-root, tini as PID 1 (signals reach node,
# zombies are reaped)
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown node:node /data
ENV NODE_ENV=production DATA_DIR=/data
WORKDIR /app
USER node
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]

FROM runtime AS api
COPY --from=build --chown=node:node /out/api /app
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

FROM runtime AS worker
COPY --from=build --chown=node:node /out/worker /app
# The worker serves no port: healthy while its process lives (tini restarts nothing;
# compose's restart policy does).
STOPSIGNAL SIGTERM

FROM runtime AS scheduler
COPY --from=build --chown=node:node /out/scheduler /app
STOPSIGNAL SIGTERM
