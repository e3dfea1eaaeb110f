#include "store/calendar.h"

#include "core/json.h"
#include "core/utf8.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/lessons.h"
#include "store/years.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How far after a changed date the weekend rule can move a day off; the
 * lessons and holidays a change affects are looked for in this window. */
#define TRANSFER_WINDOW 31

static const char *const lock_sql[] = {
    [EJ_CAL_SHARED] = "SELECT pg_advisory_xact_lock_shared(hashtext('ejournal.calendar'))",
    [EJ_CAL_EXCLUSIVE] = "SELECT pg_advisory_xact_lock(hashtext('ejournal.calendar'))",
};

static void cal_push(struct ej_cal *c, ej_day d, enum ej_entry_kind kind, bool weekend_rule,
                     const char *name)
{
    if (c->cal.n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->entries = realloc(c->entries, c->cap * sizeof *c->entries);
        c->names = realloc(c->names, c->cap * sizeof *c->names);
        if (!c->entries || !c->names)
            abort();
    }
    c->entries[c->cal.n] = (struct ej_calendar_entry){d, kind, weekend_rule};
    c->names[c->cal.n] = name ? strdup(name) : NULL;
    if (name && !c->names[c->cal.n])
        abort();
    c->cal.n++;
    c->cal.entries = c->entries;
}

void ej_cal_cleanup(struct ej_cal *c)
{
    for (size_t i = 0; i < c->cal.n; i++)
        free(c->names[i]);
    free(c->names);
    free(c->entries);
    memset(c, 0, sizeof *c);
}

static enum ej_entry_kind kind_of(const char *s)
{
    if (strcmp(s, "holiday") == 0)
        return EJ_ENTRY_HOLIDAY;
    if (strcmp(s, "day_off") == 0)
        return EJ_ENTRY_DAY_OFF;
    return EJ_ENTRY_WORKING_DAY;
}

int ej_store_calendar_load(struct ej_req *r, enum ej_cal_lock lock, struct ej_cal *c)
{
    memset(c, 0, sizeof *c);
    c->deadline_days = EJ_DEADLINE_DAYS_DEFAULT;
    PGresult *res;
    if (lock != EJ_CAL_NOLOCK) {
        if (!(res = db_exec(r, DB_NONE, lock_sql[lock], 0, NULL)))
            return -1;
        PQclear(res);
    }
    res = db_exec(r, DB_MANY | DB_READ,
                  "SELECT to_char(date, 'YYYY-MM-DD'), kind, weekend_rule, name"
                  " FROM calendar_entries ORDER BY date",
                  0, NULL);
    if (!res)
        return -1;
    for (int i = 0; i < PQntuples(res); i++) {
        ej_day d;
        if (!ej_date_parse(PQgetvalue(res, i, 0), &d))
            continue; /* outside the years the API accepts: cannot matter */
        cal_push(c, d, kind_of(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2)[0] == 't',
                 PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3));
    }
    PQclear(res);
    res = db_exec(r, DB_OPT | DB_READ,
                  "SELECT value::text FROM settings WHERE key = 'deadline_working_days'", 0,
                  NULL);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        char *end;
        long v = strtol(PQgetvalue(res, 0, 0), &end, 10);
        if (*end == '\0' && v >= 1 && v <= EJ_DEADLINE_DAYS_MAX)
            c->deadline_days = (int)v;
    }
    PQclear(res);
    return 0;
}

int64_t ej_cal_deadline(const struct ej_cal *c, ej_day d)
{
    return ej_entry_deadline(&c->cal, d, c->deadline_days);
}

/* The entry on d, or -1. */
static long entry_at(const struct ej_cal *c, ej_day d)
{
    for (size_t i = 0; i < c->cal.n; i++)
        if (c->entries[i].date == d)
            return (long)i;
    return -1;
}

/* Today's year in Riga. */
static int riga_year_now(void)
{
    int y;
    ej_date_to_ymd(ej_riga_today(), &y, NULL, NULL);
    return y;
}

