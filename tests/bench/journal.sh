#!/usr/bin/env bash
# Journal benchmark (issue 13): reading lessons with their attendance and recording entries (§13),
# next to the database's ceilings and one round trip through the whole stack, measured side by side
# in one run on this machine. Not part of pass/fail: it only prints figures.
#
#   bash tests/bench/journal.sh
#
# Setup, through the API as the superuser: a school year around today, a group with one teacher and
# 20 students (one bulk import), and a week of the group's lessons, five a day (08:00 to 12:45) on
# the seven days from 20 to 14 days ago, public holidays skipped (about 34 lessons), each with its
# entry (17 present, 2 absent, 1 late). Then a login storm: 24 logins at once (the resident memory
# is read before and after; EJ_HASH_WAIT_MS=20000 unless set, so that all 24 wait their turn). Then, for EJ_BENCH_ROUNDS rounds (default 3), each measurement for
# EJ_BENCH_SECONDS seconds (default 10):
#   1. pgbench -S -c 8 -j 2          PostgreSQL alone, primary-key selects (scale 1, database pgbench)
#   2. pgbench -N -c 8 -j 2          PostgreSQL alone, the simple-update script (3 writes, a commit)
#   3. GET /healthz                  the HTTP stack alone (no database)
#   4. GET /readyz                   one database round trip (SELECT 1) through the whole stack
#   5. GET /api/v1/lessons/{id}      the first lesson with its 20 attendance rows
#   6. GET /api/v1/lessons?group_id&from&to   the week: every lesson with its attendance
#   7. PUT /api/v1/lessons/{id}/entry over 32 lessons: the same entry again, each request to the
#                                    next of 32 lessons of the week (as the superuser, so the
#                                    deadline does not refuse it); every request locks the lesson,
#                                    rewrites its attendance and writes an audit record
# (3)-(7) with wrk -t2 -c32 --latency (PUT bodies and headers from a Lua script). It prints each
# round, the medians, the ratios the issue asks for (GET lesson and the week against readyz, PUT
# against pgbench -N: medians of the ratios of each round, so both sides come from the same
# minute) and the server's resident memory (now and peak).
#
# It builds the optimised, non-sanitizer binary in build-bench/ (CMAKE_BUILD_TYPE=Release), starts
# a private PostgreSQL in a temporary folder (scripts/pg.sh), migrates, serves on a free loopback
# port with EJ_LOG_LEVEL=warn, and removes everything at exit.
#
# EJ_BENCH_BIG=1: before measuring, tests/bench/big-data.sql adds EJ_BENCH_BIG_GROUPS (default 25000)
# groups of 20 students with 20 recorded lessons each (10^7 attendance rows) and EJ_BENCH_BIG_AUDIT
# (default 10^6) audit records, straight into the tables (minutes, and about 2 GB of disk).
# EJ_BENCH_EXPLAIN=1: no measurements; after the setup, three requests of each measured route, and the
# plans of every statement the third ran (auto_explain: EXPLAIN (ANALYZE, BUFFERS)) from the cluster's log.
#
# Environment: EJ_BENCH_SECONDS, EJ_BENCH_ROUNDS, EJ_BENCH_CONNECTIONS (wrk -c, default 32),
# EJ_THREADS / EJ_DB_CONNECTIONS / EJ_HASH_CONCURRENCY (passed to the server; default: the
# server's own), EJ_BENCH_BUILD_DIR (default build-bench). Access tokens live 15 minutes: keep
# rounds x 7 x seconds well under that.
# shellcheck disable=SC2154 # NAME_rps, NAME_p50 ... are set by bench_wrk_parse (lib.sh)
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

rounds=${EJ_BENCH_ROUNDS:-3}

# 24 logins at once from one address, each waiting its turn for a hashing slot
export EJ_ADDRESS_HASH_BUDGET=${EJ_ADDRESS_HASH_BUDGET:-0} EJ_HASH_WAIT_MS=${EJ_HASH_WAIT_MS:-20000}
bench_require wrk curl jq pgbench
bench_build build-bench Release
bench_start_cluster journal
explain=${EJ_BENCH_EXPLAIN:-0}
if [[ $explain == 1 ]]; then
    bench_auto_explain
    # One connection, so that the warm-up requests below warm the one whose plans are shown.
    export EJ_DB_CONNECTIONS=${EJ_DB_CONNECTIONS:-1}
fi
bench_start_server admin

# --- data, through the API ---------------------------------------------------------------------
token=$(login "$su_name" "$su_password")
bench_group_setup

