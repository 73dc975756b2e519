# The gateway in a container: `docker build -t proxy-buy-gateway .`, or `docker compose up`
# (compose.yaml: with PostgreSQL and Redis). The container's process is node itself (no npm,
# no shell), so `docker stop`'s SIGTERM reaches the gateway: it stops taking requests, finishes
# the ones in flight (SHUTDOWN_GRACE_MS), closes the pool and exits.
# Node 20 is what CI tests (.ci/run); it reached end of life in April 2026: move to 22 once
# CI runs the suite on it. See docs/operations.md for what has and has not been run.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    STORAGE_DIR=/data/attachments
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
RUN mkdir -p /data/attachments && chown -R node:node /data
USER node
VOLUME ["/data/attachments"]
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
