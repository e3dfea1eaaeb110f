#!/usr/bin/env bash
# Builds the libFuzzer drivers with clang (ASan+UBSan) and runs each for
# FUZZ_SECONDS (default 30). Not part of the test command: run it by hand.
#   bash tests/fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || apt-get install -y clang >/dev/null
out=build-fuzz
mkdir -p "$out"
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -Iapi -I/usr/include/postgresql)
common=(api/core/json.c api/core/req.c api/core/config.c api/core/log.c api/core/digest.c)
clang "${flags[@]}" tests/fuzz/fuzz_json.c "${common[@]}" -ljansson -lcrypto -o "$out/fuzz_json"
clang "${flags[@]}" tests/fuzz/fuzz_token.c api/auth/token.c api/auth/random.c "${common[@]}" \
    -ljansson -ljwt -lcrypto -o "$out/fuzz_token"
for f in fuzz_json fuzz_token; do
    mkdir -p "$out/corpus-$f"
    "$out/$f" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=65536 "$out/corpus-$f"
done
