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
set -euo pipefail

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

secs=${EJ_BENCH_SECONDS:-10}
bdir=${EJ_BENCH_BUILD_DIR:-build-bench}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk, or bash scripts/setup.sh)"
command -v curl >/dev/null || die "curl is missing"
[[ -x $PGBIN/pgbench ]] || die "pgbench is missing ($PGBIN/pgbench; it comes with postgresql-15)"

# --- build -------------------------------------------------------------------------------------
# Others may be editing the tree: retry a failed build a few times before giving up.
build() {
    cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$bdir" -j2 >/dev/null
}
say "building $bdir/ejournal (Release)"
for attempt in 1 2 3 4 5; do
    if build; then break; fi
    ((attempt < 5)) || die "the build failed 5 times"
    say "build failed (attempt $attempt); retrying in 15 s"
    sleep 15
done
bin=$root/$bdir/ejournal

# --- cluster and server ------------------------------------------------------------------------
tmp=$(mktemp -d /tmp/ejournal-bench.XXXXXX)
chmod 755 "$tmp" # the cluster runs as an unprivileged user, which must be able to enter it
server_pid=
cleanup() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    bash "$root/scripts/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a private PostgreSQL in $tmp/pg"
url=$(bash scripts/pg.sh start "$tmp/pg")
pghost=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$url")
pgport=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$url")
pg() { "$PGBIN/$1" -h "$pghost" -p "$pgport" -U postgres "${@:2}"; }

free_port() {
    local p i
    for ((i = 0; i < 100; i++)); do
        p=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
port=$(free_port) || die "no free port found"

export EJ_DATABASE_URL=$url
export EJ_JWT_SECRET
EJ_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') # 64 hex digits
export EJ_LISTEN=127.0.0.1:$port
export EJ_LOG_LEVEL=warn
if [[ ! -f $root/openapi.yaml ]]; then
    # serve refuses to start without its API description; the benchmark never asks for it.
    printf 'openapi: 3.1.0\ninfo: {title: ejournal (bench placeholder), version: "0"}\npaths: {}\n' \
        >"$tmp/openapi.yaml"
    export EJ_OPENAPI_FILE=$tmp/openapi.yaml
fi

"$bin" migrate >/dev/null
"$bin" serve 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "http://$EJ_LISTEN/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "http://$EJ_LISTEN/readyz" || { cat "$tmp/server.log" >&2; die "the server is not ready"; }

# --- measurements ------------------------------------------------------------------------------
# Milliseconds from a wrk latency figure such as 812.00us, 1.23ms or 2.01s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}

# pgbench: tps from its summary; p50/p99 from its per-transaction log (3rd field: latency in us).
say "pgbench -i (scale 1) into database pgbench"
pg psql -X -q -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
pg pgbench -i -q pgbench >/dev/null 2>&1
say "pgbench -S -c 8 -j 2 -T $secs"
pg pgbench -S -c 8 -j 2 -T "$secs" -l --log-prefix="$tmp/pgb" pgbench >"$tmp/pgbench.out" 2>&1
pgb_tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench.out" | tail -n 1)
pgb_avg=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$tmp/pgbench.out")
cat "$tmp"/pgb.* | awk '{print $3}' | sort -n >"$tmp/pgb.sorted"
pct() { # file percentile -> ms
    local n
    n=$(wc -l <"$1")
    awk -v n="$n" -v p="$2" 'BEGIN { k = int(n * p / 100 + 0.999999); if (k < 1) k = 1 }
        NR == k { printf "%.3f", $1 / 1000; exit }' "$1"
}
pgb_p50=$(pct "$tmp/pgb.sorted" 50)
pgb_p99=$(pct "$tmp/pgb.sorted" 99)

# Prints "requests/s|p50 ms|p99 ms|non-2xx and socket errors" for one wrk run.
run_wrk() { # name path
    say "wrk -t2 -c16 -d${secs}s --latency http://$EJ_LISTEN$2"
    wrk -t2 -c16 -d"${secs}s" --latency "http://$EJ_LISTEN$2" >"$tmp/wrk-$1.out" 2>&1
    local out=$tmp/wrk-$1.out
    local rps p50 p99 non2xx errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
    errors=$(sed -n 's/^ *Socket errors: //p' "$out")
    echo "$rps|$p50|$p99|${non2xx:-0}${errors:+; socket errors: $errors}"
}
IFS="|" read -r healthz_rps healthz_p50 healthz_p99 healthz_bad < <(run_wrk healthz /healthz)
IFS="|" read -r readyz_rps readyz_p50 readyz_p99 readyz_bad < <(run_wrk readyz /readyz)

# The server's default (api/core/config.c): 4 per core, at least 8, at most 64.
cores=$(nproc)
threads=$((cores * 4 < 8 ? 8 : (cores * 4 > 64 ? 64 : cores * 4)))

# --- report ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3g", a / b; else print "n/a" }'; }
echo
echo "ejournal foundation benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(uname -r)"
echo "server: $bdir/ejournal (Release), EJ_THREADS=${EJ_THREADS:-default (${threads})}, EJ_LOG_LEVEL=warn"
echo "database: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), private cluster, Unix socket"
printf '%-28s %12s %10s %10s  %s\n' "measurement" "per second" "p50 ms" "p99 ms" "notes"
printf '%-28s %12.0f %10s %10s  %s\n' "pgbench -S -c8 -j2" "$pgb_tps" "$pgb_p50" "$pgb_p99" \
    "tps; latency average $pgb_avg ms"
printf '%-28s %12.0f %10s %10s  %s\n' "GET /healthz (wrk -t2 -c16)" "$healthz_rps" "$healthz_p50" \
    "$healthz_p99" "non-2xx: $healthz_bad"
printf '%-28s %12.0f %10s %10s  %s\n' "GET /readyz  (wrk -t2 -c16)" "$readyz_rps" "$readyz_p50" \
    "$readyz_p99" "non-2xx: $readyz_bad"
echo "ratio readyz/healthz   (requests/s): $(ratio "$readyz_rps" "$healthz_rps")"
echo "ratio readyz/pgbench-S (requests/s per tps): $(ratio "$readyz_rps" "$pgb_tps")"
