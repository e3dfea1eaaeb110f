# shellcheck shell=bash disable=SC2034 # it sets variables for the scripts that source it
# What the benchmark scripts share: sourced (after `set -euo pipefail`) by foundation.sh, journal.sh,
# login.sh, changes.sh and oversight.sh. Not a script of its own.
#
# On sourcing: cd to the repository root, and set
#   root   the repository root
#   secs   EJ_BENCH_SECONDS (default 10): the duration of each measurement
#   PGBIN  PostgreSQL's binaries (default /usr/lib/postgresql/15/bin)
#   bench_pids        pids the cleanup stops first (e.g. a wrk run in the background); empty
#   bench_ms_decimals decimals of the latencies bench_ms and bench_wrk give (default 3)
#
# Functions, in the order a script calls them:
#   say MSG / die MSG         a "bench: " line on stderr (die then exits 1)
#   bench_require TOOL...     dies unless each tool is on PATH; "pgbench" means $PGBIN/pgbench
#   bench_build DIR [TYPE]    builds the target ejournal in EJ_BENCH_BUILD_DIR (default DIR), with
#                             CMAKE_BUILD_TYPE=TYPE when given (else CMake's default); retries a
#                             failed build 5 times, 15 s apart (others may be editing the tree).
#                             Sets bdir (the build folder, as given) and bin (the binary).
#   bench_start_cluster NAME  makes the temporary folder /tmp/ejournal-bench-NAME.XXXXXX, installs
#                             the cleanup trap (see below) and starts a private PostgreSQL in
#                             $tmp/pg (scripts/pg.sh). Sets tmp, url (libpq connection string of
#                             the database "ejournal"), pghost, pgport.
#   pg TOOL ARGS...           runs $PGBIN/TOOL as postgres against that cluster (psql, pgbench)
#   bench_start_server [SU]   exports EJ_DATABASE_URL, a random EJ_JWT_SECRET, EJ_LISTEN (a free
#                             loopback port), EJ_LOG_LEVEL=warn (and EJ_OPENAPI_FILE, a placeholder,
#                             when openapi.yaml is missing); migrates; with SU, creates the
#                             superuser SU with a random password; serves in the background and
#                             waits for /healthz and then /readyz. Sets port, base
#                             (http://127.0.0.1:port), api ($base/api/v1), server_pid, and with SU
#                             su_name and su_password.
#   bench_serve BIN           (re)starts the server with binary BIN on the same port and database
#                             (stops the running one first) and waits for /healthz, then /readyz;
#                             bench_start_server ends with it. Sets server_pid.
#   bench_auto_explain        before bench_start_server: every statement of the server's
#                             connections logs its plan, EXPLAIN (ANALYZE, BUFFERS) (auto_explain)
#   call METHOD PATH [BODY]   the API ($api) with the Bearer $token (none while it is empty):
#                             prints the response body; dies on a status >= 300
#   login USER PASSWORD       prints an access token (POST /auth/login through call, without $token)
#   day N                     the date N days from today (UTC), YYYY-MM-DD
#   bench_group_setup         through the API, as $token: a teacher, a school year from 100 days
#                             ago to 100 ahead, a programme, a group and 20 students enrolled in it
#                             (one bulk import). Sets teacher, year, program, group, students (JSON
#                             array of ids) and entry (a PUT /lessons/{id}/entry body for them:
#                             17 present, 2 absent, 1 late)
#   bench_lesson DATE START END
#                             creates the group's lesson and records $entry on it; sets lesson_id;
#                             returns 1 when the lesson is refused (a public holiday)
#   bench_put_script FILE ID...
#                             a wrk Lua script: PUT $entry as $token, round robin over the lessons
#   bench_default_threads     prints the server's default EJ_THREADS (api/core/config.c)
#   bench_ms FIGURE           a wrk latency figure (812.00us, 1.23ms, 2.01s) in milliseconds
#   bench_percentile FILE P   the P-th percentile of a sorted file of microseconds, in ms
#   bench_pgbench_init        creates the database pgbench and fills it (pgbench -i, scale 1)
#   bench_pgbench_select [MODE] [PREFIX]
#                             pgbench MODE (default -S: select only; -N: the simple-update
#                             script) -c 8 -j 2 -T $secs, logging each transaction. Sets
#                             PREFIX_tps, PREFIX_avg (latency average, ms), PREFIX_p50, PREFIX_p99
#                             (ms, from the per-transaction log); PREFIX defaults to pgb
#   bench_rss PID             prints the process's resident set now and at its peak, in MiB
#                             ("now peak", from /proc/PID/status VmRSS and VmHWM)
#   bench_wrk_run FILE THREADS CONNECTIONS URL [WRK OPTIONS...]
#                             wrk -tTHREADS -cCONNECTIONS -d${secs}s --latency [OPTIONS] URL, its
#                             output into FILE
#   bench_wrk_parse NAME FILE sets NAME_rps, NAME_p50, NAME_p99 (ms), NAME_non2xx (count; empty
#                             when none), NAME_errors (wrk's socket errors; empty when none) and
#                             NAME_statuses (what follows "statuses " on a line of its own, which a
#                             wrk Lua script may print; empty without one)
#   bench_wrk NAME THREADS CONNECTIONS URL [WRK OPTIONS...]
#                             bench_wrk_run into $tmp/wrk-NAME.out, then bench_wrk_parse NAME
#   bench_ratio A B [FORMAT]  A / B with printf FORMAT (default %.3g), "n/a" when B is not > 0
#
# Cleanup, at exit (and on INT/TERM, which exit 130): stop the pids in bench_pids, then the server
# (TERM, and wait), then the cluster, and remove $tmp.

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit

