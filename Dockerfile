# The vp-operator manager: compiled JavaScript (npm run build) and production dependencies only,
# on a Node.js 24 base. See docs/container-image.md.
#
#   podman build -t vp-operator:0.1.0 .
#   docker build -t vp-operator:0.1.0 --build-arg BASE_IMAGE=node:24-bookworm-slim .
#
# BUILD_IMAGE runs npm: it needs Node.js 24, npm, a shell (for npm run) and find.
# BASE_IMAGE is what ships: any Node.js 24 image, with or without a shell or npm. The default is
# distroless (no shell, no package manager, nothing but Node.js and its libraries);
# node:24-bookworm-slim is the usual alternative when a shell in the container is wanted.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG BASE_IMAGE=gcr.io/distroless/nodejs24-debian12

# Installs every dependency and bundles the manager into dist/. Install scripts are skipped:
# no production dependency has one, and the bundler runs from its platform package without.
FROM ${BUILD_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm ["npm", "ci", "--ignore-scripts"]
COPY tsconfig.json ./
COPY src ./src
RUN ["npm", "run", "build"]

# The production dependencies alone, from the same lockfile: no tsx, no dev dependencies. Type
# declarations and source maps are half their size and never read at run time.
FROM ${BUILD_IMAGE} AS production-dependencies
WORKDIR /build
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm ["npm", "ci", "--omit=dev", "--ignore-scripts"]
RUN ["find", "node_modules", "-type", "f", "(", "-name", "*.d.ts", "-o", "-name", "*.d.?ts", "-o", "-name", "*.map", ")", "-delete"]

FROM ${BASE_IMAGE}
# VERSION is kept equal to package.json's by the image test; REVISION (the source commit) and
# SOURCE (the repository URL) are for release builds to pass.
ARG VERSION=0.1.0
ARG REVISION=
ARG SOURCE=
LABEL org.opencontainers.image.title="vp-operator" \
      org.opencontainers.image.description="Kubernetes operator that makes Ververica Platform resources Kubernetes-native" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="${SOURCE}"
WORKDIR /app
# package.json: "type": "module" for the bundle, and the version the manager reports.
COPY package.json ./
COPY --from=production-dependencies /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
ENV NODE_ENV=production
# Node.js is /nodejs/bin/node in distroless images and /usr/local/bin/node in the official ones:
# the runtime finds it on PATH, so the entrypoint below works on either.
ENV PATH=/nodejs/bin:${PATH}
# A numeric non-root user (distroless's "nonroot"), so runAsNonRoot can verify it without
# /etc/passwd. Files stay root-owned: the manager only reads them.
USER 65532:65532
# Exec form: Node.js is PID 1 and receives SIGTERM itself; the manager stops within 10 s.
# A 2 MiB young generation: the manager's garbage is short-lived request and watch data, and
# Node's default lets the young generation grow to 64 MiB or more (measured: 55 MiB less
# resident memory at 600 objects, no slower).
ENTRYPOINT ["node", "--enable-source-maps", "--max-semi-space-size=2", "/app/dist/manager.js"]
