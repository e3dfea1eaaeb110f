#!/usr/bin/env bash
# Run every test: install what is missing, build (normal and ASan+UBSan), C unit tests, the fuzz
# targets (stage fuzz), the static checks (includes, banned, cppcheck, release, format, handlers),
# the black-box API tests against the sanitizer build over a throwaway PostgreSQL, a concurrent
# subset against a ThreadSanitizer build (stage tsan), the same through nginx (stage nginx:
# deploy/nginx/ and tests/deploy/), the web client in a headless chromium (stage web), the
# responses against openapi.yaml, and the OpenAPI lint. Every stage's time is in the summary line.
#
#   bash scripts/test.sh                      everything
#   bash scripts/test.sh tests/api/x.test.mjs only these API test files (still builds and runs ctest;
#                                             files under tests/deploy/ run in the nginx stage)
#
# Environment: EJ_BUILD_DIR / EJ_ASAN_BUILD_DIR (build folders, default build and build-asan), EJ_BIN
# (server binary for the API tests, default <asan build folder>/ejournal).
# Prints one summary line at the end and exits non-zero if anything failed.
set -uo pipefail

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

started=$SECONDS
say() { echo "test.sh: $*" >&2; }
results=()
failed=0
record() { # name status(0/1) detail
    if [[ $2 -eq 0 ]]; then results+=("$1 ok${3:+ ($3)}"); else results+=("$1 FAILED${3:+ ($3)}"); failed=1; fi
}
summary() {
    local IFS=';'
    local verdict=PASS
    ((failed == 0)) || verdict=FAIL
    local line="${results[*]}"
    echo "test.sh: $verdict in $((SECONDS - started)) s: ${line//;/, }"
}

bdir=${EJ_BUILD_DIR:-build}
adir=${EJ_ASAN_BUILD_DIR:-build-asan}

# --- install and build -------------------------------------------------------------------------
if ! bash scripts/setup.sh --asan; then
    record setup 1 "install or build failed"
    summary
    exit 1
fi
record build 0
# Everything below runs the pinned Node.js (scripts/node.sh), never whatever node is installed.
nodebin=$(bash scripts/node.sh) || { record node 1 "no pinned Node.js"; summary; exit 1; }
export PATH=$nodebin:$PATH

# --- C unit tests ------------------------------------------------------------------------------
say "C unit tests ($bdir/)"
ctest --test-dir "$bdir" --output-on-failure
record "unit" $?
say "C unit tests under ASan+UBSan ($adir/)"
ASAN_OPTIONS=abort_on_error=1:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$adir" --output-on-failure
record "unit-asan" $?

# --- fuzz targets (tests/fuzz/): libFuzzer under ASan+UBSan, a few seconds each ---------------------
# clang with -DEJ_FUZZ=ON in build-fuzz/ (tests/fuzz/run.sh); EJ_FUZZ_SECONDS per target (default
# 4: five targets, about 20 s of fuzzing plus the build).
say "fuzz targets (tests/fuzz/run.sh)"
fuzz_started=$SECONDS
bash tests/fuzz/run.sh
record fuzz $? "$(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' | wc -l) targets, $((SECONDS - fuzz_started)) s"

# --- the include graph (tests/include-graph.mjs): no cycles, http/ includes only core/ -------------
say "include graph (tests/include-graph.mjs)"
inc_started=$SECONDS
node tests/include-graph.mjs
record includes $? "$((SECONDS - inc_started)) s"

# --- banned functions (tests/banned-functions.mjs: the list and why) ------------------------------
say "banned functions (tests/banned-functions.mjs)"
ban_started=$SECONDS
node tests/banned-functions.mjs
record banned $? "$((SECONDS - ban_started)) s"

# --- cppcheck over api/ (clean today: keep it so) ------------------------------------------------
# warning, portability and performance checks; Jansson's header is read for its foreach macros.
# No suppressions (the transitional _Generic macros that cppcheck 2.10 could not parse went with
# issue 14). At most 10 minutes.
say "cppcheck (api/)"
cpp_started=$SECONDS
timeout --kill-after=10 600 cppcheck --quiet --error-exitcode=1 -j "$(nproc)" --std=c11 \
    --enable=warning,portability,performance --inline-suppr -I api --include=/usr/include/jansson.h \
    api
record cppcheck $? "$((SECONDS - cpp_started)) s"

