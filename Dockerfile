# The production image: the compiled gateway (src only), its contract and production dependencies, run as an
# unprivileged user on a current Node LTS. No tests, benchmarks or sample keys: with SAMPLES=false the gateway
# trusts only the CA it is given, and refuses to start without one (mount it and name it, see docs/command-line.md).

# Build stage: compile src and the SQLite driver, then drop development dependencies.
FROM node:24-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev

# Run stage.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 SAMPLES=false
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist/src dist/src
COPY package.json ./
COPY wsdl wsdl
COPY xsd xsd
RUN mkdir -p data && chown node:node data
USER node
# The SQLite store (when no DATABASE_URL is given) and anything the gateway writes.
VOLUME ["/app/data"]
EXPOSE 8080
# `health` reaches the gateway where its configuration puts it: PORT, HOST, TLS (https) and SMEV_GATEWAY_CONFIG.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["node", "dist/src/cli/main.js", "health"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
