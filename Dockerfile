# ejournal API server: build on Debian 12 with its own -dev packages, run on a slim Debian 12 with
# only the runtime libraries. The container migrates the database, then serves on 0.0.0.0:8080.
# Not built or run on the development machine (it has no Docker engine): see README.md, "Docker".

# ---- build ------------------------------------------------------------------------------------
FROM debian:12-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config \
        libcivetweb-dev libpq-dev libjansson-dev libjwt-dev libargon2-dev libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the server build reads: the CMake project, the sources, and the script that embeds
# the common-password list.
COPY CMakeLists.txt ./
COPY api/ api/
COPY scripts/embed-list.cmake scripts/
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build build --target ejournal -j "$(nproc)"

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:12-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libcivetweb1 libpq5 libjansson4 libjwt0 libargon2-1 libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ejournal
COPY --from=build /src/build/ejournal /usr/local/bin/ejournal
COPY db/migrations/ /usr/share/ejournal/migrations/
COPY db/functions/ /usr/share/ejournal/functions/
COPY openapi.yaml /usr/share/ejournal/openapi.yaml

ENV EJ_MIGRATIONS_DIR=/usr/share/ejournal/migrations \
    EJ_FUNCTIONS_DIR=/usr/share/ejournal/functions \
    EJ_OPENAPI_FILE=/usr/share/ejournal/openapi.yaml \
    EJ_LISTEN=0.0.0.0:8080
# EJ_DATABASE_URL and EJ_JWT_SECRET (or EJ_JWT_SECRET_FILE) come from the environment at run time.

USER ejournal
EXPOSE 8080
# `exec` replaces the shell, so the server itself is PID 1 and receives the SIGTERM of `docker stop`:
# it finishes the requests in flight and exits 0 (it takes SIGTERM with sigwait, which works as PID 1).
CMD ["/bin/sh", "-c", "ejournal migrate && exec ejournal serve"]
