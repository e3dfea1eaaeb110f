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
# EJ_HASH_CONCURRENCY concurrent hashes waits in line for up to EJ_HASH_WAIT_MS, then gets 503 busy,
# so the login run counts 2xx and non-2xx separately. wrk sends from one address, so the per-address
# budget of hashing requests is off (EJ_ADDRESS_HASH_BUDGET=0) unless set: this measures the hashing. The bench user logs in with the right password only:
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
# shellcheck disable=SC2154 # NAME_rps, NAME_p50 ... are set by bench_wrk_parse (lib.sh)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

bench_ms_decimals=2

bench_require wrk curl
bench_build build-c
bench_start_cluster login
export EJ_ADDRESS_HASH_BUDGET=${EJ_ADDRESS_HASH_BUDGET:-0}
bench_start_server bench

body=$(printf '{"username":"%s","password":"%s"}' "$su_name" "$su_password")
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

me_wrk() { bench_wrk_run "$1" 1 2 "$api/me" -s "$tmp/me.lua"; }
login_wrk() { bench_wrk_run "$1" 2 "${2:-8}" "$api/auth/login" -s "$tmp/login.lua"; }

slots=${EJ_HASH_CONCURRENCY:-$(nproc)}

say "1/4 GET /api/v1/me alone (wrk -t1 -c2 -d${secs}s --latency)"
me_wrk "$tmp/me-alone.out"
bench_wrk_parse me_alone "$tmp/me-alone.out"

say "2/4 POST /api/v1/auth/login alone (wrk -t2 -c8 -d${secs}s --latency)"
login_wrk "$tmp/login-alone.out"
bench_wrk_parse login_alone "$tmp/login-alone.out"

say "3/4 both at once"
login_wrk "$tmp/login-storm.out" &
bench_pids+=($!)
sleep 0.5 # let the storm start first
me_wrk "$tmp/me-storm.out"
wait "${bench_pids[@]}"
bench_pids=()
bench_wrk_parse login_storm "$tmp/login-storm.out"
bench_wrk_parse me_storm "$tmp/me-storm.out"

say "4/4 POST /api/v1/auth/login with as many clients as hashing slots (wrk -t2 -c$slots)"
login_wrk "$tmp/login-slots.out" "$((slots < 2 ? 2 : slots))"
bench_wrk_parse login_slots "$tmp/login-slots.out"

kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server died during the run"; }

# --- report --------------------------------------------------------------------------------------------
ratio() { bench_ratio "$1" "$2" %.2f; }
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
