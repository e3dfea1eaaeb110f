#!/usr/bin/env bash
# Change-feed benchmark (issue 11): reading GET /changes in pages of 500 with 10^6 changes stored,
# at the start, the middle and the end of the feed (it should be flat), and what the feed costs
# the writers: PUT /lessons/{id}/entry with and without it, in the same run on the same database.
# Not part of pass/fail: it only prints figures.
#
#   bash tests/bench/changes.sh
#
# Setup, through the API as the superuser: a school year around today, a group of 20 students (one
# bulk import), 16 lessons with their entries, an integration account. Then EJ_BENCH_CHANGES
# (default 1000000) synthetic changes are added in SQL behind the real ones, one per commit as most
# requests make (9 in 10 a student's representation, 1 in 10 the lesson's with its 20 attendance
# rows), and ANALYZE. Then, for EJ_BENCH_ROUNDS rounds (default 3), EJ_BENCH_SECONDS each
# (default 10):
#   1. GET /changes?after=<first>&limit=500     as the integration account (each page is also one
#   2. GET /changes?after=<middle>&limit=500     read record in the audit log), wrk -t1 -c2
#   3. GET /changes?after=<latest-500>&limit=500
#   4. PUT .../entry over 16 lessons, the server WITHOUT the feed: the binary of EJ_BENCH_BEFORE
#      (default: the merge base with main, i.e. the tree before this branch), built from `git
#      archive` in the temporary folder, serving the same database
#   5. the same with this tree's binary (the feed: one more INSERT per change, and the clock row
#      taken just before COMMIT)
# (4)-(5) with wrk -t2 -c16. It prints each round and the medians: pages (requests) per second,
# p50, p99, and the write overhead (5)/(4).
#
# Environment: EJ_BENCH_SECONDS, EJ_BENCH_ROUNDS, EJ_BENCH_CHANGES, EJ_BENCH_BEFORE (a commit),
# EJ_THREADS (passed to the servers), EJ_BENCH_BUILD_DIR (default build-bench).
set -euo pipefail

# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

rounds=${EJ_BENCH_ROUNDS:-3}
nchanges=${EJ_BENCH_CHANGES:-1000000}
before_rev=${EJ_BENCH_BEFORE:-$(git merge-base HEAD main)}

bench_require wrk curl jq git
bench_build build-bench Release
after_bin=$bin
bench_start_cluster changes

# The binary without the feed, from the commit before it.
say "building the binary of $before_rev (without the feed) in $tmp/before"
mkdir -p "$tmp/before"
git archive "$before_rev" | tar -x -C "$tmp/before"
(cd "$tmp/before" && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build build -j2 --target ejournal >/dev/null) || die "cannot build $before_rev"
before_bin=$tmp/before/build/ejournal

bench_start_server admin