/* The public holiday or day off on d as {date, name, source, kind}, or NULL if d is neither. */
static json_t *holiday_at(const struct ej_cal *c, ej_day d)
{
    long e = entry_at(c, d);
    const char *name = ej_public_holiday_name(&c->cal, d);
    const char *kind = "holiday", *source;
    if (name) {
        if (e >= 0 && c->entries[e].kind == EJ_ENTRY_HOLIDAY && c->names[e])
            name = c->names[e];
        source = e >= 0 && c->entries[e].kind == EJ_ENTRY_HOLIDAY ? "custom"
                 : ej_is_public_holiday(NULL, d)                  ? "law"
                                                                  : "custom";
    } else if (e >= 0 && c->entries[e].kind == EJ_ENTRY_DAY_OFF) {
        name = c->names[e] ? c->names[e] : "Brīvdiena";
        kind = "day_off";
        source = "custom";
    } else {
        return NULL;
    }
    char date[EJ_DATE_BUFSZ];
    ej_date_format(d, date);
    return json_pack("{s:s, s:s, s:s, s:s}", "date", date, "name", name, "source", source, "kind",
                     kind);
}

int ej_store_holiday_list(struct ej_req *r, int year, json_t **items)
{
    struct ej_cal c;
    *items = NULL;
    if (year == 0)
        year = riga_year_now();
    if (ej_store_calendar_load(r, EJ_CAL_NOLOCK, &c) != 0) {
        ej_cal_cleanup(&c);
        return -1;
    }
    json_t *out = json_array();
    ej_day first = ej_date_from_ymd(year, 1, 1), last = ej_date_from_ymd(year, 12, 31);
    for (ej_day d = first; d <= last; d++) {
        json_t *h = holiday_at(&c, d);
        if (h)
            json_array_append_new(out, h);
    }
    ej_cal_cleanup(&c);
    *items = out;
    return 0;
}

int ej_store_holiday_get(struct ej_req *r, const char *date, json_t **out)
{
    struct ej_cal c;
    ej_day d;
    *out = NULL;
    if (!ej_date_parse(date, &d))
        return ej_problem(r, 404, "not_found", "No public holiday or day off on this date.");
    if (ej_store_calendar_load(r, EJ_CAL_NOLOCK, &c) != 0) {
        ej_cal_cleanup(&c);
        return -1;
    }
    *out = holiday_at(&c, d);
    ej_cal_cleanup(&c);
    return *out ? 0 : ej_problem(r, 404, "not_found", "No public holiday or day off on this date.");
}

/* Sets a 409 listing lessons (stolen) in the problem's `lessons`. */
static int lessons_problem(struct ej_req *r, const char *code, json_t *lessons, const char *detail)
{
    ej_problem(r, 409, code, "%s", detail);
    if (r->out)
        json_object_set_new(r->out, "lessons", lessons);
    else
        json_decref(lessons);
    return -1;
}

/* Lessons on the dates that the new entry turns into public holidays: 409
 * unless cancel_lessons, then cancelled (never a recorded one). */