secs=${EJ_BENCH_SECONDS:-10}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
bench_pids=()
bench_ms_decimals=3
server_pid=
tmp=

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

bench_require() {
    local tool
    for tool in "$@"; do
        if [[ $tool == pgbench ]]; then
            [[ -x $PGBIN/pgbench ]] || die "pgbench is missing ($PGBIN/pgbench; it comes with postgresql-15)"
        else
            command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool, or bash scripts/setup.sh)"
        fi
    done
}

# --- build -------------------------------------------------------------------------------------
bench_build() { # default-dir [build type]
    bdir=${EJ_BENCH_BUILD_DIR:-$1}
    local type=${2:-} attempt
    say "building $bdir/ejournal${type:+ ($type)}"
    for attempt in 1 2 3 4 5; do
        if cmake -S . -B "$bdir" ${type:+"-DCMAKE_BUILD_TYPE=$type"} >/dev/null &&
            cmake --build "$bdir" -j2 --target ejournal >/dev/null; then
            break
        fi
        ((attempt < 5)) || die "the build failed 5 times"
        say "build failed (attempt $attempt); retrying in 15 s"
        sleep 15
    done
    bin=$root/$bdir/ejournal
}

# --- cluster and server ------------------------------------------------------------------------
bench_cleanup() {
    local p
    for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n $tmp ]]; then
        bash "$root/scripts/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
        rm -rf -- "$tmp"
    fi
}

bench_start_cluster() { # name
    tmp=$(mktemp -d "/tmp/ejournal-bench-$1.XXXXXX")
    chmod 755 "$tmp" # the cluster runs as an unprivileged user, which must be able to enter it
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    say "starting a private PostgreSQL in $tmp/pg"
    url=$(bash scripts/pg.sh start "$tmp/pg")
    pghost=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$url")
    pgport=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$url")
}

pg() { "$PGBIN/$1" -h "$pghost" -p "$pgport" -U postgres "${@:2}"; }

