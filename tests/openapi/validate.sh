#!/usr/bin/env bash
# Validates the responses the API tests recorded (EJ_TEST_RESPONSES_DIR, see tests/api/lib/stack.mjs)
# against ../../openapi.yaml with the Ajv pinned in package.json / package-lock.json (installed with
# npm ci when missing). Usage: validate.sh FOLDER-OR-FILE...; exits non-zero on any mismatch.
set -euo pipefail

here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
args=()
for a in "$@"; do args+=("$(cd "$(dirname -- "$a")" && pwd)/$(basename -- "$a")"); done
cd "$here"
if [[ ! -f node_modules/ajv/package.json || ! -f node_modules/ajv-formats/package.json || ! -f node_modules/yaml/package.json ]]; then
    echo "validate.sh: installing the pinned packages (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi
exec node validate-responses.mjs "${args[@]}"
