#!/usr/bin/env bash
# Settings and the year's end with curl, as README.md ("Settings and the year's end with curl")
# shows it. Everything after the "walkthrough" line below is the README's text, line for line
# (tests/api/cookbook.test.mjs holds them equal and runs this script against a live server).
#
#   API=http://127.0.0.1:8080/api/v1 ADMIN_PASSWORD=... bash clients/curl/settings.sh
#
# Needs curl, jq and GNU date. Sets the deadline days to 3 and back to what they were, adds one
# absence reason code (made inactive again), and creates and closes a school year of its own
# (names end in a fresh tag, so it can run again on the same server).
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
H=(-H "Authorization: Bearer $(jq -r .access_token $W/out.json)" -H 'Content-Type: application/json')

# Settings (§22): everyone signed in reads them; the director and the superuser change them,
# with the ETag they read as If-Match. A new number of working days for entries applies at once
# to every lesson not yet recorded (deadlines_changed says how many moved); recorded lessons and
# granted extensions keep theirs. Out of range (1-10) is 422 and changes nothing.
curl -D $W/headers $API/settings "${H[@]}" > $W/out.json
expect 200
jq -c . $W/out.json
DAYS=$(jq .entry_deadline_working_days $W/out.json)
ETAG=$(sed -n 's/^etag: *//Ip' $W/headers | tr -d '\r')
curl -X PATCH $API/settings "${H[@]}" -H "If-Match: $ETAG" \
     -d '{"entry_deadline_working_days":3}' > $W/out.json
expect 200
jq -c '{entry_deadline_working_days, deadlines_changed, version}' $W/out.json
curl "$API/calendar/deadline?date=$TODAY" "${H[@]}" > $W/out.json
expect 200
jq -c '{date, deadline, working_days}' $W/out.json
curl -X PATCH $API/settings "${H[@]}" -d '{"entry_deadline_working_days":11}' > $W/out.json
expect 422
curl -X PATCH $API/settings "${H[@]}" -d "{\"entry_deadline_working_days\":$DAYS}" > $W/out.json
expect 200

# Absence reason codes (§14, §22): add one, rename it, make it inactive. Codes are never
# deleted: an inactive one stays on old absences but is refused (422) for new reasons.
curl $API/absence-reasons "${H[@]}" -d "{\"code\":\"trip_$TAG\",\"name\":\"Ekskursija\",
     \"excused\":true}" > $W/out.json
expect 201
curl -X PATCH $API/absence-reasons/trip_$TAG "${H[@]}" \
     -d '{"name":"Mācību ekskursija","active":false}' > $W/out.json
expect 200
jq -c . $W/out.json

# The year's end (§18): a school year with a group, a student and one recorded lesson is closed;
# from then on every write into its journal is 409 school_year_closed, and reads keep working.
curl $API/school-years "${H[@]}" -d "{\"name\":\"Year $TAG\",\"starts_on\":\"$(day -60)\",
     \"ends_on\":\"$(day 30)\"}" > $W/out.json
expect 201
YEAR=$(jq .id $W/out.json)
curl $API/programs "${H[@]}" -d "{\"code\":\"VOK-$TAG\",\"name\":\"Vokālais ansamblis\"}" > $W/out.json
expect 201
curl $API/groups "${H[@]}" -d "{\"program_id\":$(jq .id $W/out.json),\"school_year_id\":$YEAR,
     \"name\":\"Ansamblis $TAG\"}" > $W/out.json
expect 201
GROUP=$(jq .id $W/out.json)
curl $API/students "${H[@]}" -d '{"full_name":"Laura Ozola","birth_date":"2014-02-11"}' > $W/out.json
expect 201
STUDENT=$(jq .id $W/out.json)
curl $API/groups/$GROUP/enrollments "${H[@]}" -d "{\"student_id\":$STUDENT,
     \"starts_on\":\"$(day -60)\"}" > $W/out.json
expect 201
for back in 7 8 9 10; do   # a week ago, or the nearest day before it that is no public holiday
  curl $API/lessons "${H[@]}" -d "{\"group_id\":$GROUP,\"date\":\"$(day -$back)\",
       \"starts_at\":\"16:00\",\"ends_at\":\"17:30\"}" > $W/out.json
  [[ $(tail -n 1 "$W/status") == 201 ]] && break
done
expect 201
LESSON=$(jq .id $W/out.json)
curl -X PUT $API/lessons/$LESSON/entry "${H[@]}" -d "{\"topic\":\"Divbalsība\",
     \"attendance\":[{\"student_id\":$STUDENT,\"status\":\"late\"}]}" > $W/out.json
expect 200
curl -X POST $API/school-years/$YEAR/close "${H[@]}" > $W/out.json
expect 200
curl -X PUT $API/lessons/$LESSON/entry "${H[@]}" -d "{\"topic\":\"Labots\",
     \"attendance\":[{\"student_id\":$STUDENT,\"status\":\"present\"}]}" > $W/out.json
expect 409
jq -r .detail $W/out.json

# The student's personal file of that year: JSON (sums per group: lessons, present, late,
# absent, excused and unexcused, by reason, academic hours), or a printable page for the
# archive with Accept: text/html (no scripts, nothing loaded from elsewhere; print it on A4).
curl "$API/students/$STUDENT/personal-file?school_year_id=$YEAR" "${H[@]}" > $W/out.json
expect 200
jq -c '.attendance[] | {group_name, lessons, late, hours_attended}' $W/out.json
curl "$API/students/$STUDENT/personal-file?school_year_id=$YEAR" "${H[@]}" \
     -H 'Accept: text/html' > $W/personal-file.html
expect 200
grep -o '<h1>[^<]*</h1>' $W/personal-file.html
rm -r "$W"
echo "settings walkthrough: done"
