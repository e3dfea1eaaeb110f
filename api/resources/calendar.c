/* Calendar (§13, §17): public holidays by law plus the superuser's one-off
 * holidays, transferred days off and working days; entry deadlines. Everyone
 * signed in reads it; only the superuser changes it. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/calendar.h"
#include "store/calendar.h"

#include <stdio.h>
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

void ej_op_list_holidays(struct ej_req *r)
{
    int year;
    json_t *items;
    if (year_param(r, &year) == 0 && ej_store_holiday_list(r, year, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_add_holiday(struct ej_req *r)
{
    bool cancel_lessons;
    json_t *entry;
    if (bool_param(r, "cancel_lessons", &cancel_lessons) != 0 ||
        ej_json_check(r, r->body, holiday_fields) != 0 || validate_holiday(r, r->body) != 0 ||
        ej_store_holiday_add(r, r->body, cancel_lessons, &entry) != 0)
        return;
    snprintf(r->location, sizeof r->location, "/api/v1/calendar/holidays/%s",
             ej_json_str(entry, "date"));
    ej_reply(r, 201, entry);
}

void ej_op_get_holiday(struct ej_req *r)
{
    json_t *out;
    if (ej_store_holiday_get(r, r->params[0], &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_delete_holiday(struct ej_req *r)
{
    if (ej_store_holiday_delete(r, r->params[0]) == 0)
        ej_reply_empty(r, 204);
}

void ej_op_list_working_days(struct ej_req *r)
{
    int year;
    json_t *items;
    if (year_param(r, &year) == 0 && ej_store_working_day_list(r, year, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_add_working_day(struct ej_req *r)
{
    json_t *entry;
    if (ej_json_check(r, r->body, working_day_fields) != 0 ||
        ej_store_working_day_add(r, r->body, &entry) != 0)
        return;
    snprintf(r->location, sizeof r->location, "/api/v1/calendar/working-days/%s",
             ej_json_str(entry, "date"));
    ej_reply(r, 201, entry);
}

void ej_op_get_working_day(struct ej_req *r)
{
    json_t *out;
    if (ej_store_working_day_get(r, r->params[0], &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_delete_working_day(struct ej_req *r)
{
    if (ej_store_working_day_delete(r, r->params[0]) == 0)
        ej_reply_empty(r, 204);
}

void ej_op_get_deadline(struct ej_req *r)
{
    char v[16];
    ej_day d;
    json_t *out;
    int got = ej_query(r, "date", v, sizeof v);
    if (got < 0)
        return;
    if (got == 0 || !ej_date_parse(v, &d)) {
        ej_problem(r, 400, "invalid_query", "date must be a real date YYYY-MM-DD.");
        return;
    }
    if (ej_store_deadline(r, d, &out) == 0)
        ej_reply(r, 200, out);
}