bench_free_port() {
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

bench_start_server() { # [superuser name]
    port=$(bench_free_port) || die "no free port found"
    export EJ_DATABASE_URL=$url
    export EJ_JWT_SECRET
    EJ_JWT_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') # 64 hex digits
    export EJ_LISTEN=127.0.0.1:$port
    export EJ_LOG_LEVEL=warn
    if [[ ! -f $root/openapi.yaml ]]; then
        # serve refuses to start without its API description; the benchmarks never ask for it.
        printf 'openapi: 3.1.0\ninfo: {title: ejournal (bench placeholder), version: "0"}\npaths: {}\n' \
            >"$tmp/openapi.yaml"
        export EJ_OPENAPI_FILE=$tmp/openapi.yaml
    fi
    base=http://$EJ_LISTEN
    api=$base/api/v1

    "$bin" migrate >/dev/null
    if [[ -n ${1:-} ]]; then
        su_name=$1
        su_password="Bench-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
        printf '%s\n' "$su_password" | "$bin" create-superuser "$su_name" >/dev/null
    fi
    bench_serve "$bin"
}

bench_serve() { # binary
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    "$1" serve 2>>"$tmp/server.log" &
    server_pid=$!
    local i
    for ((i = 0; i < 100; i++)); do
        curl -fsS -o /dev/null "$base/healthz" 2>/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; die "the server ($1) exited"; }
        sleep 0.1
    done
    curl -fsS -o /dev/null "$base/readyz" || { cat "$tmp/server.log" >&2; die "the server ($1) is not ready"; }
}

bench_auto_explain() {
    local setting
    for setting in "session_preload_libraries = 'auto_explain'" "auto_explain.log_min_duration = 0" \
        "auto_explain.log_analyze = on" "auto_explain.log_buffers = on" "auto_explain.log_format = text"; do
        pg psql -X -q -d ejournal -c "ALTER DATABASE ejournal SET $setting" >/dev/null
    done
}

