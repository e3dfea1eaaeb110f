#!/usr/bin/env bash
# Foundation benchmark: the ceilings and the whole stack, measured in one run on this machine.
# Not part of pass/fail: it only prints figures.
#
#   bash tests/bench/foundation.sh
#
# What it measures, each for EJ_BENCH_SECONDS (default 10) seconds:
#   1. pgbench -S -c 8 -j 2      PostgreSQL alone: the select-only TPC-B-like script over a Unix socket
#   2. GET /healthz              the API with no database: HTTP parsing, pipeline, reply, log line
#   3. GET /readyz               one database round trip (SELECT 1) through the whole stack
# (2) and (3) with wrk -t2 -c16 --latency. It prints requests/s, p50 and p99 for each, and the ratios
# readyz/healthz and readyz/pgbench-S.
#
# It builds the optimised, non-sanitizer binary in build-bench/ (CMAKE_BUILD_TYPE=Release), starts a
# private PostgreSQL in a temporary folder (scripts/pg.sh), migrates, serves on a free loopback port
# with EJ_LOG_LEVEL=warn (so per-request logging does not dominate), and removes everything at exit.
#
# Environment: EJ_BENCH_SECONDS (duration of each measurement), EJ_THREADS (passed to the server;
# default: the server's own), EJ_BENCH_BUILD_DIR (default build-bench).
# Everything runs on the same machine (client, server, database): the figures are relative, and on a
# shared machine noisy; run it several times and compare medians.
# shellcheck disable=SC2154,SC2119 # NAME_rps, NAME_p50 ... are set by bench_wrk_parse (lib.sh); bench_start_server with no superuser
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

bench_require wrk curl pgbench
bench_build build-bench Release
bench_start_cluster foundation
bench_start_server

# --- measurements ------------------------------------------------------------------------------
bench_pgbench_init
say "pgbench -S -c 8 -j 2 -T $secs"
bench_pgbench_select
for m in healthz readyz; do
    say "wrk -t2 -c16 -d${secs}s --latency $base/$m"
    bench_wrk "$m" 2 16 "$base/$m"
done
healthz_bad=${healthz_non2xx:-0}${healthz_errors:+; socket errors: $healthz_errors}
readyz_bad=${readyz_non2xx:-0}${readyz_errors:+; socket errors: $readyz_errors}

# --- report ------------------------------------------------------------------------------------
echo
echo "ejournal foundation benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(uname -r)"
echo "server: $bdir/ejournal (Release), EJ_THREADS=${EJ_THREADS:-default ($(bench_default_threads))}, EJ_LOG_LEVEL=warn"
echo "database: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), private cluster, Unix socket"
printf '%-28s %12s %10s %10s  %s\n' "measurement" "per second" "p50 ms" "p99 ms" "notes"
printf '%-28s %12.0f %10s %10s  %s\n' "pgbench -S -c8 -j2" "$pgb_tps" "$pgb_p50" "$pgb_p99" \
    "tps; latency average $pgb_avg ms"
printf '%-28s %12.0f %10s %10s  %s\n' "GET /healthz (wrk -t2 -c16)" "$healthz_rps" "$healthz_p50" \
    "$healthz_p99" "non-2xx: $healthz_bad"
printf '%-28s %12.0f %10s %10s  %s\n' "GET /readyz  (wrk -t2 -c16)" "$readyz_rps" "$readyz_p50" \
    "$readyz_p99" "non-2xx: $readyz_bad"
echo "ratio readyz/healthz   (requests/s): $(bench_ratio "$readyz_rps" "$healthz_rps")"
echo "ratio readyz/pgbench-S (requests/s per tps): $(bench_ratio "$readyz_rps" "$pgb_tps")"