# A week of lessons: five a day on the seven days from 20 to 14 days ago (public holidays skipped).
week_from=$(day -20) week_to=$(day -14)
lessons=()
for ((back = 20; back >= 14; back--)); do
    for hour in 08 09 10 11 12; do
        bench_lesson "$(day -$back)" "$hour:00" "$hour:45" || continue # a public holiday
        lessons+=("$lesson_id")
    done
done
((${#lessons[@]} >= 32)) || die "could not create 32 lessons (made ${#lessons[@]})"
lesson=${lessons[0]}
rows_shown=$(call GET "/lessons/$lesson" | jq '.attendance | length')
((rows_shown == 20)) || die "GET /lessons/$lesson shows $rows_shown attendance rows, not 20"
week_path="/lessons?group_id=$group&from=$week_from&to=$week_to"
week_shown=$(call GET "$week_path" | jq '.items | length')
((week_shown == ${#lessons[@]})) || die "GET $week_path shows $week_shown lessons, not ${#lessons[@]}"
say "group $group: 20 students, ${#lessons[@]} lessons from $week_from to $week_to, each recorded"

# wrk script: the PUT, round robin over 32 lessons.
bench_put_script "$tmp/put-many.lua" "${lessons[@]:0:32}"

if [[ ${EJ_BENCH_BIG:-0} == 1 ]]; then
    say "bulk data (tests/bench/big-data.sql): ${EJ_BENCH_BIG_GROUPS:-25000} more groups of 20 students with 20 recorded lessons each, ${EJ_BENCH_BIG_AUDIT:-1000000} audit records"
    big_started=$(date +%s)
    PGOPTIONS="-c auto_explain.log_min_duration=-1" pg psql -X -q -d ejournal -v groups="${EJ_BENCH_BIG_GROUPS:-25000}" -v lessons=20 -v students=20 \
        -v audit="${EJ_BENCH_BIG_AUDIT:-1000000}" -f "$root/tests/bench/big-data.sql" >"$tmp/big.out" 2>&1 ||
        { cat "$tmp/big.out" >&2; die "the bulk data failed"; }
    big_summary="bulk data in $(($(date +%s) - big_started)) s: $(tail -n 3 "$tmp/big.out" | head -n 1 | tr -s ' ')"
    say "$big_summary"
    # That may have outlived the access token (15 minutes): a fresh one, also for the PUT script.
    old_token=$token
    token=$(login "$su_name" "$su_password")
    sed -i "s|$old_token|$token|" "$tmp/put-many.lua"
fi

if [[ $explain == 1 ]]; then
    # One request of each measured route; the plans of their statements, from the cluster's log.
    pglog=$tmp/pg/log/postgresql.log
    sleep 1
    request() { if [[ $1 == PUT* ]]; then call PUT "${1#PUT }" "$entry" >/dev/null; else call GET "${1#GET }" >/dev/null; fi; }
    for what in "GET /lessons/$lesson" "GET $week_path" "PUT /lessons/$lesson/entry"; do
        # Twice before the one shown, so that its plans are the warm ones the load runs (the
        # PL/pgSQL functions compiled, the pages cached), not a connection's first execution.
        request "$what"
        request "$what"
        sleep 0.5
        from=$(wc -c <"$pglog")
        request "$what"
        sleep 0.5
        echo "===== $what: the plans of its statements (auto_explain: EXPLAIN (ANALYZE, BUFFERS))"
        tail -c +"$((from + 1))" "$pglog" | sed -n '/LOG:  duration:/,$p'
    done
    exit 0
fi

# --- login storm: 24 logins at once ------------------------------------------------------------
read -r rss_start _ < <(bench_rss "$server_pid")
login_body=$(jq -nc --arg u "$su_name" --arg p "$su_password" '{username: $u, password: $p}')
storm_pids=()
for ((k = 0; k < 24; k++)); do
    curl -sS -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
        --data-binary "$login_body" "$api/auth/login" >"$tmp/storm.$k" &
    storm_pids+=($!)
done
wait "${storm_pids[@]}"
storm_ok=$(cat "$tmp"/storm.* | grep -c '^200$' || true)
read -r rss_storm _ < <(bench_rss "$server_pid")
say "24 parallel logins: $storm_ok answered 200; resident ${rss_start} MiB before, ${rss_storm} MiB after"

# --- measurements ------------------------------------------------------------------------------
bench_pgbench_init

results=$tmp/results # lines: round name rps p50 p99 bad
: >"$results"
conns=${EJ_BENCH_CONNECTIONS:-32}
run_pgbench() { # round mode name
    bench_pgbench_select "$2" pgb
    echo "$1 $3 $pgb_tps $pgb_p50 $pgb_p99 0" >>"$results"
}
run_wrk() { # round name url [wrk options...]
    bench_wrk "$2" 2 "$conns" "$3" "${@:4}"
    local -n rps=${2}_rps p50=${2}_p50 p99=${2}_p99 non2xx=${2}_non2xx errors=${2}_errors
    echo "$1 $2 $rps $p50 $p99 ${non2xx:-0}${errors:++socket-errors}" >>"$results"
}
for ((r = 1; r <= rounds; r++)); do
    say "round $r of $rounds: pgbench -S and -N, then wrk -t2 -c$conns -d${secs}s on healthz, readyz, GET lesson, GET week, PUT entry (32 lessons)"
    run_pgbench "$r" -S pgbench_s
    run_pgbench "$r" -N pgbench_n
    run_wrk "$r" healthz "$base/healthz"
    run_wrk "$r" readyz "$base/readyz"
    run_wrk "$r" get_lesson "$api/lessons/$lesson" -H "Authorization: Bearer $token"
    run_wrk "$r" get_week "$api$week_path" -H "Authorization: Bearer $token"
    run_wrk "$r" put_entry32 "$base" -s "$tmp/put-many.lua"
done
read -r rss_end rss_peak < <(bench_rss "$server_pid")
kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server died during the run"; }

# --- report ------------------------------------------------------------------------------------
median() { # name column -> median over rounds
    awk -v n="$1" -v c="$2" '$2 == n {print $c}' "$results" | sort -g |
        awk '{v[NR] = $1} END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio_of() { # name base -> the median over rounds of name's requests/s over base's in that round
    awk -v n="$1" -v b="$2" '$2 == n {x[$1] = $3} $2 == b {y[$1] = $3}
        END { for (k in x) if (y[k] > 0) print x[k] / y[k] }' "$results" | sort -g |
        awk '{v[NR] = $1} END { if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f", m }'
}
label() {
    case $1 in
    pgbench_s) echo "pgbench -S -c8 -j2 (tps)" ;;
    pgbench_n) echo "pgbench -N -c8 -j2 (tps)" ;;
    healthz) echo "GET /healthz" ;;
    readyz) echo "GET /readyz" ;;
    get_lesson) echo "GET /lessons/{id} (20 students)" ;;
    get_week) echo "GET /lessons?group_id&from&to (${#lessons[@]})" ;;
    put_entry32) echo "PUT /lessons/{id}/entry, 32 lessons" ;;
    esac
}
names="pgbench_s pgbench_n healthz readyz get_lesson get_week put_entry32"
echo
echo "ejournal journal benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: $bdir/ejournal (Release), EJ_THREADS=${EJ_THREADS:-default}, EJ_DB_CONNECTIONS=${EJ_DB_CONNECTIONS:-default}," \
    "EJ_LOG_LEVEL=warn; wrk -t2 -c$conns, ${secs} s each, $rounds round(s)"