static int clear_new_holidays(struct ej_req *r, const json_t *dates, bool cancel_lessons,
                              const char *name, json_t **cancelled)
{
    json_t *lessons;
    *cancelled = json_array();
    if (json_array_size(dates) == 0)
        return 0;
    if (ej_store_lessons_on_dates(r, dates, &lessons) != 0)
        return -1;
    size_t i, n = json_array_size(lessons);
    json_t *l;
    bool recorded = false, closed = false;
    json_array_foreach(lessons, i, l) {
        recorded |= strcmp(json_string_value(json_object_get(l, "state")), "recorded") == 0;
        closed |= json_is_true(json_object_get(l, "school_year_closed"));
    }
    if (n == 0) {
        json_decref(lessons);
        return 0;
    }
    if (recorded)
        return lessons_problem(r, "lessons_recorded_on_date", lessons,
                               "Lessons already recorded fall on this holiday (§17); "
                               "the holiday cannot be added while they exist.");
    if (!cancel_lessons)
        return lessons_problem(r, "lessons_on_date", lessons,
                               "Lessons fall on this holiday (§17). Send ?cancel_lessons=true "
                               "to cancel them together with adding the holiday.");
    if (closed)
        return lessons_problem(r, "school_year_closed", lessons, EJ_YEAR_CLOSED_DETAIL);
    /* Room for the longest name (200 characters of up to 4 bytes); cut, if ever, at a character:
     * half a one is invalid UTF-8, which PostgreSQL refuses (22021). */
    char reason[sizeof "Svētku diena: " + 4 * 200];
    snprintf(reason, sizeof reason, "Svētku diena: %s", name);
    ej_utf8_truncate(reason, sizeof reason - 1);
    int rc = ej_store_lessons_cancel_listed(r, lessons, reason);
    json_array_foreach(lessons, i, l) json_array_append(*cancelled, json_object_get(l, "id"));
    json_decref(lessons);
    return rc;
}

/* Audits a calendar change and recomputes the deadlines it moves. */
static int after_change(struct ej_req *r, const char *action, int64_t id, const json_t *before,
                        const json_t *after, ej_day d, long *changed)
{
    struct ej_cal c;
    *changed = 0;
    if (ej_audit(r, action, "calendar_entry", id, before, after) != 0)
        return -1;
    /* Reloaded inside the transaction: the calendar as it is after the change. */
    int rc = ej_store_calendar_load(r, EJ_CAL_NOLOCK, &c);
    if (rc == 0)
        rc = ej_store_lessons_refresh_deadlines(r, &c, d, d + TRANSFER_WINDOW + 1, changed);
    ej_cal_cleanup(&c);
    return rc;
}

static int insert_entry(struct ej_req *r, const json_t *body, const char *kind, json_t **entry)
{
    char *doc = json_dumps(body, JSON_COMPACT), actor[24];
    const char *p[] = {doc, kind, db_i64(actor, r->who.user_id)};
    int rc = db_json(r, entry,
                     "INSERT INTO calendar_entries AS e (date, kind, name, note, weekend_rule,"
                     " created_by) VALUES (($1::jsonb->>'date')::date, $2, $1::jsonb->>'name',"
                     " $1::jsonb->>'note', coalesce(($1::jsonb->>'weekend_rule')::boolean, false),"
                     " $3) RETURNING jsonb_build_object('id', e.id, 'entry', calendar_entry_json(e))",
                     3, p);
    free(doc);
    if (rc != 0 && db_failed_with(&r->db, "23505", "calendar_entries_date_key"))
        ej_problem(r, 409, "calendar_entry_exists",
                   "This date already has a calendar entry; delete it first.");
    return rc;
}

/* Splits {"id", "entry"} from insert_entry: returns the id, *entry the entry. */
static int64_t take_entry(json_t *row, json_t **entry)
{
    int64_t id = json_integer_value(json_object_get(row, "id"));
    *entry = json_incref(json_object_get(row, "entry"));
    json_decref(row);
    return id;
}

