#!/usr/bin/env bash
# The fuzz targets (tests/fuzz/fuzz_*.c): built by CMake with clang and libFuzzer under
# ASan+UBSan (-DEJ_FUZZ=ON, in build-fuzz/), each run for a bounded time over its committed seed
# corpus (tests/fuzz/corpus/<name>/, read only) and a scratch corpus in the build folder (new
# inputs land there; copy one into the seed corpus when it is worth keeping). A crash, a leak, a
# sanitizer report or a broken invariant (abort) fails the run; the crashing input is saved in
# build-fuzz/crashes/ and its path printed. Run by scripts/test.sh (stage fuzz).
#
#   bash tests/fuzz/run.sh                 every target, EJ_FUZZ_SECONDS (default 4) each
#   bash tests/fuzz/run.sh fuzz_date ...   only these
#   EJ_FUZZ_SECONDS=300 bash tests/fuzz/run.sh fuzz_query   a longer run by hand
#
# EJ_FUZZ_BUILD_DIR chooses the build folder (default build-fuzz).
set -uo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/../.." || exit 1

out=${EJ_FUZZ_BUILD_DIR:-build-fuzz}
secs=${EJ_FUZZ_SECONDS:-4}
say() { echo "fuzz: $*" >&2; }

command -v clang >/dev/null || { say "clang is missing (scripts/setup.sh installs it)"; exit 1; }
cmake -S . -B "$out" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEJ_FUZZ=ON \
    >/dev/null || exit 1
cmake --build "$out" --target fuzz -j "$(nproc)" >"$out/build.log" 2>&1 ||
    { cat "$out/build.log" >&2; say "build failed"; exit 1; }

if (($# > 0)); then targets=("$@"); else
    mapfile -t targets < <(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' -printf '%f\n' | sed 's/\.c$//' | sort)
fi
status=0
mkdir -p "$out/crashes"
for t in "${targets[@]}"; do
    seeds=tests/fuzz/corpus/${t#fuzz_}
    scratch=$out/corpus/${t#fuzz_}
    mkdir -p "$scratch"
    [[ -d $seeds ]] || { say "$t: no seed corpus $seeds"; status=1; continue; }
    log=$out/$t.log
    # -rss_limit_mb bounds a runaway allocation; -timeout a single slow input (a hang is a bug).
    ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$out/$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" "$scratch" "$seeds" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    if ((rc != 0)); then
        tail -n 40 "$log" >&2
        say "$t FAILED (exit $rc; log $log; input in $out/crashes/)"
        status=1
    else
        say "$t ok: ${runs:-?} inputs in $secs s"
    fi
done
exit "$status"
