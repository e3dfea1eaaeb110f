/* Calendar (§13, §17): public holidays by law plus the superuser's one-off
 * holidays, transferred days off and working days; entry deadlines. Everyone
 * signed in reads it; only the superuser changes it.
 *
 * A change of the calendar is a use case over two stores, and it lives here,
 * above both (issue 14): store/calendar writes the entry, store/lessons
 * cancels the lessons on a new holiday and moves the deadlines the change
 * moves; rules/lessons decides what may happen. Neither store knows the
 * other's tables or calls it. */
#include "resources/resources.h"

#include "core/json.h"
#include "core/utf8.h"
#include "rules/calendar.h"
#include "rules/lessons.h"
#include "rules/years.h"
#include "store/calendar.h"
#include "store/lessons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ej_field holiday_fields[] = {
    {"date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 200},
    {"kind", EJ_F_STRING, 0, 20},
    {"weekend_rule", EJ_F_BOOL, 0, 0},
    {NULL, 0, 0, 0},
};
static const struct ej_field working_day_fields[] = {
    {"date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"note", EJ_F_STRING, EJ_F_NULLABLE, 500},
    {NULL, 0, 0, 0},
};

/* What the field list can't check (it checks that the name shows): a known kind, the
 * weekend rule only for holidays. */
static int validate_holiday(struct ej_req *r, const json_t *b)
{
    const char *kind = ej_json_str(b, "kind");
    if (kind && strcmp(kind, "holiday") != 0 && strcmp(kind, "day_off") != 0)
        return ej_invalid(r, "kind", "must be holiday or day_off");
    if (kind && strcmp(kind, "day_off") == 0 && json_is_true(json_object_get(b, "weekend_rule")))
        return ej_invalid(r, "weekend_rule", "applies to holidays only, not to days off");
    return 0;
}

/* Today's year in Riga. */
static int riga_year_now(void)
{
    int y;
    ej_date_to_ymd(ej_riga_today(), &y, NULL, NULL);
    return y;
}

/* ?year=YYYY (default: this year in Riga, given as 0). */
static int year_param(struct ej_req *r, int *year)
{
    char v[16];
    ej_day d;
    *year = 0;
    int got = ej_query(r, "year", v, sizeof v);
    if (got <= 0)
        return got;
    char probe[EJ_DATE_BUFSZ];
    snprintf(probe, sizeof probe, "%.4s-01-01", v);
    if (strlen(v) != 4 || !ej_date_parse(probe, &d))
        return ej_problem(r, 400, "invalid_query", "year must be a year from 1900 to 2200.");
    ej_date_to_ymd(d, year, NULL, NULL);
    return 0;
}

/* ?name=true|false (absent: false). */
static int bool_param(struct ej_req *r, const char *name, bool *out)
{
    char v[8];
    *out = false;
    int got = ej_query(r, name, v, sizeof v);
    if (got < 0)
        return -1;
    if (got == 0 || strcmp(v, "false") == 0)
        return 0;
    if (strcmp(v, "true") == 0 || v[0] == '\0') {
        *out = true;
        return 0;
    }
    return ej_problem(r, 400, "invalid_query", "%s must be true or false.", name);
}

/* The calendar as it is now (c initialised; cleaned up by the caller either way). */
static int load(struct ej_req *r, enum ej_cal_lock lock, struct ej_cal *c)
{
    if (ej_store_calendar_load(&r->db, lock, c) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    return 0;
}

static int calendar_entry_exists(struct ej_req *r)
{
    return ej_problem(r, 409, "calendar_entry_exists",
                      "This date already has a calendar entry; delete it first.");
}

/* Writes the entry; a concurrent one on the same date is 409 as if it had been seen. */
static int add_entry(struct ej_req *r, const char *action, const struct ej_calendar_entry_in *in,
                     json_t **entry)
{
    if (ej_store_calendar_entry_add(&r->db, action, in, entry) == EJ_OK)
        return 0;
    if (r->db.err == EJ_ERR_CONFLICT && strcmp(r->db.constraint, "calendar_entries_date_key") == 0)
        return calendar_entry_exists(r);
    return ej_problem_db(r, r->db.err);
}

/* §13: after a change on d, the deadlines of the lessons it moves follow the
 * calendar as it is now (reloaded inside the transaction). *changed. */
static int refresh_deadlines(struct ej_req *r, ej_day d, long *changed)
{
    struct ej_cal c;
    *changed = 0;
    int rc = load(r, EJ_CAL_NOLOCK, &c);
    if (rc == 0 && ej_store_lessons_refresh_deadlines(&r->db, &c, d, d + EJ_CAL_TRANSFER_WINDOW + 1,
                                                      changed) != EJ_OK)
        rc = ej_problem_db(r, r->db.err);
    ej_cal_cleanup(&c);
    return rc;
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

/* §17: the lessons on the dates that the new entry turns into public
 * holidays: 409 unless cancel_lessons, then cancelled (never a recorded one).
 * Appends the ids cancelled to cancelled. */
static int clear_new_holidays(struct ej_req *r, const json_t *dates, bool cancel_lessons,
                              const char *name, json_t *cancelled)
{
    json_t *lessons = NULL;
    if (json_array_size(dates) == 0)
        return 0;
    if (ej_store_lessons_on_dates(&r->db, dates, &lessons) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    size_t i;
    json_t *l;
    bool recorded = false, closed = false;
    json_array_foreach(lessons, i, l) {
        recorded |= strcmp(json_string_value(json_object_get(l, "state")), "recorded") == 0;
        closed |= json_is_true(json_object_get(l, "school_year_closed"));
    }
    switch (ej_holiday_lessons(json_array_size(lessons), recorded, closed, cancel_lessons)) {
    case EJ_HOLIDAY_LESSONS_NONE: json_decref(lessons); return 0;
    case EJ_HOLIDAY_LESSONS_RECORDED:
        return lessons_problem(r, "lessons_recorded_on_date", lessons,
                               "Lessons already recorded fall on this holiday (§17); "
                               "the holiday cannot be added while they exist.");
    case EJ_HOLIDAY_LESSONS_BLOCK:
        return lessons_problem(r, "lessons_on_date", lessons,
                               "Lessons fall on this holiday (§17). Send ?cancel_lessons=true "
                               "to cancel them together with adding the holiday.");
    case EJ_HOLIDAY_LESSONS_YEAR_CLOSED:
        return lessons_problem(r, "school_year_closed", lessons, EJ_YEAR_CLOSED_DETAIL);
    case EJ_HOLIDAY_LESSONS_CANCEL: break;
    }
    /* Room for the longest name (200 characters of up to 4 bytes); cut, if ever, at a character:
     * half a one is invalid UTF-8, which PostgreSQL refuses (22021). */
    char reason[sizeof "Svētku diena: " + 4 * 200];
    snprintf(reason, sizeof reason, "Svētku diena: %s", name);
    ej_utf8_truncate(reason, sizeof reason - 1);
    size_t done = 0;
    int rc = 0;
    if (ej_store_lessons_cancel_listed(&r->db, lessons, reason, &done) != EJ_OK)
        rc = ej_problem_db(r, r->db.err);
    else if (done != json_array_size(lessons))
        rc = ej_problem(r, 409, "lessons_on_date",
                        "The lessons on this date changed meanwhile; try again.");
    json_array_foreach(lessons, i, l)
        json_array_append(cancelled, json_object_get(l, "id"));
    json_decref(lessons);
    return rc;
}

void ej_op_list_holidays(struct ej_req *r)
{
    int year;
    struct ej_cal c;
    if (year_param(r, &year) != 0)
        return;
    if (load(r, EJ_CAL_NOLOCK, &c) == 0)
        ej_reply(r, 200, ej_page_wrap(ej_cal_holidays(&c, year ? year : riga_year_now()), 0));
    ej_cal_cleanup(&c);
}

void ej_op_add_holiday(struct ej_req *r)
{
    bool cancel_lessons;
    struct ej_cal c;
    json_t *entry = NULL, *dates = NULL, *cancelled = NULL;
    long changed = 0;
    ej_day d;
    if (bool_param(r, "cancel_lessons", &cancel_lessons) != 0 ||
        ej_json_check(r, r->body, holiday_fields) != 0 || validate_holiday(r, r->body) != 0)
        return;
    const char *kind = ej_json_str(r->body, "kind") ? ej_json_str(r->body, "kind") : "holiday";
    bool day_off = strcmp(kind, "day_off") == 0;
    bool weekend_rule = json_is_true(json_object_get(r->body, "weekend_rule"));
    ej_date_parse(ej_json_str(r->body, "date"), &d);
    if (load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    switch (ej_holiday_add_allowed(ej_cal_has_entry(&c, d), ej_is_public_holiday(&c.cal, d),
                                   day_off, ej_is_working_day(&c.cal, d))) {
    case EJ_CALENDAR_ADD_OK: break;
    case EJ_CALENDAR_ADD_ENTRY_EXISTS: calendar_entry_exists(r); goto out;
    case EJ_CALENDAR_ADD_ALREADY_HOLIDAY:
        ej_problem(r, 409, "already_holiday", "This date is already a public holiday (%s).",
                   ej_public_holiday_name(&c.cal, d));
        goto out;
    case EJ_CALENDAR_ADD_NOT_WORKING_DAY:
    case EJ_CALENDAR_ADD_ALREADY_WORKING_DAY:
        ej_problem(r, 409, "not_a_working_day", "This date is not a working day anyway.");
        goto out;
    }
    /* Which dates become public holidays: the date, and where its weekend
     * rule (or a law transfer it displaces) moves a day off. */
    dates = json_array();
    cancelled = json_array();
    ej_cal_new_public_holidays(&c, d, day_off, weekend_rule, dates);
    struct ej_calendar_entry_in in = {ej_json_str(r->body, "date"), kind,
                                      ej_json_str(r->body, "name"), NULL, weekend_rule};
    if (clear_new_holidays(r, dates, cancel_lessons, in.name, cancelled) != 0 ||
        add_entry(r, "calendar.holiday.add", &in, &entry) != 0 ||
        refresh_deadlines(r, d, &changed) != 0)
        goto out;
    json_object_set(entry, "new_public_holidays", dates);
    json_object_set(entry, "cancelled_lessons", cancelled);
    json_object_set_new(entry, "deadlines_changed", json_integer(changed));
    snprintf(r->location, sizeof r->location, "/api/v1/calendar/holidays/%s",
             ej_json_str(entry, "date"));
    ej_reply(r, 201, entry);
    entry = NULL;
out:
    json_decref(entry);
    json_decref(dates);
    json_decref(cancelled);
    ej_cal_cleanup(&c);
}

void ej_op_get_holiday(struct ej_req *r)
{
    struct ej_cal c;
    ej_day d;
    if (!ej_date_parse(r->params[0], &d)) {
        ej_problem(r, 404, "not_found", "No public holiday or day off on this date.");
        return;
    }
    if (load(r, EJ_CAL_NOLOCK, &c) == 0) {
        json_t *h = ej_cal_holiday(&c, d);
        if (h)
            ej_reply(r, 200, h);
        else
            ej_problem(r, 404, "not_found", "No public holiday or day off on this date.");
    }
    ej_cal_cleanup(&c);
}

void ej_op_delete_holiday(struct ej_req *r)
{
    struct ej_cal c;
    ej_day d;
    bool found;
    long changed;
    if (!ej_date_parse(r->params[0], &d)) {
        ej_problem(r, 404, "not_found", "No such holiday.");
        return;
    }
    if (load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    if (ej_store_calendar_entry_delete(&r->db, "calendar.holiday.delete", r->params[0],
                                       "{holiday,day_off}", &found) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        goto out;
    }
    if (!found) {
        if (ej_is_public_holiday(&c.cal, d))
            ej_problem(r, 409, "law_holiday",
                       "%s is a public holiday set by law; it cannot be deleted.",
                       ej_public_holiday_name(&c.cal, d));
        else
            ej_problem(r, 404, "not_found", "No custom holiday or day off on this date.");
        goto out;
    }
    if (refresh_deadlines(r, d, &changed) == 0)
        ej_reply_empty(r, 204);
out:
    ej_cal_cleanup(&c);
}

void ej_op_list_working_days(struct ej_req *r)
{
    int year;
    json_t *items;
    if (year_param(r, &year) != 0)
        return;
    if (ej_store_working_day_list(&r->db, year ? year : riga_year_now(), &items) != EJ_OK)
        ej_problem_db(r, r->db.err);
    else
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_add_working_day(struct ej_req *r)
{
    struct ej_cal c;
    json_t *entry = NULL;
    long changed;
    ej_day d;
    if (ej_json_check(r, r->body, working_day_fields) != 0)
        return;
    ej_date_parse(ej_json_str(r->body, "date"), &d);
    if (load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    switch (ej_working_day_add_allowed(ej_cal_has_entry(&c, d), ej_is_public_holiday(&c.cal, d),
                                       ej_is_working_day(&c.cal, d))) {
    case EJ_CALENDAR_ADD_OK: break;
    case EJ_CALENDAR_ADD_ENTRY_EXISTS: calendar_entry_exists(r); goto out;
    case EJ_CALENDAR_ADD_ALREADY_HOLIDAY:
        ej_problem(r, 409, "already_holiday",
                   "This date is a public holiday (%s); it cannot be a working day.",
                   ej_public_holiday_name(&c.cal, d));
        goto out;
    case EJ_CALENDAR_ADD_ALREADY_WORKING_DAY:
    case EJ_CALENDAR_ADD_NOT_WORKING_DAY:
        ej_problem(r, 409, "already_working_day", "This date is a working day anyway.");
        goto out;
    }
    struct ej_calendar_entry_in in = {ej_json_str(r->body, "date"), "working_day", NULL,
                                      ej_json_str(r->body, "note"), false};
    if (add_entry(r, "calendar.working_day.add", &in, &entry) != 0 ||
        refresh_deadlines(r, d, &changed) != 0)
        goto out;
    json_object_set_new(entry, "deadlines_changed", json_integer(changed));
    snprintf(r->location, sizeof r->location, "/api/v1/calendar/working-days/%s",
             ej_json_str(entry, "date"));
    ej_reply(r, 201, entry);
    entry = NULL;
out:
    json_decref(entry);
    ej_cal_cleanup(&c);
}

void ej_op_get_working_day(struct ej_req *r)
{
    ej_day d;
    char iso[EJ_DATE_BUFSZ];
    json_t *out;
    if (!ej_date_parse(r->params[0], &d)) {
        ej_problem(r, 404, "not_found", "No transferred working day on this date.");
        return;
    }
    ej_date_format(d, iso);
    enum ej_err e = ej_store_working_day_get(&r->db, iso, &out);
    if (e == EJ_OK)
        ej_reply(r, 200, out);
    else if (e == EJ_ERR_NOT_FOUND)
        ej_problem(r, 404, "not_found", "No transferred working day on this date.");
    else
        ej_problem_db(r, e);
}

void ej_op_delete_working_day(struct ej_req *r)
{
    struct ej_cal c;
    ej_day d;
    bool found;
    long changed;
    if (!ej_date_parse(r->params[0], &d)) {
        ej_problem(r, 404, "not_found", "No such working day.");
        return;
    }
    if (load(r, EJ_CAL_EXCLUSIVE, &c) != 0)
        goto out;
    if (ej_store_calendar_entry_delete(&r->db, "calendar.working_day.delete", r->params[0],
                                       "{working_day}", &found) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        goto out;
    }
    if (!found) {
        ej_problem(r, 404, "not_found", "No transferred working day on this date.");
        goto out;
    }
    if (refresh_deadlines(r, d, &changed) == 0)
        ej_reply_empty(r, 204);
out:
    ej_cal_cleanup(&c);
}

void ej_op_get_deadline(struct ej_req *r)
{
    char v[16];
    ej_day d;
    struct ej_cal c;
    int got = ej_query(r, "date", v, sizeof v);
    if (got < 0)
        return;
    if (got == 0) {
        ej_problem(r, 400, "invalid_query", "date is required: ?date=YYYY-MM-DD.");
        return;
    }
    if (!ej_date_parse(v, &d)) {
        ej_problem(r, 400, "invalid_query", "date must be a real date YYYY-MM-DD.");
        return;
    }
    if (load(r, EJ_CAL_NOLOCK, &c) == 0)
        ej_reply(r, 200, ej_cal_deadline_view(&c, d));
    ej_cal_cleanup(&c);
}
