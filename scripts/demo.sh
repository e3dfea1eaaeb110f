#!/usr/bin/env bash
# Quick start: install what is missing, build, start a private PostgreSQL in .pgdata/, migrate,
# create the demo superuser "admin" (a fresh random password is printed once), and serve the API on
# http://127.0.0.1:8080 until Ctrl-C. Run it again at any time: every step is idempotent, except
# that the admin password is reset to a new one on each run.
#
# Environment: EJ_LISTEN (default 127.0.0.1:8080), EJ_LOG_LEVEL (default info).
# Stop the database afterwards with: bash scripts/pg.sh stop .pgdata
set -euo pipefail

root=$(cd "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

say() { echo "demo.sh: $*" >&2; }

bash scripts/setup.sh
# The demo data loader runs on the pinned Node.js (scripts/node.sh), not on whatever node is installed.
PATH=$(bash scripts/node.sh):$PATH
export PATH

state=$root/.pgdata
url=$(bash scripts/pg.sh start "$state")
export EJ_DATABASE_URL=$url
say "PostgreSQL is running: $url"

bin=$root/build/ejournal

# The JWT signing key stays the same across runs, so tokens survive a restart.
(umask 022 && mkdir -p -- "$state")
secret=$state/jwt-secret
if [[ ! -s $secret ]]; then
    (umask 077 && od -An -tx1 -N64 /dev/urandom | tr -d ' \n' >"$secret")
    chmod 600 -- "$secret"
fi
unset EJ_JWT_SECRET
export EJ_JWT_SECRET_FILE=$secret

"$bin" migrate

password=$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" | "$bin" create-superuser admin

export EJ_LISTEN=${EJ_LISTEN:-127.0.0.1:8080}
export EJ_LOG_LEVEL=${EJ_LOG_LEVEL:-info}
export EJ_WEB_DIR=${EJ_WEB_DIR:-$root/clients/web} # the web client at http://$EJ_LISTEN/

# ---- demo institution -------------------------------------------------------------------------
# The server starts in the background, the demo institution is loaded through the API (once:
# scripts/demo-data.mjs does nothing if it is there already), then this script waits for the
# server and passes Ctrl-C / SIGTERM on to it.
"$bin" serve &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' INT TERM
for _ in $(seq 1 100); do
    curl -fsS "http://$EJ_LISTEN/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { say "the server did not start"; exit 1; }
    sleep 0.1
done
node scripts/demo-data.mjs "http://$EJ_LISTEN" admin "$password" ||
    say "loading the demo institution failed (the server keeps running)"

cat >&2 <<EOF

  ejournal is running on http://$EJ_LISTEN
    journal:   http://$EJ_LISTEN/   (the web client; sign in with a demo account)
    API:       http://$EJ_LISTEN/api/v1   (description: /api/v1/openapi.yaml)
    superuser: admin
    password:  $password     (shown only now; run this script again for a new one)

  Try:  curl -s http://$EJ_LISTEN/api/v1/auth/login -H 'Content-Type: application/json' \\
          -d '{"username":"admin","password":"$password"}'
  Stop with Ctrl-C (the server finishes what it is doing); the database keeps running
  (bash scripts/pg.sh stop .pgdata).

EOF
# A trapped signal interrupts `wait`; keep waiting until the server has finished its shutdown, and
# exit with its status.
while :; do
    rc=0
    wait "$server" || rc=$?
    kill -0 "$server" 2>/dev/null || break
done
exit "$rc"