# --- release build: no build path in the binary --------------------------------------------------
# The Dockerfile's build (CMAKE_BUILD_TYPE=Release) in build-release/: `strings` of the binary
# must not contain this checkout's absolute path (CMakeLists.txt: -ffile-prefix-map, no
# EJ_SOURCE_DIR default in Release).
say "release build (build-release/): no build path in the binary"
rel_started=$SECONDS
rel_status=0
if cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DEJ_WERROR=ON >/dev/null &&
    cmake --build build-release --target ejournal -j "$(nproc)" >/dev/null; then
    if strings -a build-release/ejournal | grep -F -- "$root"; then
        say "build-release/ejournal contains the build path $root (above)"
        rel_status=1
    fi
else
    rel_status=1
fi
record release $rel_status "$((SECONDS - rel_started)) s"

# --- format (.clang-format; scripts/format.sh says which folders are checked yet) ------------------
say "format (scripts/format.sh)"
fmt_started=$SECONDS
bash scripts/format.sh
record format $? "$((SECONDS - fmt_started)) s"

# --- handler names equal their operationIds (tests/handler-names.mjs) -----------------------------
say "handler names (tests/handler-names.mjs)"
hn_started=$SECONDS
node tests/handler-names.mjs
record handlers $? "$((SECONDS - hn_started)) s"