echo "database: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), private cluster, Unix socket"
printf '%-5s %-38s %12s %10s %10s  %s\n' round measurement "per second" "p50 ms" "p99 ms" "non-2xx"
while read -r rr name rps p50 p99 bad; do
    printf '%-5s %-38s %12.0f %10s %10s  %s\n' "$rr" "$(label "$name")" "$rps" "$p50" "$p99" "$bad"
done <"$results"
echo
echo "medians of $rounds round(s); ratio: the median of the rounds' ratios"
printf '%-38s %12s %10s %10s  %s\n' measurement "per second" "p50 ms" "p99 ms" "ratio"
for n in $names; do
    case $n in
    readyz) rat=1 ;;
    healthz | get_lesson | get_week) rat="$(ratio_of "$n" readyz) of readyz" ;;
    put_entry32) rat="$(ratio_of "$n" pgbench_n) of pgbench -N" ;;
    *) rat= ;;
    esac
    printf '%-38s %12.0f %10s %10s  %s\n' "$(label "$n")" "$(median "$n" 3)" "$(median "$n" 4)" "$(median "$n" 5)" "$rat"
done
echo "server resident memory (MiB): ${rss_start} at start, ${rss_storm} after 24 parallel logins" \
    "($storm_ok of 24 answered 200), ${rss_end} after the load; peak ${rss_peak}"
[[ -z ${big_summary:-} ]] || echo "$big_summary (attendance rows | audit rows | lessons | database size)"
echo "entries written (each with its audit record): $(pg psql -X -At -d "$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$url")" \
    -c "SELECT count(*) FROM audit_log WHERE action LIKE 'lesson.entry%'")"
