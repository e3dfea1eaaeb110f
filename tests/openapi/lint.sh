#!/usr/bin/env bash
# Lints openapi.yaml with the Redocly CLI pinned in package.json / package-lock.json, using the
# `recommended` ruleset (redocly.yaml). Installs it first (npm ci, with the pinned npm) when
# node_modules is missing.
# Exits non-zero when the description has errors.
set -euo pipefail

here=$(cd "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

# No network calls beyond the install: no telemetry, no update check.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

# The pinned Node.js and npm (scripts/node.sh): the CLI needs Node.js 20.19+ (20.x) or 22.12+, newer
# than Debian 12's; the check below says so plainly should the pinned version ever be set too low.
nodebin=$(bash "$here/../../scripts/node.sh")
export PATH=$nodebin:$PATH

if ! node -e '
  const [a, b] = process.versions.node.split(".").map(Number);
  process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) || a > 22 ? 0 : 1);'; then
    echo "lint.sh: Node.js $(node --version) is too old for @redocly/cli (needs 20.19+ or 22.12+)" >&2
    exit 1
fi

if [[ ! -x node_modules/.bin/redocly ]]; then
    echo "lint.sh: installing the pinned @redocly/cli (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error
fi

# On Node.js 20 the CLI prints a framed end-of-life notice on every run: frames are dropped, the rest
# is shown.
rc=0
out=$(node_modules/.bin/redocly lint --config redocly.yaml ../../openapi.yaml 2>&1) || rc=$?
printf '%s\n' "$out" | grep -v -F -e '╔' -e '║' -e '╚' | cat -s || true
exit "$rc"
