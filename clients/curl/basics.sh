#!/usr/bin/env bash
# Using the API with curl: signing in, the caller, users, If-Match, passwords, refresh, logout and
# the operations routes, as README.md ("Using the API with curl") shows them. Everything after
# the "walkthrough" line below is the README's text, line for line (tests/api/cookbook.test.mjs
# holds them equal and runs this script against a live server).
#
#   API=http://127.0.0.1:8080/api/v1 ADMIN_PASSWORD=... bash clients/curl/basics.sh
#
# Needs curl and jq. Creates one teacher account (its name ends in a fresh tag).
set -euo pipefail

# ---- walkthrough ----
API=${API:-http://127.0.0.1:8080/api/v1}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-PASSWORD-FROM-DEMO}   # the password demo.sh printed
# `expect 200` checks the status of the curl just before it (curl writes it to $W/status).
W=$(mktemp -d)
curl() { command curl -s -w '%{stderr}%{http_code}\n' "$@" 2>>"$W/status"; }
expect() {
  local got; got=$(tail -n 1 "$W/status")
  [[ $got == "$1" ]] || { echo "expected $1, got $got: $(cat "$W/out.json" 2>/dev/null)" >&2; exit 1; }
}
TAG=$(date +%s)$RANDOM

# Log in. Access tokens live 15 minutes; the refresh token 30 days.
curl $API/auth/login -H 'Content-Type: application/json' \
     -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" > $W/login.json
expect 200
TOKEN=$(jq -r .access_token $W/login.json)

# Who am I: {id, username, full_name, roles, must_change_password, student_id, children, teaches, ...}
curl $API/me -H "Authorization: Bearer $TOKEN" > $W/out.json
expect 200
jq -c '{username, roles}' $W/out.json

# Create a user (superuser only). 201, a Location header, an ETag, and a one-time
# initial_password to hand over; the user must change it at first login. Idempotency-Key makes
# a retry safe: the same key and the same body (byte for byte) return the first response
# (without initial_password) and create nothing again.
BODY="{\"username\":\"a.liepa.$TAG\",\"full_name\":\"Anna Liepa\",\"roles\":[\"teacher\"]}"
curl $API/users -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
     -H "Idempotency-Key: create-liepa-$TAG" -d "$BODY" > $W/user.json
expect 201
curl $API/users -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
     -H "Idempotency-Key: create-liepa-$TAG" -d "$BODY" > $W/out.json
expect 201
jq -c '{id, initial_password}' $W/out.json                       # the same id, no password
ID=$(jq .id $W/user.json)

# List users: {"items": [...], "next": cursor-or-null}; filters role, q (name or username),
# access (active, pending, ended, revoked); limit (default 50, at most 500) and after=<next>.
# A parameter the list does not take is 400 unknown_parameter, never silently ignored.
curl "$API/users?role=teacher&limit=20" -H "Authorization: Bearer $TOKEN" > $W/out.json
expect 200
jq -r '.items[].username' $W/out.json
curl "$API/users?rol=teacher" -H "Authorization: Bearer $TOKEN" > $W/out.json
expect 400

# Change a user without overwriting someone else's change: send the ETag you read, with its
# quotes, as If-Match. A stale one gets 412 precondition_failed.
curl -D $W/headers $API/users/$ID -H "Authorization: Bearer $TOKEN" > $W/out.json
expect 200
ETAG=$(sed -n 's/^etag: *//Ip' $W/headers | tr -d '\r')
curl -X PATCH $API/users/$ID -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
     -H "If-Match: $ETAG" -d '{"phone":"+371 20000000"}' > $W/out.json
expect 200
curl -X PATCH $API/users/$ID -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
     -H "If-Match: $ETAG" -d '{"phone":"+371 20000001"}' > $W/out.json
expect 412

# The new user signs in with the one-time password and changes it. The answer is a fresh token
# pair; every other login of theirs ends.
curl $API/auth/login -H 'Content-Type: application/json' -d "{\"username\":\"a.liepa.$TAG\",
     \"password\":\"$(jq -r .initial_password $W/user.json)\"}" > $W/login.json
expect 200
curl $API/auth/password -H "Authorization: Bearer $(jq -r .access_token $W/login.json)" \
     -H 'Content-Type: application/json' -d "{\"current_password\":
     \"$(jq -r .initial_password $W/user.json)\",\"new_password\":\"a long passphrase $TAG\"}" \
     > $W/login.json
expect 200
TOKEN2=$(jq -r .access_token $W/login.json); REFRESH=$(jq -r .refresh_token $W/login.json)

# Refresh: a new pair. The old refresh token is spent (presenting it again ends that whole
# login: refresh_token_reused), so keep the new one each time.
curl $API/auth/refresh -H 'Content-Type: application/json' \
     -d "{\"refresh_token\":\"$REFRESH\"}" > $W/login.json
expect 200
TOKEN2=$(jq -r .access_token $W/login.json); REFRESH=$(jq -r .refresh_token $W/login.json)
curl $API/auth/refresh -H 'Content-Type: application/json' \
     -d "{\"refresh_token\":\"$REFRESH\"}" > $W/login.json
expect 200
TOKEN2=$(jq -r .access_token $W/login.json); REFRESH=$(jq -r .refresh_token $W/login.json)

# Log out: 204. This login ends at once (its access token too); {"everywhere":true} ends them all.
curl -X POST $API/auth/logout -H "Authorization: Bearer $TOKEN2" > $W/out.json
expect 204
curl $API/me -H "Authorization: Bearer $TOKEN2" > $W/out.json
expect 401

# Operations (no token): alive, database reachable, Prometheus metrics, the API description.
curl ${API%/api/v1}/healthz > $W/out.json                        # {"status":"ok"}
expect 200
curl ${API%/api/v1}/readyz > $W/out.json                         # or 503 database_unavailable
expect 200
curl ${API%/api/v1}/metrics | grep -c ejournal_http_requests_total
expect 200
curl $API/openapi.yaml | sed -n 1,3p
expect 200
rm -r "$W"
echo "basics walkthrough: done"