# --- data, through the API ---------------------------------------------------------------------
token=$(login "$su_name" "$su_password")
bench_group_setup
lessons=()
for ((back = 10; ${#lessons[@]} < 16 && back < 60; back++)); do
    bench_lesson "$(day -$back)" 15:00 16:30 || continue # a public holiday
    lessons+=("$lesson_id")
done
((${#lessons[@]} == 16)) || die "could not create 16 lessons"

# The integration account: created, first sign-in, new password.
initial=$(call POST /users '{"username": "bench.sync", "full_name": "E-klase sync", "roles": ["integration"]}' |
    jq -r .initial_password)
sync_password="Sync-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
first=$(login bench.sync "$initial")
sync_token=$(curl -sS -X POST -H "Authorization: Bearer $first" -H 'Content-Type: application/json' \
    --data-binary "$(jq -nc --arg c "$initial" --arg n "$sync_password" '{current_password: $c, new_password: $n}')" \
    "$api/auth/password" | jq -r .access_token)
[[ $sync_token != null ]] || die "the integration account's password change failed"

# --- 10^6 changes ------------------------------------------------------------------------------
say "adding $nchanges synthetic changes (one per commit) behind the real ones"
started=$(date +%s)
pg psql -X -q -v ON_ERROR_STOP=1 -d ejournal <<SQL >/dev/null
BEGIN;
-- Transaction ids far above any real one (they are 64-bit, this database will not reach 10^12).
INSERT INTO changes (xid, n, entity, entity_id, op, data)
SELECT (1000000000000 + g)::text::xid8, 1,
       CASE WHEN g % 10 = 0 THEN 'lesson' ELSE 'student' END, g, 'upsert',
       CASE WHEN g % 10 = 0 THEN l.j ELSE s.j END
FROM generate_series(1, $nchanges) g,
     (SELECT student_json(x)::json AS j FROM students x ORDER BY id LIMIT 1) s,
     (SELECT lesson_json(x)::json AS j FROM lessons x WHERE id = ${lessons[0]}) l;
INSERT INTO change_commits (xid, first_position, last_position, committed_at)
SELECT (1000000000000 + g)::text::xid8, k.p + g, k.p + g, now() - interval '1 day' + g * interval '10 ms'
FROM generate_series(1, $nchanges) g, (SELECT position AS p FROM change_clock) k;
UPDATE change_clock SET position = position + $nchanges;
COMMIT;
ANALYZE changes;
ANALYZE change_commits;
SQL
read -r oldest latest < <(curl -sS -H "Authorization: Bearer $sync_token" "$api/changes/bounds" | jq -r '"\(.oldest) \(.latest)"')
size=$(pg psql -X -At -d ejournal -c "SELECT pg_size_pretty(pg_total_relation_size('changes') + pg_total_relation_size('change_commits'))")
say "feed: oldest $oldest, latest $latest, $size on disk, filled in $(($(date +%s) - started)) s"
middle=$(((oldest + latest) / 2))
last_page=$((latest - 500))
n=$(curl -sS -H "Authorization: Bearer $sync_token" "$api/changes?after=$last_page&limit=500" | jq '.items | length')
((n == 500)) || die "the last page has $n changes, not 500"

bench_put_script "$tmp/put-many.lua" "${lessons[@]}"

# --- measurements ------------------------------------------------------------------------------
results=$tmp/results # lines: round name rps p50 p99 bad
: >"$results"
run_wrk() { # round name threads connections url [wrk options...]
    bench_wrk "$2" "$3" "$4" "$5" "${@:6}"
    local -n rps=${2}_rps p50=${2}_p50 p99=${2}_p99 non2xx=${2}_non2xx errors=${2}_errors
    echo "$1 $2 $rps $p50 $p99 ${non2xx:-0}${errors:++socket-errors}" >>"$results"
}
auth=(-H "Authorization: Bearer $sync_token")
for ((r = 1; r <= rounds; r++)); do
    say "round $r of $rounds: pages of 500 at the start, middle and end; PUT entry without and with the feed"
    bench_serve "$after_bin"
    run_wrk "$r" page_start 1 2 "$api/changes?after=$oldest&limit=500" "${auth[@]}"
    run_wrk "$r" page_middle 1 2 "$api/changes?after=$middle&limit=500" "${auth[@]}"
    run_wrk "$r" page_end 1 2 "$api/changes?after=$last_page&limit=500" "${auth[@]}"
    bench_serve "$before_bin"
    run_wrk "$r" put_without 2 16 "$base" -s "$tmp/put-many.lua"
    bench_serve "$after_bin"
    run_wrk "$r" put_with 2 16 "$base" -s "$tmp/put-many.lua"
done
fed=$(pg psql -X -At -d ejournal -c "SELECT count(*) FROM changes WHERE entity = 'lesson' AND xid < '1000000000000'::xid8")
say "real lesson changes in the feed after the runs: $fed (the runs with the feed wrote them)"

# --- report ------------------------------------------------------------------------------------
median() { # name column -> median over rounds
    awk -v n="$1" -v c="$2" '$2 == n {print $c}' "$results" | sort -g |
        awk '{v[NR] = $1} END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
echo "rounds (round name per-second p50-ms p99-ms non-2xx):"
cat "$results"
echo
printf '%-44s %12s %10s %10s\n' "median of $rounds rounds, ${secs} s each" "per second" "p50 ms" "p99 ms"
for n in page_start page_middle page_end put_without put_with; do
    case $n in
    page_start) l="GET /changes, 500 from the oldest" ;;
    page_middle) l="GET /changes, 500 from the middle" ;;
    page_end) l="GET /changes, the last 500" ;;
    put_without) l="PUT entry x16 lessons, without the feed" ;;
    put_with) l="PUT entry x16 lessons, with the feed" ;;
    esac
    printf '%-44s %12s %10s %10s\n' "$l" "$(median $n 3)" "$(median $n 4)" "$(median $n 5)"
done
echo "write overhead of the feed: throughput with/without $(bench_ratio "$(median put_with 3)" "$(median put_without 3)"), p50 with/without $(bench_ratio "$(median put_with 4)" "$(median put_without 4)")"
echo "feed: $latest changes ($size); pages at end/start $(bench_ratio "$(median page_end 3)" "$(median page_start 3)")"
