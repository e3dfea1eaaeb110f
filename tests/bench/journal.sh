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

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

secs=${EJ_BENCH_SECONDS:-10}
rounds=${EJ_BENCH_ROUNDS:-3}
bdir=${EJ_BENCH_BUILD_DIR:-build-bench}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool)"
done
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
base=http://$EJ_LISTEN
api=$base/api/v1

"$bin" migrate >/dev/null
admin_pw=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
printf '%s\n' "$admin_pw" | "$bin" create-superuser admin >/dev/null
"$bin" serve 2>"$tmp/server.log" &
server_pid=$!
for ((i = 0; i < 100; i++)); do
    curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "$base/readyz" || { cat "$tmp/server.log" >&2; die "the server is not ready"; }

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
token=$(call POST /auth/login "$(jq -nc --arg p "$admin_pw" '{username: "admin", password: $p}')" |
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
# Milliseconds from a wrk latency figure such as 812.00us, 1.23ms or 2.01s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.3f", n }'
}
pct() { # sorted file of microseconds, percentile -> ms
    local n
    n=$(wc -l <"$1")
    awk -v n="$n" -v p="$2" 'BEGIN { k = int(n * p / 100 + 0.999999); if (k < 1) k = 1 }
        NR == k { printf "%.3f", $1 / 1000; exit }' "$1"
}

say "pgbench -i (scale 1) into database pgbench"
pg psql -X -q -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
pg pgbench -i -q pgbench >/dev/null 2>&1

results=$tmp/results # lines: round name rps p50 p99 bad
: >"$results"
run_pgbench() { # round
    rm -f "$tmp"/pgb.*
    pg pgbench -S -c 8 -j 2 -T "$secs" -l --log-prefix="$tmp/pgb" pgbench >"$tmp/pgbench.out" 2>&1
    local tps
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench.out" | tail -n 1)
    cat "$tmp"/pgb.* | awk '{print $3}' | sort -n >"$tmp/pgb.sorted"
    echo "$1 pgbench $tps $(pct "$tmp/pgb.sorted" 50) $(pct "$tmp/pgb.sorted" 99) 0" >>"$results"
}
run_wrk() { # round name url [wrk args...]
    local out=$tmp/wrk-$2.out rps p50 p99 bad
    wrk -t2 -c16 -d"${secs}s" --latency "${@:4}" "$3" >"$out" 2>&1
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
    [[ -z $(sed -n 's/^ *Socket errors: //p' "$out") ]] || bad="${bad:-0}+socket-errors"
    echo "$1 $2 $rps $p50 $p99 ${bad:-0}" >>"$results"
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
cores=$(nproc)
# The server's default (api/core/config.c): 8 per core, at least 16, at most 64.
threads=$((cores * 8 < 16 ? 16 : (cores * 8 > 64 ? 64 : cores * 8)))
median() { # name column -> median over rounds
    awk -v n="$1" -v c="$2" '$2 == n {print $c}' "$results" | sort -g |
        awk '{v[NR] = $1} END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3g", a / b; else print "n/a" }'; }
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
echo "ejournal journal benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)  $cores cores, $(uname -r)"
echo "server: $bdir/ejournal (Release), EJ_THREADS=${EJ_THREADS:-default (${threads})}, EJ_LOG_LEVEL=warn;" \
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
echo "ratios (requests/s): GET lesson/healthz $(ratio "$get" "$hz"), GET lesson/pgbench-S $(ratio "$get" "$pgb"),"
echo "  PUT entry/healthz $(ratio "$put" "$hz") (16 lessons: $(ratio "$put16" "$hz")), PUT entry/GET lesson $(ratio "$put" "$get")"
echo "entries written (each with its audit record): $(pg psql -X -At -d "$(sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$url")" \
    -c "SELECT count(*) FROM audit_log WHERE action LIKE 'lesson.entry%'")"
