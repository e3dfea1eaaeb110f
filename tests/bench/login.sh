#!/usr/bin/env bash
# Login benchmark: how many logins per second the server does (argon2id bound), and what a login
# storm does to the latency of a cheap authenticated request. Not part of pass/fail: it only prints
# figures.
#
#   bash tests/bench/login.sh
#
# Measurements, each EJ_BENCH_SECONDS (default 10) seconds, with wrk:
#   1. GET /api/v1/me alone             wrk -t1 -c2 --latency, Bearer token of the bench user
#   2. POST /api/v1/auth/login alone    wrk -t2 -c8 --latency, a Lua script with the JSON body
#   3. both at once                     (2) and (1) in parallel: /me's p50/p99 while logins hammer
#   4. POST /api/v1/auth/login, -c = EJ_HASH_CONCURRENCY: as many clients as hashing slots, so no
#      503: what the hashing alone allows, to compare with (2)
# For each: requests/s, p50, p99, and the responses by status (login: 200 vs 503 busy). A login beyond
# EJ_HASH_CONCURRENCY concurrent hashes is answered 503 busy at once instead of queueing, so the
# login run counts 2xx and non-2xx separately. The bench user logs in with the right password only:
# failures would lock it (throttling: 5 failures per username and address).
#
# It builds the normal (non-sanitizer) binary in EJ_BENCH_BUILD_DIR (default build-c; CMake's default
# RelWithDebInfo), starts a private PostgreSQL in a temporary folder (scripts/pg.sh), migrates,
# creates the superuser, serves on a free loopback port with EJ_LOG_LEVEL=warn, and removes
# everything at exit.
#
# Environment: EJ_BENCH_SECONDS, EJ_BENCH_BUILD_DIR, and EJ_THREADS / EJ_HASH_CONCURRENCY /
# EJ_ACCESS_TOKEN_TTL passed on to the server (defaults: the server's own).
# Client, server and database share the machine: the figures are relative, and noisy on a shared one.
set -euo pipefail

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

secs=${EJ_BENCH_SECONDS:-10}
bdir=${EJ_BENCH_BUILD_DIR:-build-c}

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

command -v wrk >/dev/null || die "wrk is missing (apt-get install wrk)"
command -v curl >/dev/null || die "curl is missing"

# --- build (others may be editing the tree: retry) -------------------------------------------------
build() { cmake -S . -B "$bdir" >/dev/null && cmake --build "$bdir" -j2 --target ejournal >/dev/null; }
say "building $bdir/ejournal"
for attempt in 1 2 3 4 5; do
    if build; then break; fi
    ((attempt < 5)) || die "the build failed 5 times"
    say "build failed (attempt $attempt); retrying in 15 s"
    sleep 15
done
bin=$root/$bdir/ejournal

