# syntax=docker/dockerfile:1
# mango-broker image for development and CI. Validated without a Docker engine by
# scripts/check-image.sh, which replays these steps in a clean directory.
#
# Base: Node 24 LTS on Debian 12 bookworm-slim. Node 24 is the LTS line the test suite runs on
# (CI: Node 20 and 24). Debian is glibc: classic-level (LevelDB) ships glibc prebuilt binaries for
# linux-x64 and linux-arm64, so `npm ci` compiles nothing. On Alpine (musl) only linux-x64 has a
# musl prebuild; arm64 would need python3, make and g++ to build the addon.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies, dist/ and config/ only, as a non-root user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /opt/mango-broker
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY config ./config
# A named volume mounted here starts with this directory's owner, so the hub can write to it.
RUN groupadd --system --gid 1883 mango-broker \
 && useradd --system --uid 1883 --gid mango-broker --home-dir /var/lib/mango-broker --shell /usr/sbin/nologin mango-broker \
 && mkdir -p /var/lib/mango-broker \
 && chown mango-broker:mango-broker /var/lib/mango-broker \
 && chmod 0700 /var/lib/mango-broker
USER mango-broker
VOLUME /var/lib/mango-broker
# MQTT, MQTT over WebSocket, MQTT over TLS (on when tls.cert and tls.key are set), HTTP probes
EXPOSE 1883 8083 8883 8080
# slim images have no curl: Node's fetch. Set MANGO_BROKER_HTTP_PORT if HTTP is not on 8080.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.MANGO_BROKER_HTTP_PORT || 8080) + '/ready').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# The hub closes listeners, sessions and LevelDB on SIGTERM and exits 0 (within shutdown.timeoutMs,
# 10 s by default: give `docker stop -t 20` / compose stop_grace_period: 20s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/mango-broker/dist/bin/mango-broker.js"]
CMD ["--data-dir", "/var/lib/mango-broker"]