# --- API tests ---------------------------------------------------------------------------------
tmp=$(mktemp -d /tmp/ejournal-test.XXXXXX)
# The cluster runs as an unprivileged user, which must be able to enter this folder.
chmod 755 "$tmp"
cleanup() {
    bash "$root/scripts/pg.sh" stop "$tmp/pg" >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a throwaway PostgreSQL in $tmp/pg"
if url=$(EJ_PG_FAST=1 bash scripts/pg.sh start "$tmp/pg"); then
    pghost=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$url")
    pgport=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$url")
    export EJ_TEST_PGHOST=$pghost EJ_TEST_PGPORT=$pgport
    export EJ_BIN=${EJ_BIN:-$adir/ejournal}
    # LeakSanitizer stays on: the server must exit 0 after SIGTERM, so a leak at exit fails the test
    # that stops it (its report is in the server's stderr, which the harness shows). If CivetWeb or
    # libpq ever make this noisy, add detect_leaks=0 here and say why.
    export ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    # The harness records every response the tests get from their servers here (one file per test
    # process); the response validation below checks them against openapi.yaml.
    export EJ_TEST_RESPONSES_DIR=$tmp/responses
    mkdir -p "$EJ_TEST_RESPONSES_DIR"
    if (($# > 0)); then
        mapfile -t files < <(printf '%s\n' "$@" | grep -v '^tests/deploy/\|^tests/web/\|^tests/tsan/') # stages nginx, web, tsan
    else
        mapfile -t files < <(find tests/api -maxdepth 1 -name '*.test.mjs' | sort)
    fi
    pass=0 fail=0 api_status=0
    for f in "${files[@]}"; do
        say "node --test $f"
        tap=$tmp/$(basename -- "$f").tap
        # A hung server must not hang CI: each file gets at most 20 minutes.
        timeout --kill-after=30 1200 node --test --test-concurrency=1 \
            --test-reporter=spec --test-reporter-destination=stdout \
            --test-reporter=tap --test-reporter-destination="$tap" "$f"
        rc=$?
        p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
        n=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
        c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
        n=$((${n:-0} + ${c:-0})) # tests cancelled because a hook failed count as failed
        pass=$((pass + ${p:-0}))
        fail=$((fail + n))
        if ((rc != 0)); then
            api_status=1
            # A file that crashed before reporting still counts as a failure.
            ((n > 0)) || fail=$((fail + 1))
        fi
    done
    record api $api_status "${#files[@]} files, $pass passed, $fail failed"
else
    record api 1 "PostgreSQL did not start"
fi

# --- ThreadSanitizer (build-tsan/) -------------------------------------------------------------
# The server built with -fsanitize=thread under tests/tsan/concurrency.test.mjs (a bounded
# concurrent load over the pool, the hash slots, the throttle, the metrics, racing If-Match
# writes and refreshes) and tests/api/changes.test.mjs (concurrent writers on the change feed).
# halt_on_error stops the server at the first report, which fails the test; LeakSanitizer is the
# ASan stage's. Skipped with file arguments unless a tests/tsan/ file is named. At most 5 minutes
# per file (about 30 s each on a quiet 2-core machine).
tsan_files=()
if (($# == 0)); then
    tsan_files=(tests/tsan/concurrency.test.mjs tests/api/changes.test.mjs)
else
    for f in "$@"; do [[ $f == tests/tsan/* ]] && tsan_files+=("$f"); done
fi
if ((${#tsan_files[@]} > 0)) && [[ -n ${pghost:-} ]]; then
    tsan_started=$SECONDS
    say "ThreadSanitizer: building build-tsan/ejournal"
    tsan_status=0 tsan_pass=0 tsan_fail=0
    if cmake -S . -B build-tsan -DEJ_WERROR=ON -DEJ_TSAN=ON >/dev/null &&
        cmake --build build-tsan --target ejournal -j "$(nproc)" >/dev/null; then
        for f in "${tsan_files[@]}"; do
            say "node --test $f (ThreadSanitizer)"
            tap=$tmp/tsan-$(basename -- "$f").tap
            env -u EJ_TEST_RESPONSES_DIR EJ_BIN=build-tsan/ejournal \
                TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4" \
                timeout --kill-after=30 300 node --test --test-concurrency=1 \
                --test-reporter=spec --test-reporter-destination=stdout \
                --test-reporter=tap --test-reporter-destination="$tap" "$f"
            rc=$?
            p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
            n=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
            tsan_pass=$((tsan_pass + ${p:-0}))
            tsan_fail=$((tsan_fail + ${n:-0}))
            if ((rc != 0)); then
                tsan_status=1
                ((${n:-0} > 0)) || tsan_fail=$((tsan_fail + 1))
            fi
        done
    else
        tsan_status=1 tsan_fail=1
    fi
    record tsan $tsan_status "${#tsan_files[@]} files, $tsan_pass passed, $tsan_fail failed, $((SECONDS - tsan_started)) s"
fi

# --- nginx in front of the server (deploy/) ------------------------------------------------------
# Debian's nginx with deploy/nginx/ejournal.conf.in rendered for loopback and a throwaway CA, one per
# stack (tests/deploy/lib/nginx.mjs), in folders under $tmp/nginx: a subset of the API tests through
# it (EJ_TEST_VIA_NGINX=1, fetch trusts the CA through NODE_EXTRA_CA_CERTS), then tests/deploy/.
# With file arguments, only the tests/deploy/ files named run here. Each file may take 5 minutes.
if [[ -n ${pghost:-} ]]; then
    nginx_started=$SECONDS
    via=() deploy_files=()
    if (($# > 0)); then
        for f in "$@"; do [[ $f == tests/deploy/* ]] && deploy_files+=("$f"); done
    else
        via=(tests/api/identity.test.mjs tests/api/journal.test.mjs)
        mapfile -t deploy_files < <(find tests/deploy -maxdepth 1 -name '*.test.mjs' | sort)
    fi
    if ((${#via[@]} + ${#deploy_files[@]} > 0)); then
        mkdir -p "$tmp/nginx" && chmod 755 "$tmp/nginx"
        ngx_status=0 ngx_pass=0 ngx_fail=0
        if ! bash tests/deploy/make-cert.sh "$tmp/nginx/tls"; then
            ngx_status=1 ngx_fail=1
        fi
        # The production rendering (listen 443/80, the real defaults) must at least parse.
        if ((ngx_status == 0)); then
            mkdir -p "$tmp/nginx/check"
            bash deploy/nginx/render.sh SERVER_NAME=journal.example.lv CERT="$tmp/nginx/tls/cert.pem" \
                KEY="$tmp/nginx/tls/key.pem" >"$tmp/nginx/check/ejournal.conf" &&
                printf '%s\n' "pid $tmp/nginx/check/nginx.pid; error_log stderr; events {}" \
                    "http { include $tmp/nginx/check/ejournal.conf; }" >"$tmp/nginx/check/nginx.conf" &&
                nginx -q -t -p "$tmp/nginx/check" -c "$tmp/nginx/check/nginx.conf" -e stderr ||
                { say "nginx -t of the production rendering failed"; ngx_status=1 ngx_fail=1; }
        fi
        run_nginx_file() { # file [env arguments: VAR=value, -u VAR ...]
            local f=$1 tap rc p n c
            shift
            say "node --test $f (through nginx)"
            tap=$tmp/nginx/$(basename -- "$f").tap
            env "$@" NODE_EXTRA_CA_CERTS="$tmp/nginx/tls/ca.pem" EJ_TEST_NGINX_CERT_DIR="$tmp/nginx/tls" \
                EJ_TEST_NGINX_DIR="$tmp/nginx" timeout --kill-after=30 300 node --test --test-concurrency=1 \
                --test-reporter=spec --test-reporter-destination=stdout \
                --test-reporter=tap --test-reporter-destination="$tap" "$f"
            rc=$?
            p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
            n=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
            c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1)
            n=$((${n:-0} + ${c:-0}))
            ngx_pass=$((ngx_pass + ${p:-0}))
            ngx_fail=$((ngx_fail + n))
            if ((rc != 0)); then
                ngx_status=1
                ((n > 0)) || ngx_fail=$((ngx_fail + 1))
            fi
        }
        if ((ngx_status == 0)); then
            for f in "${via[@]}"; do run_nginx_file "$f" EJ_TEST_VIA_NGINX=1; done
            # The API's answers through nginx are recorded for the response validation below (they
            # must match openapi.yaml as well); tests/deploy/ checks nginx's own (a redirect, ...).
            for f in "${deploy_files[@]}"; do run_nginx_file "$f" -u EJ_TEST_RESPONSES_DIR; done
        fi
        # An nginx a crashed test left behind: ended by its own pid file, nothing else.
        for pidfile in "$tmp"/nginx/*/nginx.pid; do
            [[ -s $pidfile ]] || continue
            pid=$(<"$pidfile")
            say "stopping nginx $pid left running by a test ($pidfile)"
            kill -TERM "$pid" 2>/dev/null || true
        done
        secs=$((SECONDS - nginx_started))
        say "stage nginx took $secs s"
        record nginx $ngx_status "$((${#via[@]} + ${#deploy_files[@]})) files, $ngx_pass passed, $ngx_fail failed, $secs s"
    fi
else
    record nginx 1 "PostgreSQL did not start"
fi

# --- web client in a browser (issue 12) ------------------------------------------------------
# Debian's chromium (scripts/setup.sh) driven by playwright-core, against the sanitizer build over
# the same PostgreSQL. The pinned packages of clients/web/package.json are installed with npm ci
# into build-web/ (not into clients/web/, which the server serves). Skipped when only named API
# test files were asked for (`bash scripts/test.sh tests/web/browser.test.mjs` runs it alone). Each
# file at most 5 minutes (browser.test.mjs about 3 to 4 on a busy 2-core machine, desk.test.mjs and
# oversight.test.mjs under 2).
web_files=()
if (($# == 0)); then
    web_files=(tests/web/*.test.mjs)
else
    for f in "$@"; do [[ $f == tests/web/* ]] && web_files+=("$f"); done
fi
if ((${#web_files[@]} > 0)); then
    web_started=$SECONDS
    say "web client: stamps, npm ci (build-web/), chromium"
    web_status=0
    node tests/web/stamp.mjs --check || web_status=1
    mkdir -p build-web
    if ((web_status == 0)) && ! cmp -s clients/web/package-lock.json build-web/package-lock.json; then
        cp clients/web/package.json clients/web/package-lock.json build-web/ &&
            (cd build-web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || web_status=1
    fi
    if ((web_status == 0)) && [[ -n ${EJ_TEST_PGHOST:-} ]]; then
        p=0 n=0
        export EJ_WEB_SHOTS=${EJ_WEB_SHOTS:-${TMPDIR:-/tmp}/ejournal-web-shots-$$}
        for f in "${web_files[@]}"; do
            tap=$tmp/web-$(basename "$f").tap
            timeout --kill-after=15 300 node --test --test-concurrency=1 \
                --test-reporter=spec --test-reporter-destination=stdout \
                --test-reporter=tap --test-reporter-destination="$tap" "$f" || web_status=1
            p=$((p + $(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1 | grep . || echo 0)))
            n=$((n + $(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" 2>/dev/null | tail -n 1 | grep . || echo 0)))
        done
        record web $web_status "$p passed, $n failed, $((SECONDS - web_started)) s"
    else
        record web 1 "stamps, npm ci or PostgreSQL failed"
    fi
fi

# --- responses against openapi.yaml ------------------------------------------------------------
if [[ -d $tmp/responses ]]; then
    say "responses against openapi.yaml (tests/openapi/validate.sh)"
    out=$(bash tests/openapi/validate.sh "$tmp/responses" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    n=$(sed -n 's/^validate-responses: \([0-9]*\) checked.*/\1/p' <<<"$out" | tail -n 1)
    record responses $rc "${n:-0} checked"
fi

# --- OpenAPI lint ------------------------------------------------------------------------------
if [[ -f tests/openapi/lint.sh ]]; then
    say "OpenAPI lint"
    bash tests/openapi/lint.sh
    record openapi $?
else
    results+=("openapi skipped (no tests/openapi/lint.sh)")
fi

summary
exit "$failed"