# --- cluster, database, server ---------------------------------------------------------------------
tmp=$(mktemp -d /tmp/ejournal-bench-login.XXXXXX)
chmod 755 "$tmp" # the cluster runs as an unprivileged user, which must be able to enter it
server_pid=
wrk_pids=()
cleanup() {
    for p in "${wrk_pids[@]}"; do kill "$p" 2>/dev/null || true; done
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
EJ_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export EJ_LISTEN=127.0.0.1:$port
export EJ_LOG_LEVEL=warn
if [[ ! -f $root/openapi.yaml ]]; then
    printf 'openapi: 3.1.0\ninfo: {title: placeholder, version: "0"}\npaths: {}\n' >"$tmp/openapi.yaml"
    export EJ_OPENAPI_FILE=$tmp/openapi.yaml
fi
base=http://$EJ_LISTEN

password="Bench-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
"$bin" migrate >/dev/null
printf '%s\n' "$password" | "$bin" create-superuser bench >/dev/null
"$bin" serve 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "$base/readyz" || { cat "$tmp/server.log" >&2; die "the server is not ready"; }

body=$(printf '{"username":"bench","password":"%s"}' "$password")
token=$(curl -fsS -H 'Content-Type: application/json' -d "$body" "$base/api/v1/auth/login" |
    sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')
[[ -n $token ]] || die "login failed"
curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/me" || die "GET /me failed"

# --- wrk scripts -------------------------------------------------------------------------------------
# Both count responses by status across wrk's threads and print them as "status N count ...".
counting='
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for s, n in pairs(c) do total[s] = (total[s] or 0) + n end
  end
  local line = "statuses"
  for s, n in pairs(total) do line = line .. " " .. s .. "=" .. n end
  io.write(line .. "\n")
end
'
cat >"$tmp/login.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
$counting
EOF
cat >"$tmp/me.lua" <<EOF
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer $token"
$counting
EOF

to_ms() { # a wrk latency figure (812.00us, 1.23ms, 2.01s) in milliseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}
summarise() { # name out-file: sets NAME_rps, NAME_p50, NAME_p99, NAME_statuses, NAME_errors
    local out=$2
    printf -v "${1}_rps" '%s' "$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    printf -v "${1}_p50" '%s' "$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
    printf -v "${1}_p99" '%s' "$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
    printf -v "${1}_statuses" '%s' "$(sed -n 's/^statuses //p' "$out")"
    printf -v "${1}_errors" '%s' "$(sed -n 's/^ *Socket errors: //p' "$out")"
}
me_wrk() { wrk -t1 -c2 -d"${secs}s" --latency -s "$tmp/me.lua" "$base/api/v1/me"; }
login_wrk() { wrk -t2 -c"${1:-8}" -d"${secs}s" --latency -s "$tmp/login.lua" "$base/api/v1/auth/login"; }

slots=${EJ_HASH_CONCURRENCY:-$(nproc)}

say "1/4 GET /api/v1/me alone (wrk -t1 -c2 -d${secs}s --latency)"
me_wrk >"$tmp/me-alone.out" 2>&1
summarise me_alone "$tmp/me-alone.out"

say "2/4 POST /api/v1/auth/login alone (wrk -t2 -c8 -d${secs}s --latency)"
login_wrk >"$tmp/login-alone.out" 2>&1
summarise login_alone "$tmp/login-alone.out"

say "3/4 both at once"
login_wrk >"$tmp/login-storm.out" 2>&1 &
wrk_pids+=($!)
sleep 0.5 # let the storm start first
me_wrk >"$tmp/me-storm.out" 2>&1
wait "${wrk_pids[@]}"
wrk_pids=()
summarise login_storm "$tmp/login-storm.out"
summarise me_storm "$tmp/me-storm.out"

say "4/4 POST /api/v1/auth/login with as many clients as hashing slots (wrk -t2 -c$slots)"
login_wrk "$((slots < 2 ? 2 : slots))" >"$tmp/login-slots.out" 2>&1
summarise login_slots "$tmp/login-slots.out"

kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server died during the run"; }

# --- report --------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "ejournal login benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(uname -r)"
echo "server: $bdir/ejournal, EJ_THREADS=${EJ_THREADS:-default}, EJ_HASH_CONCURRENCY=${EJ_HASH_CONCURRENCY:-default ($(nproc))}, EJ_LOG_LEVEL=warn; ${secs} s per run"
printf '%-40s %10s %9s %9s  %s\n' "measurement" "req/s" "p50 ms" "p99 ms" "responses by status"
row() { printf '%-40s %10s %9s %9s  %s\n' "$1" "$2" "$3" "$4" "$5"; }
row "GET /me alone (-t1 -c2)" "$me_alone_rps" "$me_alone_p50" "$me_alone_p99" "$me_alone_statuses${me_alone_errors:+; socket errors: $me_alone_errors}"
row "POST /auth/login alone (-t2 -c8)" "$login_alone_rps" "$login_alone_p50" "$login_alone_p99" "$login_alone_statuses${login_alone_errors:+; socket errors: $login_alone_errors}"
row "POST /auth/login during GET /me" "$login_storm_rps" "$login_storm_p50" "$login_storm_p99" "$login_storm_statuses${login_storm_errors:+; socket errors: $login_storm_errors}"
row "GET /me during the login storm" "$me_storm_rps" "$me_storm_p50" "$me_storm_p99" "$me_storm_statuses${me_storm_errors:+; socket errors: $me_storm_errors}"
row "POST /auth/login alone (-t2 -c$((slots < 2 ? 2 : slots)))" "$login_slots_rps" "$login_slots_p50" "$login_slots_p99" "$login_slots_statuses${login_slots_errors:+; socket errors: $login_slots_errors}"
ok_logins() { # successful logins per second from a run: 200 count / seconds
    awk -v s="$1" -v secs="$secs" 'BEGIN { n = 0; k = split(s, a, " "); for (i = 1; i <= k; i++) { split(a[i], kv, "="); if (kv[1] == "200") n = kv[2] } printf "%.1f", n / secs }'
}
echo "successful logins/s: -c8 alone $(ok_logins "$login_alone_statuses"), -c8 during GET /me $(ok_logins "$login_storm_statuses"), -c$((slots < 2 ? 2 : slots)) alone $(ok_logins "$login_slots_statuses") (non-200: 503 busy, over EJ_HASH_CONCURRENCY=$slots)"
echo "GET /me under the login storm vs alone: p99 x$(ratio "$me_storm_p99" "$me_alone_p99"), p50 x$(ratio "$me_storm_p50" "$me_alone_p50"), req/s x$(ratio "$me_storm_rps" "$me_alone_rps")"
