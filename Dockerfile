# One image recipe for every demo service (docker-compose.yml builds it once per service with
# `args: { SERVICE: <name> }`) and, as the `load` target, for the load generator.
#
#   build    installs every dependency and compiles @hopscope/instrumentation to dist/
#   deps     production dependencies only, for all workspaces at once: the eight service
#            images share this layer instead of each carrying its own node_modules
#   load     the load generator: no dependencies, and deliberately NOT instrumented (its
#            requests must be trace roots at the gateway)
#   service  (default target) a demo service, run as the non-root `node` user with the
#            instrumentation flag and nothing else, like `npm start` in local mode
#
# Node is the version the repo pins (package.json devDependencies.node; a test checks).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
# Manifests first, so that a source change does not reinstall dependencies.
COPY package.json package-lock.json tsconfig.json ./
COPY instrumentation/package.json instrumentation/
COPY demo-services/shared/package.json demo-services/shared/
COPY demo-services/gateway/package.json demo-services/gateway/
COPY demo-services/orders/package.json demo-services/orders/
COPY demo-services/inventory/package.json demo-services/inventory/
COPY demo-services/payments/package.json demo-services/payments/
COPY demo-services/bank/package.json demo-services/bank/
COPY demo-services/shipping/package.json demo-services/shipping/
COPY demo-services/notifications/package.json demo-services/notifications/
COPY demo-services/order-view/package.json demo-services/order-view/
# A workspace without dependencies of its own; npm ci needs every workspace's manifest.
COPY demo-services/load/package.json demo-services/load/
# The chaos CLI runs beside the system, not in an image; npm ci still needs its manifest.
COPY chaos/package.json chaos/
# The dashboards' code, likewise: compose mounts the JSON it generated, not the workspace.
COPY grafana/package.json grafana/
RUN npm ci --no-audit --no-fund
COPY instrumentation/ instrumentation/
RUN npm run build -w instrumentation

FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/instrumentation/package.json instrumentation/
COPY --from=build /app/demo-services/ demo-services/
COPY --from=build /app/chaos/package.json chaos/
COPY --from=build /app/grafana/package.json grafana/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-slim AS load
WORKDIR /app/demo-services/load
COPY demo-services/load/package.json ./
COPY demo-services/load/src/ src/
USER node
CMD ["node", "src/main.ts"]

FROM node:${NODE_VERSION}-slim AS service
# The services this image can run: each is a folder demo-services/<name>/ with src/main.ts
# (a test checks the list against the folders and docker-compose.yml).
ARG SERVICE
RUN case "${SERVICE}" in \
      gateway|orders|inventory|payments|bank|shipping|notifications|order-view) ;; \
      *) echo "build arg SERVICE='${SERVICE}': expected one of gateway orders inventory payments bank shipping notifications order-view" >&2; exit 1 ;; \
    esac
ENV NODE_ENV=production PORT=8080
WORKDIR /app
# The dependency layers come first and are the same for every SERVICE, so they are shared.
COPY --from=deps /app/ ./
COPY --from=build /app/instrumentation/dist/ instrumentation/dist/
COPY demo-services/shared/ demo-services/shared/
COPY demo-services/${SERVICE}/ demo-services/${SERVICE}/
USER node
WORKDIR /app/demo-services/${SERVICE}
EXPOSE 8080
# Exec form, no shell in between: `docker stop`'s SIGTERM reaches node itself, whose service
# frame shuts down gracefully (compose adds `init: true` so that PID 1 is an init that reaps).
# The --import specifier resolves from this folder to the instrumentation workspace package.
CMD ["node", "--import", "@hopscope/instrumentation/register", "src/main.ts"]