int ej_store_holiday_add(struct ej_req *r, const json_t *body, bool cancel_lessons,
                         json_t **entry)
{
    struct ej_cal c;
    ej_day d;
    json_t *row = NULL, *cancelled = NULL, *dates = json_array();
    bool was[TRANSFER_WINDOW + 1];
    const char *kind = ej_json_str(body, "kind") ? ej_json_str(body, "kind") : "holiday";
    bool day_off = strcmp(kind, "day_off") == 0;
    long changed = 0;
    int rc = -1;
    *entry = NULL;
    ej_date_parse(ej_json_str(body, "date"), &d);
    if (ej_store_calendar_load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    if (entry_at(&c, d) >= 0) {
        ej_problem(r, 409, "calendar_entry_exists",
                   "This date already has a calendar entry; delete it first.");
        goto out;
    }
    if (ej_is_public_holiday(&c.cal, d)) {
        ej_problem(r, 409, "already_holiday", "This date is already a public holiday (%s).",
                   ej_public_holiday_name(&c.cal, d));
        goto out;
    }
    if (day_off && !ej_is_working_day(&c.cal, d)) {
        ej_problem(r, 409, "not_a_working_day", "This date is not a working day anyway.");
        goto out;
    }
    /* Which dates become public holidays: the date, and where its weekend
     * rule (or a law transfer it displaces) moves a day off. */
    for (int i = 0; i <= TRANSFER_WINDOW; i++)
        was[i] = ej_is_public_holiday(&c.cal, d + i);
    cal_push(&c, d, day_off ? EJ_ENTRY_DAY_OFF : EJ_ENTRY_HOLIDAY,
             json_is_true(json_object_get(body, "weekend_rule")), NULL);
    for (int i = 0; i <= TRANSFER_WINDOW; i++) {
        if (!was[i] && ej_is_public_holiday(&c.cal, d + i)) {
            char date[EJ_DATE_BUFSZ];
            ej_date_format(d + i, date);
            json_array_append_new(dates, json_string(date));
        }
    }
    if (clear_new_holidays(r, dates, cancel_lessons, ej_json_str(body, "name"), &cancelled) != 0 ||
        insert_entry(r, body, kind, &row) != 0)
        goto out;
    int64_t id = take_entry(row, entry);
    if (after_change(r, "calendar.holiday.add", id, NULL, *entry, d, &changed) != 0)
        goto out;
    json_object_set(*entry, "new_public_holidays", dates);
    json_object_set(*entry, "cancelled_lessons", cancelled);
    json_object_set_new(*entry, "deadlines_changed", json_integer(changed));
    rc = 0;
out:
    if (rc != 0) {
        json_decref(*entry);
        *entry = NULL;
    }
    json_decref(dates);
    json_decref(cancelled);
    ej_cal_cleanup(&c);
    return rc;
}

/* Deletes the entry on date of one of the kinds ("holiday", "day_off" or
 * "working_day") and audits it. *found 0 when there is none. */
static int delete_entry(struct ej_req *r, const char *date, const char *kinds, const char *action,
                        ej_day d, int *found)
{
    json_t *row = NULL, *before = NULL;
    long changed;
    const char *p[] = {date, kinds};
    if (db_json(r, &row,
                "DELETE FROM calendar_entries e WHERE date = $1::date AND kind = ANY($2::text[])"
                " RETURNING jsonb_build_object('id', e.id, 'entry', calendar_entry_json(e))",
                2, p) != 0)
        return -1;
    *found = row != NULL;
    if (!row)
        return 0;
    int64_t id = take_entry(row, &before);
    int rc = after_change(r, action, id, before, NULL, d, &changed);
    json_decref(before);
    return rc;
}

int ej_store_holiday_delete(struct ej_req *r, const char *date)
{
    struct ej_cal c;
    ej_day d;
    int found = 0, rc = -1;
    if (!ej_date_parse(date, &d))
        return ej_problem(r, 404, "not_found", "No such holiday.");
    if (ej_store_calendar_load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    if (delete_entry(r, date, "{holiday,day_off}", "calendar.holiday.delete", d, &found) != 0)
        goto out;
    if (!found) {
        if (ej_is_public_holiday(&c.cal, d))
            ej_problem(r, 409, "law_holiday",
                       "%s is a public holiday set by law; it cannot be deleted.",
                       ej_public_holiday_name(&c.cal, d));
        else
            ej_problem(r, 404, "not_found", "No custom holiday or day off on this date.");
        goto out;
    }
    rc = 0;
out:
    ej_cal_cleanup(&c);
    return rc;
}

int ej_store_working_day_list(struct ej_req *r, int year, json_t **items)
{
    char y[24];
    const char *p[] = {db_i64(y, year ? year : riga_year_now())};
    return db_json(r, items,
                   "SELECT coalesce(jsonb_agg(calendar_entry_json(e) ORDER BY e.date), '[]')"
                   " FROM calendar_entries e WHERE e.kind = 'working_day'"
                   " AND extract(year FROM e.date) = $1::int",
                   1, p);
}

int ej_store_working_day_get(struct ej_req *r, const char *date, json_t **out)
{
    ej_day d;
    char iso[EJ_DATE_BUFSZ];
    *out = NULL;
    if (!ej_date_parse(date, &d))
        return ej_problem(r, 404, "not_found", "No transferred working day on this date.");
    ej_date_format(d, iso);
    const char *p[] = {iso};
    if (db_json(r, out,
                "SELECT calendar_entry_json(e) FROM calendar_entries e"
                " WHERE e.kind = 'working_day' AND e.date = $1::date",
                1, p) != 0)
        return -1;
    return *out ? 0 : ej_problem(r, 404, "not_found", "No transferred working day on this date.");
}

int ej_store_working_day_add(struct ej_req *r, const json_t *body, json_t **entry)
{
    struct ej_cal c;
    ej_day d;
    json_t *row = NULL;
    long changed;
    int rc = -1;
    *entry = NULL;
    ej_date_parse(ej_json_str(body, "date"), &d);
    if (ej_store_calendar_load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    if (entry_at(&c, d) >= 0) {
        ej_problem(r, 409, "calendar_entry_exists",
                   "This date already has a calendar entry; delete it first.");
        goto out;
    }
    if (ej_is_public_holiday(&c.cal, d)) {
        ej_problem(r, 409, "already_holiday",
                   "This date is a public holiday (%s); it cannot be a working day.",
                   ej_public_holiday_name(&c.cal, d));
        goto out;
    }
    if (ej_is_working_day(&c.cal, d)) {
        ej_problem(r, 409, "already_working_day", "This date is a working day anyway.");
        goto out;
    }
    if (insert_entry(r, body, "working_day", &row) != 0)
        goto out;
    int64_t id = take_entry(row, entry);
    if (after_change(r, "calendar.working_day.add", id, NULL, *entry, d, &changed) != 0)
        goto out;
    json_object_set_new(*entry, "deadlines_changed", json_integer(changed));
    rc = 0;
out:
    if (rc != 0) {
        json_decref(*entry);
        *entry = NULL;
    }
    ej_cal_cleanup(&c);
    return rc;
}

int ej_store_working_day_delete(struct ej_req *r, const char *date)
{
    struct ej_cal c;
    ej_day d;
    int found = 0, rc = -1;
    if (!ej_date_parse(date, &d))
        return ej_problem(r, 404, "not_found", "No such working day.");
    if (ej_store_calendar_load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    if (delete_entry(r, date, "{working_day}", "calendar.working_day.delete", d, &found) != 0)
        goto out;
    if (!found) {
        ej_problem(r, 404, "not_found", "No transferred working day on this date.");
        goto out;
    }
    rc = 0;
out:
    ej_cal_cleanup(&c);
    return rc;
}

int ej_store_deadline(struct ej_req *r, ej_day d, json_t **out)
{
    struct ej_cal c;
    *out = NULL;
    if (ej_store_calendar_load(r, EJ_CAL_NOLOCK, &c) != 0) {
        ej_cal_cleanup(&c);
        return -1;
    }
    char date[EJ_DATE_BUFSZ], due[EJ_DATE_BUFSZ], deadline[EJ_UTC_BUFSZ];
    ej_date_format(d, date);
    ej_date_format(ej_add_working_days(&c.cal, d, c.deadline_days), due);
    ej_format_utc(ej_cal_deadline(&c, d), deadline);
    *out = json_pack("{s:s, s:s, s:s, s:i, s:b, s:b}", "date", date, "deadline", deadline,
                     "due_date", due, "working_days", c.deadline_days, "working_day",
                     ej_is_working_day(&c.cal, d), "public_holiday",
                     ej_is_public_holiday(&c.cal, d));
    ej_cal_cleanup(&c);
    return 0;
}
