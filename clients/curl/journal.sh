#!/usr/bin/env bash
# The journal with curl: a first day, step by step, as README.md ("The journal with curl") shows
# it. Everything after the "walkthrough" line below is the README's text, line for line
# (tests/api/cookbook.test.mjs holds them equal and runs this script against a live server, so no
# example can rot).
#
#   API=http://127.0.0.1:8080/api/v1 ADMIN_PASSWORD=... bash clients/curl/journal.sh
#
# Needs curl, jq and GNU date. Creates its own school year, group, teacher, student and guardian
# (names end in a fresh tag, so it can run again on the same server); changes nothing else.
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

# The superuser signs in and prepares a group: a school year around today, a programme, a group,
# a teacher, a student and a guardian (each new user gets a one-time initial_password).
curl $API/auth/login -H 'Content-Type: application/json' \
     -d "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" > $W/out.json
expect 200
ADMIN=$(jq -r .access_token $W/out.json)
H=(-H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json')
curl $API/school-years "${H[@]}" -d "{\"name\":\"Walk $TAG\",\"starts_on\":\"$(day -60)\",
     \"ends_on\":\"$(day 60)\"}" > $W/out.json
expect 201
YEAR=$(jq .id $W/out.json)
curl $API/programs "${H[@]}" -d "{\"code\":\"KER-$TAG\",\"name\":\"Keramika\"}" > $W/out.json
expect 201
PROGRAM=$(jq .id $W/out.json)
curl $API/users "${H[@]}" -d "{\"username\":\"ilze.$TAG\",\"full_name\":\"Ilze Kalna\",
     \"roles\":[\"teacher\"]}" > $W/teacher.json
expect 201
curl $API/groups "${H[@]}" -d "{\"program_id\":$PROGRAM,\"school_year_id\":$YEAR,
     \"name\":\"Keramika 1\",\"teacher_ids\":[$(jq .id $W/teacher.json)]}" > $W/out.json
expect 201
GROUP=$(jq .id $W/out.json)
curl $API/students "${H[@]}" -d '{"full_name":"Anna Bērziņa","birth_date":"2015-04-02"}' \
     > $W/out.json
expect 201
STUDENT=$(jq .id $W/out.json)
curl $API/groups/$GROUP/enrollments "${H[@]}" \
     -d "{\"student_id\":$STUDENT,\"starts_on\":\"$(day -60)\"}" > $W/out.json
expect 201
curl $API/users "${H[@]}" -d "{\"username\":\"maris.$TAG\",\"full_name\":\"Māris Bērziņš\",
     \"roles\":[\"guardian\"]}" > $W/guardian.json
expect 201
curl -X PUT $API/students/$STUDENT/guardians/$(jq .id $W/guardian.json) "${H[@]}" > $W/out.json
expect 200

# Two lessons: one yesterday (or the last day before it that is no public holiday: 422
# public_holiday) and one a month ago, long past its entry deadline (§13).
lesson() {
  local back=$1
  for _ in 1 2 3 4 5 6 7; do
    curl $API/lessons "${H[@]}" -d "{\"group_id\":$GROUP,\"date\":\"$(day -$back)\",
         \"starts_at\":\"15:00\",\"ends_at\":\"16:30\",\"room\":\"12\"}" > $W/out.json
    [[ $(tail -n 1 $W/status) == 201 ]] && { jq .id $W/out.json; return; }
    back=$((back + 1))
  done
  return 1
}
RECENT=$(lesson 1)
OLD=$(lesson 30)

# The teacher signs in with the one-time password: must_change_password is true and everything
# but /auth/* and /me is 403 password_change_required, so the first thing is a new password.
curl $API/auth/login -H 'Content-Type: application/json' -d "{\"username\":\"ilze.$TAG\",
     \"password\":\"$(jq -r .initial_password $W/teacher.json)\"}" > $W/out.json
expect 200
jq .user.must_change_password $W/out.json                        # true
curl $API/auth/password -H "Authorization: Bearer $(jq -r .access_token $W/out.json)" \
     -H 'Content-Type: application/json' -d "{\"current_password\":
     \"$(jq -r .initial_password $W/teacher.json)\",\"new_password\":\"māla trauki $TAG\"}" \
     > $W/login.json
expect 200
T=(-H "Authorization: Bearer $(jq -r .access_token $W/login.json)")

# Today's lessons (a day in Riga), and what is to record now: started, not recorded, deadline
# not passed (state due). teacher_id=me is the lessons the caller conducts.
curl "$API/lessons?teacher_id=me&date=$TODAY" "${T[@]}" > $W/out.json
expect 200
curl "$API/lessons?teacher_id=me&state=due" "${T[@]}" > $W/out.json
expect 200
jq -c '.items[] | {id, date, starts_at, group_name, program_name, state, deadline}' $W/out.json

# The entry form: the lesson with `enrolled` (the students the attendance must name) and an ETag.
curl -D $W/headers $API/lessons/$RECENT/entry "${T[@]}" > $W/out.json
expect 200
jq -c '.enrolled' $W/out.json
ETAG=$(sed -n 's/^etag: *//Ip' $W/headers | tr -d '\r')

# Record the topic and attendance, with If-Match so that nobody's change is overwritten
# (a stale ETag is 412). present, absent or late; reasons are the superuser's (§14).
curl -X PUT $API/lessons/$RECENT/entry "${T[@]}" -H 'Content-Type: application/json' \
     -H "If-Match: $ETAG" -d "{\"topic\":\"Trauku veidošana\",
     \"attendance\":[{\"student_id\":$STUDENT,\"status\":\"absent\"}]}" > $W/out.json
expect 200
jq -c '{state, topic, late, attendance}' $W/out.json

# The month-old lesson is past its deadline: 409 entry_deadline_passed, the deadline in Riga
# time in `detail`. The teacher asks the superuser for an extension, with a reason.
curl -X PUT $API/lessons/$OLD/entry "${T[@]}" -H 'Content-Type: application/json' \
     -d "{\"topic\":\"Glazūra\",\"attendance\":[{\"student_id\":$STUDENT,\"status\":\"present\"}]}" \
     > $W/out.json
expect 409
jq -r .detail $W/out.json
curl $API/lessons/$OLD/extension-requests "${T[@]}" -H 'Content-Type: application/json' \
     -d '{"reason":"Biju slima, ierakstu nokavēju"}' > $W/out.json
expect 201
REQUEST=$(jq .id $W/out.json)

# The superuser sees the pending requests and grants this one until the end of tomorrow (Riga).
curl "$API/extension-requests?status=pending" "${H[@]}" > $W/out.json
expect 200
curl $API/extension-requests/$REQUEST/grant "${H[@]}" -d "{\"until\":\"$(day 1)\"}" > $W/out.json
expect 200
jq -c '{status, until}' $W/out.json

# Now the teacher records it; the entry is marked late: true.
curl -X PUT $API/lessons/$OLD/entry "${T[@]}" -H 'Content-Type: application/json' \
     -d "{\"topic\":\"Glazūra\",\"attendance\":[{\"student_id\":$STUDENT,\"status\":\"present\"}]}" \
     > $W/out.json
expect 200
jq -c '{state, late}' $W/out.json

# The guardian signs in (and sets a password), reads the child's attendance and reports the
# absence of the recent lesson with a reason code of GET /absence-reasons.
curl $API/auth/login -H 'Content-Type: application/json' -d "{\"username\":\"maris.$TAG\",
     \"password\":\"$(jq -r .initial_password $W/guardian.json)\"}" > $W/out.json
expect 200
curl $API/auth/password -H "Authorization: Bearer $(jq -r .access_token $W/out.json)" \
     -H 'Content-Type: application/json' -d "{\"current_password\":
     \"$(jq -r .initial_password $W/guardian.json)\",\"new_password\":\"mūsu mājas $TAG\"}" \
     > $W/login.json
expect 200
G=(-H "Authorization: Bearer $(jq -r .access_token $W/login.json)")
curl "$API/students/$STUDENT/attendance?from=$(day -60)&to=$TODAY" "${G[@]}" > $W/out.json
expect 200
jq -c '.summary' $W/out.json
curl $API/absence-reasons "${G[@]}" > $W/out.json
expect 200
DATE=$(curl $API/lessons/$RECENT "${G[@]}" | jq -r .date)
expect 200
curl $API/absence-reports "${G[@]}" -H 'Content-Type: application/json' -d "{\"student_id\":
     $STUDENT,\"from_date\":\"$DATE\",\"to_date\":\"$DATE\",\"reason_code\":\"illness\",
     \"comment\":\"Saaukstējās\"}" > $W/out.json
expect 201
REPORT=$(jq .id $W/out.json)

# The superuser applies the report: its reason goes onto the child's absences in the range.
curl -X POST $API/absence-reports/$REPORT/apply "${H[@]}" > $W/out.json
expect 200
jq -c '.applied' $W/out.json
curl "$API/students/$STUDENT/attendance" "${G[@]}" > $W/out.json
expect 200
jq -c '.items[] | {date, status, reason}' $W/out.json

# Sync scripts follow the change feed (as the integration account; the superuser may too): every
# change in commit order after a cursor, with the entity's representation; `next` is where to
# continue, also when nothing is new. clients/sync/ejournal-sync pull does this into files.
curl $API/changes/bounds "${H[@]}" > $W/out.json
expect 200
curl "$API/changes?after=$(jq -r '.latest | tonumber - 3' $W/out.json)&limit=3" "${H[@]}" \
     > $W/out.json
expect 200
jq -c '(.items[] | {cursor, entity, id, op}), {next}' $W/out.json
rm -r "$W"
echo "journal walkthrough: done"
