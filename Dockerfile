# syntax=docker/dockerfile:1
# ee-cancel worker image. Two stages: `build` compiles TypeScript and bundles the workflows with every dependency;
# `runtime` holds production dependencies, the compiled worker and the bundle, and runs as the unprivileged `node`
# user. Credentials never enter the image: mount a key file at run time (see docker-compose.yml) or use the
# platform's workload identity.
#
# Debian (glibc), not Alpine: @temporalio/core-bridge ships native binaries for glibc Linux only. The tag is pinned
# to an exact Node release so that rebuilds are reproducible; update it deliberately.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so that this layer is reused while only the sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts ./scripts
# `build` compiles to dist/ (dist/src/worker.js); `bundle` writes dist/workflow-bundle.js, so the worker does not
# bundle its workflows with webpack at every start.
RUN npm run build && npm run bundle

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only for `node`: the worker cannot change its own code.
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/workflow-bundle.js ./dist/workflow-bundle.js
ENV EE_CANCEL_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js
USER node
# Prometheus metrics, served only when EE_CANCEL_METRICS_PORT is set (docker-compose.yml sets it to this port).
EXPOSE 9464
# The worker drains on SIGTERM: it stops polling and gives in-flight activities EE_CANCEL_SHUTDOWN_GRACE (30s by
# default) to finish, so give the container more than that before it is killed (docker stop -t / stop_grace_period).
STOPSIGNAL SIGTERM
# node as PID 1 directly (no npm wrapper), so that the signal reaches the worker.
CMD ["node", "dist/src/worker.js"]