# --- data, through the API ---------------------------------------------------------------------
token=
call() { # METHOD PATH [BODY]
    local out status
    out=$(curl -sS -X "$1" -w '\n%{http_code}' ${token:+-H "Authorization: Bearer $token"} \
        ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$api$2")
    status=${out##*$'\n'}
    out=${out%$'\n'*}
    ((status < 300)) || die "$1 $2 answered $status: $out"
    printf '%s' "$out"
}

login() { # user password
    local token= # no Authorization header: the caller's token may have expired
    call POST /auth/login "$(jq -nc --arg u "$1" --arg p "$2" '{username: $u, password: $p}')" | jq -r .access_token
}

day() { date -u -d "$1 days" +%F; }

bench_group_setup() {
    teacher=$(call POST /users '{"username": "bench.teacher", "full_name": "Bench Teacher", "roles": ["teacher"]}' | jq .id)
    year=$(call POST /school-years "$(jq -nc --arg s "$(day -100)" --arg e "$(day 100)" \
        '{name: "bench", starts_on: $s, ends_on: $e}')" | jq .id)
    program=$(call POST /programs '{"code": "BENCH", "name": "Keramika"}' | jq .id)
    group=$(call POST /groups "$(jq -nc --argjson y "$year" --argjson p "$program" --argjson t "$teacher" \
        '{program_id: $p, school_year_id: $y, name: "Bench group", teacher_ids: [$t]}')" | jq .id)
    local rows
    rows=$(jq -nc --argjson g "$group" --arg s "$(day -100)" \
        '[range(20) | {student: {full_name: "Skolēns \(. + 1)", birth_date: "2014-03-01"}, group_id: $g, starts_on: $s}]')
    students=$(call POST /imports/enrollments "{\"rows\": $rows}" | jq -c '[.enrollments[].student_id]')
    entry=$(jq -nc --argjson s "$students" '{topic: "Māla trauku veidošana ar rokām",
        attendance: [$s | to_entries[] | {student_id: .value,
            status: (if .key < 17 then "present" elif .key < 19 then "absent" else "late" end)}]}')
}

bench_lesson() { # date start end
    local body out
    body=$(jq -nc --argjson g "$group" --arg d "$1" --arg s "$2" --arg e "$3" \
        '{group_id: $g, date: $d, starts_at: $s, ends_at: $e}')
    out=$(curl -sS -X POST -w '\n%{http_code}' -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data-binary "$body" "$api/lessons")
    [[ ${out##*$'\n'} == 201 ]] || return 1
    lesson_id=$(jq .id <<<"${out%$'\n'*}")
    call PUT "/lessons/$lesson_id/entry" "$entry" >/dev/null
}

# The body goes in as a JSON string literal, which is a valid Lua string literal too.
bench_put_script() { # file lesson-id...
    local file=$1
    shift
    cat >"$file" <<EOF
wrk.method = "PUT"
wrk.body = $(printf '%s' "$entry" | jq -Rs .)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local ids = { $(IFS=,; echo "$*") }
local i = math.random(#ids)
request = function()
    i = i % #ids + 1
    return wrk.format(nil, "/api/v1/lessons/" .. ids[i] .. "/entry")
end
EOF
}

# The server's default (api/core/config.c): 8 per core, at least 16, at most 64.
bench_default_threads() {
    local cores
    cores=$(nproc)
    echo $((cores * 8 < 16 ? 16 : (cores * 8 > 64 ? 64 : cores * 8)))
}

# --- measurements ------------------------------------------------------------------------------
bench_ms() { # wrk latency figure -> ms
    awk -v v="$1" -v d="$bench_ms_decimals" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%." d "f", n }'
}

bench_percentile() { # sorted file of microseconds, percentile -> ms
    local n
    n=$(wc -l <"$1")
    awk -v n="$n" -v p="$2" 'BEGIN { k = int(n * p / 100 + 0.999999); if (k < 1) k = 1 }
        NR == k { printf "%.3f", $1 / 1000; exit }' "$1"
}

bench_pgbench_init() {
    say "pgbench -i (scale 1) into database pgbench"
    pg psql -X -q -d postgres -c 'CREATE DATABASE pgbench' >/dev/null
    pg pgbench -i -q pgbench >/dev/null 2>&1
}

# tps and the latency average from pgbench's summary; p50/p99 from its per-transaction log (3rd
# field: latency in us).
bench_pgbench_select() { # [mode] [prefix]
    local mode=${1:--S} pre=${2:-pgb}
    rm -f "$tmp"/pgb.*
    pg pgbench "$mode" -c 8 -j 2 -T "$secs" -l --log-prefix="$tmp/pgb" pgbench >"$tmp/pgbench.out" 2>&1
    printf -v "${pre}_tps" '%s' "$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench.out" | tail -n 1)"
    printf -v "${pre}_avg" '%s' "$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$tmp/pgbench.out")"
    cat "$tmp"/pgb.* | awk '{print $3}' | sort -n >"$tmp/pgb.sorted"
    printf -v "${pre}_p50" '%s' "$(bench_percentile "$tmp/pgb.sorted" 50)"
    printf -v "${pre}_p99" '%s' "$(bench_percentile "$tmp/pgb.sorted" 99)"
}

bench_rss() { # pid -> "now peak" in MiB
    awk '$1 == "VmRSS:" {now = $2} $1 == "VmHWM:" {peak = $2}
        END { printf "%.1f %.1f\n", now / 1024, peak / 1024 }' "/proc/$1/status"
}

bench_wrk_run() { # file threads connections url [wrk options...]
    wrk -t"$2" -c"$3" -d"${secs}s" --latency "${@:5}" "$4" >"$1" 2>&1
}

bench_wrk_parse() { # name file
    local out=$2
    printf -v "${1}_rps" '%s' "$(awk '/^Requests\/sec:/ {print $2}' "$out")"
    printf -v "${1}_p50" '%s' "$(bench_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
    printf -v "${1}_p99" '%s' "$(bench_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
    printf -v "${1}_non2xx" '%s' "$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
    printf -v "${1}_errors" '%s' "$(sed -n 's/^ *Socket errors: //p' "$out")"
    printf -v "${1}_statuses" '%s' "$(sed -n 's/^statuses //p' "$out")"
}

bench_wrk() { # name threads connections url [wrk options...]
    bench_wrk_run "$tmp/wrk-$1.out" "${@:2}"
    bench_wrk_parse "$1" "$tmp/wrk-$1.out"
}

bench_ratio() { # a b [printf format]
    awk -v a="$1" -v b="$2" -v f="${3:-%.3g}" 'BEGIN { if (b > 0) printf f, a / b; else print "n/a" }'
}
