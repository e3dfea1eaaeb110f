#!/usr/bin/env bash
# Journal benchmark: reading a lesson with its attendance and recording its entry (§13), next to
# the machine's ceilings, measured in one run on this machine. Not part of pass/fail: it only
# prints figures.
#
#   bash tests/bench/journal.sh
#
# Setup, through the API as the superuser: a school year around today, a group with one teacher and
# 20 students (one bulk import), a lesson ten days ago (or the nearest earlier day that is no public
# holiday) and its entry (17 present, 2 absent, 1 late). Then, for EJ_BENCH_ROUNDS rounds (default
# 3), each measurement for EJ_BENCH_SECONDS seconds (default 10):
#   1. pgbench -S -c 8 -j 2          PostgreSQL alone (select-only, scale 1, database "pgbench")
#   2. GET /healthz                  the HTTP stack alone (no database)
#   3. GET /api/v1/lessons/{id}      the lesson with its 20 attendance rows (as the superuser)
#   4. PUT /api/v1/lessons/{id}/entry  the same entry again, 20 rows (as the superuser, so the
#                                    deadline does not refuse it); every request locks the lesson,
#                                    rewrites its attendance and writes an audit record with the
#                                    lesson before and after, in one transaction
#   5. PUT .../entry over 16 lessons the same, each request to the next of 16 lessons of the group,
#                                    so that requests do not all queue on one row lock
# (2)-(5) with wrk -t2 -c16 --latency (PUT bodies and headers from a Lua script). It prints each
# round and the medians: requests/s, p50 and p99, and ratios to the ceilings.
#
# It builds the optimised, non-sanitizer binary in build-bench/ (CMAKE_BUILD_TYPE=Release), starts
# a private PostgreSQL in a temporary folder (scripts/pg.sh), migrates, serves on a free loopback
# port with EJ_LOG_LEVEL=warn, and removes everything at exit.
#
# Environment: EJ_BENCH_SECONDS, EJ_BENCH_ROUNDS, EJ_THREADS (passed to the server; default: the
# server's own), EJ_BENCH_BUILD_DIR (default build-bench). Access tokens live 15 minutes: keep
# rounds x 5 x seconds well under that.
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

rounds=${EJ_BENCH_ROUNDS:-3}

bench_require wrk curl jq pgbench
bench_build build-bench Release
bench_start_cluster journal
bench_start_server admin

