#!/usr/bin/env bash
# Oversight with curl: the audit trail, a student's access log, a quality review and the
# entry-quality report, a proposal and its decision, as README.md ("Oversight with curl") shows
# them. Everything after the "walkthrough" line below is the README's text, line for line
# (tests/api/cookbook.test.mjs holds them equal and runs this script against a live server).
#
#   API=http://127.0.0.1:8080/api/v1 ADMIN_PASSWORD=... bash clients/curl/oversight.sh
#
# Needs curl, jq and GNU date. Creates its own school year, student, review and proposal (names
# end in a fresh tag, so it can run again on the same server); changes nothing else.
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
TODAY=$(TZ=Europe/Riga date +%F)
day() { date -d "$TODAY $1 days" +%F; }
TAG=$(date +%s)$RANDOM

curl $API/auth/login -H 'Content-Type: application/json' \
     -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" > $W/out.json
expect 200
ADMIN=$(jq -r .access_token $W/out.json)
H=(-H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json')

# The audit trail (§19, superuser and director), newest first: who did what, with before and
# after. Filters actor_id, entity + entity_id, action, from/to (days in Riga); next pages by cursor.
curl $API/students "${H[@]}" -d "{\"full_name\":\"Anna Bērziņa $TAG\"}" > $W/out.json
expect 201
STUDENT=$(jq .id $W/out.json)
curl "$API/audit?entity=student&entity_id=$STUDENT" "${H[@]}" > $W/out.json
expect 200
jq -c '.items[] | {at, actor, action, after: .after.full_name}' $W/out.json
curl "$API/audit?action=read&limit=3" "${H[@]}" > $W/out.json
expect 200
jq -c '.items[] | {actor, entity, entity_id, path: .after.path}' $W/out.json

# Who read or changed a student's data (GDPR art. 15): the child's guardians and the student see
# the actors by role; the superuser and the director by name too.
curl "$API/students/$STUDENT/access-log" "${H[@]}" > $W/out.json
expect 200
jq -c '.items[] | {at, kind, operation, actor_roles, actor}' $W/out.json

# A quality review of the entries (§16) with a finding, then the report: per teacher due,
# on_time, late, missing, extensions, substitutions; reviews done against the 3 required.
curl $API/school-years "${H[@]}" -d "{\"name\":\"Review $TAG\",\"starts_on\":\"$(day -60)\",
     \"ends_on\":\"$(day 60)\"}" > $W/out.json
expect 201
YEAR=$(jq .id $W/out.json)
curl $API/quality-reviews "${H[@]}" -d "{\"school_year_id\":$YEAR,\"reviewed_on\":\"$TODAY\",
     \"summary\":\"Entries checked\",\"findings\":[{\"note\":\"Topics too short\"}]}" > $W/out.json
expect 201
curl "$API/reports/entry-quality?school_year_id=$YEAR" "${H[@]}" > $W/out.json
expect 200
jq -c '{reviews: {done: .reviews.done, required: .reviews.required,
        lacking: .reviews.thirds_without_review}, totals}' $W/out.json
curl "$API/reports/entry-quality?school_year_id=$YEAR" "${H[@]}" -H 'Accept: text/csv' > $W/report.csv
expect 200
head -n 1 $W/report.csv

# A proposal to change the rules (§23, anyone signed in), and the director's or superuser's
# decision (accepted, declined or noted, once), which the author then reads.
curl $API/proposals "${H[@]}" -d "{\"text\":\"Three working days for entries ($TAG)\",
     \"paragraph\":13}" > $W/out.json
expect 201
PROPOSAL=$(jq .id $W/out.json)
curl $API/proposals/$PROPOSAL/decision "${H[@]}" -d '{"status":"noted",
     "response":"To be discussed at the next meeting"}' > $W/out.json
expect 200
jq -c '{id, paragraph, status, response}' $W/out.json
curl $API/proposals/$PROPOSAL/decision "${H[@]}" -d '{"status":"accepted","response":"x"}' > $W/out.json
expect 409
rm -r "$W"
echo "oversight walkthrough: done"