# --- data, through the API ---------------------------------------------------------------------
token=
# call METHOD PATH [BODY]: prints the response body; dies on a status >= 300.
call() {
    local out status
    out=$(curl -sS -X "$1" -w '\n%{http_code}' -H "Authorization: Bearer $token" \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$api$2")
    status=${out##*$'\n'}
    out=${out%$'\n'*}
    ((status < 300)) || die "$1 $2 answered $status: $out"
    printf '%s' "$out"
}
token=$(call POST /auth/login "$(jq -nc --arg u "$su_name" --arg p "$su_password" '{username: $u, password: $p}')" |
    jq -r .access_token)
day() { date -u -d "$1 days" +%F; }
teacher=$(call POST /users '{"username": "bench.teacher", "full_name": "Bench Teacher", "roles": ["teacher"]}' | jq .id)
year=$(call POST /school-years "$(jq -nc --arg s "$(day -100)" --arg e "$(day 100)" \
    '{name: "bench", starts_on: $s, ends_on: $e}')" | jq .id)
program=$(call POST /programs '{"code": "BENCH", "name": "Keramika"}' | jq .id)
group=$(call POST /groups "$(jq -nc --argjson y "$year" --argjson p "$program" --argjson t "$teacher" \
    '{program_id: $p, school_year_id: $y, name: "Bench group", teacher_ids: [$t]}')" | jq .id)
rows=$(jq -nc --argjson g "$group" --arg s "$(day -100)" \
    '[range(20) | {student: {full_name: "Skolēns \(. + 1)", birth_date: "2014-03-01"}, group_id: $g, starts_on: $s}]')
students=$(call POST /imports/enrollments "{\"rows\": $rows}" | jq -c '[.enrollments[].student_id]')
entry=$(jq -nc --argjson s "$students" '{topic: "Māla trauku veidošana ar rokām",
    attendance: [$s | to_entries[] | {student_id: .value,
        status: (if .key < 17 then "present" elif .key < 19 then "absent" else "late" end)}]}')

# 16 lessons on 16 days before today (public holidays skipped), at 15:00; the first is the one.
lessons=()
for ((back = 10; ${#lessons[@]} < 16 && back < 60; back++)); do
    body=$(jq -nc --argjson g "$group" --arg d "$(day -$back)" \
        '{group_id: $g, date: $d, starts_at: "15:00", ends_at: "16:30"}')
    out=$(curl -sS -X POST -w '\n%{http_code}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary "$body" "$api/lessons")
    [[ ${out##*$'\n'} == 201 ]] || continue # a public holiday
    id=$(jq .id <<<"${out%$'\n'*}")
    call PUT "/lessons/$id/entry" "$entry" >/dev/null
    lessons+=("$id")
done
((${#lessons[@]} == 16)) || die "could not create 16 lessons"
lesson=${lessons[0]}
rows_shown=$(call GET "/lessons/$lesson" | jq '.attendance | length')
((rows_shown == 20)) || die "GET /lessons/$lesson shows $rows_shown attendance rows, not 20"
say "lesson $lesson of group $group: 20 students, entry recorded"

# wrk scripts: the PUT (one lesson, or round robin over 16). The body goes in as a JSON string
# literal, which is a valid Lua string literal too.
cat >"$tmp/put-one.lua" <<EOF
wrk.method = "PUT"
wrk.body = $(printf '%s' "$entry" | jq -Rs .)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.path = "/api/v1/lessons/$lesson/entry"
EOF
cat >"$tmp/put-many.lua" <<EOF
wrk.method = "PUT"
wrk.body = $(printf '%s' "$entry" | jq -Rs .)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local ids = { $(IFS=,; echo "${lessons[*]}") }
local i = math.random(#ids)
request = function()
    i = i % #ids + 1
    return wrk.format(nil, "/api/v1/lessons/" .. ids[i] .. "/entry")
end
EOF

# --- measurements ------------------------------------------------------------------------------
bench_pgbench_init

results=$tmp/results # lines: round name rps p50 p99 bad
: >"$results"
run_pgbench() { # round
    bench_pgbench_select
    echo "$1 pgbench $pgb_tps $pgb_p50 $pgb_p99 0" >>"$results"
}
run_wrk() { # round name url [wrk options...]
    bench_wrk "$2" 2 16 "$3" "${@:4}"
    local -n rps=${2}_rps p50=${2}_p50 p99=${2}_p99 non2xx=${2}_non2xx errors=${2}_errors
    echo "$1 $2 $rps $p50 $p99 ${non2xx:-0}${errors:++socket-errors}" >>"$results"
}
for ((r = 1; r <= rounds; r++)); do
    say "round $r of $rounds: pgbench -S, then wrk -t2 -c16 -d${secs}s on healthz, GET lesson, PUT entry (one lesson, 16 lessons)"
    run_pgbench "$r"
    run_wrk "$r" healthz "$base/healthz"
    run_wrk "$r" get_lesson "$api/lessons/$lesson" -H "Authorization: Bearer $token"
    run_wrk "$r" put_entry "$base" -s "$tmp/put-one.lua"
    run_wrk "$r" put_entry16 "$base" -s "$tmp/put-many.lua"
done

# --- report ------------------------------------------------------------------------------------
median() { # name column -> median over rounds
    awk -v n="$1" -v c="$2" '$2 == n {print $c}' "$results" | sort -g |
        awk '{v[NR] = $1} END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
label() {
    case $1 in
    pgbench) echo "pgbench -S -c8 -j2 (tps)" ;;
    healthz) echo "GET /healthz" ;;
    get_lesson) echo "GET /lessons/{id} (20 rows)" ;;
    put_entry) echo "PUT .../entry, one lesson" ;;
    put_entry16) echo "PUT .../entry, 16 lessons" ;;
    esac
}
names="pgbench healthz get_lesson put_entry put_entry16"
echo
echo "ejournal journal benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(uname -r)"
echo "server: $bdir/ejournal (Release), EJ_THREADS=${EJ_THREADS:-default ($(bench_default_threads))}, EJ_LOG_LEVEL=warn;" \
    "wrk -t2 -c16, ${secs} s each, $rounds round(s)"
echo "database: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'), private cluster, Unix socket"
printf '%-5s %-28s %12s %10s %10s  %s\n' round measurement "per second" "p50 ms" "p99 ms" "non-2xx"
while read -r rr name rps p50 p99 bad; do
    printf '%-5s %-28s %12.0f %10s %10s  %s\n' "$rr" "$(label "$name")" "$rps" "$p50" "$p99" "$bad"
done <"$results"
echo
echo "medians of $rounds round(s):"
printf '%-28s %12s %10s %10s\n' measurement "per second" "p50 ms" "p99 ms"
for n in $names; do
    printf '%-28s %12.0f %10s %10s\n' "$(label "$n")" "$(median "$n" 3)" "$(median "$n" 4)" "$(median "$n" 5)"
done
get=$(median get_lesson 3) put=$(median put_entry 3) put16=$(median put_entry16 3)
hz=$(median healthz 3) pgb=$(median pgbench 3)
echo "ratios (requests/s): GET lesson/healthz $(bench_ratio "$get" "$hz"), GET lesson/pgbench-S $(bench_ratio "$get" "$pgb"),"
echo "  PUT entry/healthz $(bench_ratio "$put" "$hz") (16 lessons: $(bench_ratio "$put16" "$hz")), PUT entry/GET lesson $(bench_ratio "$put" "$get")"
echo "entries written (each with its audit record): $(pg psql -X -At -d "$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$url")" \
    -c "SELECT count(*) FROM audit_log WHERE action LIKE 'lesson.entry%'")"
