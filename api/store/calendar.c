#include "store/calendar.h"

#include "core/alloc.h"
#include "store/audit.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lock_sql[] = {
    [EJ_CAL_SHARED] = "SELECT pg_advisory_xact_lock_shared(hashtext('ejournal.calendar'))",
    [EJ_CAL_EXCLUSIVE] = "SELECT pg_advisory_xact_lock(hashtext('ejournal.calendar'))",
};

static void cal_push(struct ej_cal *c, ej_day d, enum ej_entry_kind kind, bool weekend_rule,
                     const char *name)
{
    if (c->cal.n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->entries = ej_xrealloc(c->entries, c->cap * sizeof *c->entries);
        c->names = ej_xrealloc(c->names, c->cap * sizeof *c->names);
    }
    c->names[c->cal.n] = name ? ej_xstrdup(name) : NULL;
    /* The rules name a one-off holiday by its entry's name (borrowed from names). */
    c->entries[c->cal.n] = (struct ej_calendar_entry){
        .date = d, .kind = kind, .weekend_rule = weekend_rule, .name = c->names[c->cal.n]};
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

enum ej_err ej_store_calendar_load(struct ej_db *db, enum ej_cal_lock lock, struct ej_cal *c)
{
    memset(c, 0, sizeof *c);
    c->deadline_days = EJ_DEADLINE_DAYS_DEFAULT;
    PGresult *res;
    if (lock != EJ_CAL_NOLOCK) {
        if (!(res = db_exec(db, DB_NONE, lock_sql[lock], 0, NULL)))
            return db->err;
        PQclear(res);
    }
    res = db_exec(db, DB_MANY | DB_READ,
                  "SELECT to_char(date, 'YYYY-MM-DD'), kind, weekend_rule, name"
                  " FROM calendar_entries ORDER BY date",
                  0, NULL);
    if (!res)
        return db->err;
    for (int i = 0; i < PQntuples(res); i++) {
        ej_day d;
        if (!ej_date_parse(PQgetvalue(res, i, 0), &d))
            continue; /* outside the years the API accepts: cannot matter */
        cal_push(c, d, kind_of(PQgetvalue(res, i, 1)), PQgetvalue(res, i, 2)[0] == 't',
                 PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3));
    }
    PQclear(res);
    res = db_exec(db, DB_OPT | DB_READ,
                  "SELECT value::text FROM settings WHERE key = 'deadline_working_days'", 0, NULL);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        char *end;
        long v = strtol(PQgetvalue(res, 0, 0), &end, 10);
        if (*end == '\0' && v >= 1 && v <= EJ_DEADLINE_DAYS_MAX)
            c->deadline_days = (int)v;
    }
    PQclear(res);
    return EJ_OK;
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

bool ej_cal_has_entry(const struct ej_cal *c, ej_day d)
{
    return entry_at(c, d) >= 0;
}

void ej_cal_new_public_holidays(const struct ej_cal *c, ej_day d, bool day_off, bool weekend_rule,
                                json_t *dates)
{
    bool was[EJ_CAL_TRANSFER_WINDOW + 1];
    for (int i = 0; i <= EJ_CAL_TRANSFER_WINDOW; i++)
        was[i] = ej_is_public_holiday(&c->cal, d + i);
    /* The calendar with the entry: a copy of the entry list, one longer. */
    struct ej_calendar_entry *e = ej_xmalloc((c->cal.n + 1) * sizeof *e);
    if (c->cal.n)
        memcpy(e, c->entries, c->cal.n * sizeof *e);
    e[c->cal.n] = (struct ej_calendar_entry){.date = d,
                                             .kind = day_off ? EJ_ENTRY_DAY_OFF : EJ_ENTRY_HOLIDAY,
                                             .weekend_rule = weekend_rule};
    struct ej_calendar with = {e, c->cal.n + 1};
    for (int i = 0; i <= EJ_CAL_TRANSFER_WINDOW; i++) {
        if (!was[i] && ej_is_public_holiday(&with, d + i)) {
            char date[EJ_DATE_BUFSZ];
            ej_date_format(d + i, date);
            json_array_append_new(dates, json_string(date));
        }
    }
    free(e);
}

json_t *ej_cal_holiday(const struct ej_cal *c, ej_day d)
{
    long e = entry_at(c, d);
    const char *name = ej_public_holiday_name(&c->cal, d);
    const char *kind = "holiday", *source;
    if (name) {
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

json_t *ej_cal_holidays(const struct ej_cal *c, int year)
{
    json_t *out = json_array();
    ej_day first = ej_date_from_ymd(year, 1, 1), last = ej_date_from_ymd(year, 12, 31);
    for (ej_day d = first; d <= last; d++) {
        json_t *h = ej_cal_holiday(c, d);
        if (h)
            json_array_append_new(out, h);
    }
    return out;
}

json_t *ej_cal_deadline_view(const struct ej_cal *c, ej_day d)
{
    char date[EJ_DATE_BUFSZ], due[EJ_DATE_BUFSZ], deadline[EJ_UTC_BUFSZ];
    ej_date_format(d, date);
    ej_date_format(ej_add_working_days(&c->cal, d, c->deadline_days), due);
    ej_format_utc(ej_cal_deadline(c, d), deadline);
    return json_pack("{s:s, s:s, s:s, s:i, s:b, s:b}", "date", date, "deadline", deadline,
                     "due_date", due, "working_days", c->deadline_days, "working_day",
                     ej_is_working_day(&c->cal, d), "public_holiday",
                     ej_is_public_holiday(&c->cal, d));
}

/* Splits {"id", "entry"} of the statements below: returns the id, *entry the entry. */
static int64_t take_entry(json_t *row, json_t **entry)
{
    int64_t id = json_integer_value(json_object_get(row, "id"));
    *entry = json_incref(json_object_get(row, "entry"));
    json_decref(row);
    return id;
}

enum ej_err ej_store_calendar_entry_add(struct ej_db *db, const char *action,
                                        const struct ej_calendar_entry_in *in, json_t **entry)
{
    char actor[24];
    json_t *row = NULL;
    const char *p[] = {in->date,
                       in->kind,
                       in->name,
                       in->note,
                       in->weekend_rule ? "t" : "f",
                       db->who ? db_i64(actor, db->who->user_id) : NULL};
    *entry = NULL;
    if (db_json(db, &row,
                "INSERT INTO calendar_entries AS e (date, kind, name, note, weekend_rule,"
                " created_by) VALUES ($1::date, $2, $3, $4, $5::boolean, $6)"
                " RETURNING jsonb_build_object('id', e.id, 'entry', calendar_entry_json(e))",
                6, p) != EJ_OK)
        return db->err;
    if (!row)
        return db->err = EJ_ERR_INTERNAL;
    int64_t id = take_entry(row, entry);
    if (ej_audit(db, action, "calendar_entry", id, NULL, *entry) != EJ_OK) {
        json_decref(*entry);
        *entry = NULL;
        return db->err;
    }
    return EJ_OK;
}

enum ej_err ej_store_calendar_entry_delete(struct ej_db *db, const char *action, const char *date,
                                           const char *kinds, bool *found)
{
    json_t *row = NULL, *before = NULL;
    const char *p[] = {date, kinds};
    *found = false;
    if (db_json(db, &row,
                "DELETE FROM calendar_entries e WHERE date = $1::date AND kind = ANY($2::text[])"
                " RETURNING jsonb_build_object('id', e.id, 'entry', calendar_entry_json(e))",
                2, p) != EJ_OK)
        return db->err;
    if (!row)
        return EJ_OK;
    *found = true;
    int64_t id = take_entry(row, &before);
    enum ej_err rc = ej_audit(db, action, "calendar_entry", id, before, NULL);
    json_decref(before);
    return rc;
}

enum ej_err ej_store_working_day_list(struct ej_db *db, int year, json_t **items)
{
    char y[24];
    const char *p[] = {db_i64(y, year)};
    return db_json(db, items,
                   "SELECT coalesce(jsonb_agg(calendar_entry_json(e) ORDER BY e.date), '[]')"
                   " FROM calendar_entries e WHERE e.kind = 'working_day'"
                   " AND extract(year FROM e.date) = $1::int",
                   1, p);
}

enum ej_err ej_store_working_day_get(struct ej_db *db, const char *date, json_t **out)
{
    const char *p[] = {date};
    if (db_json(db, out,
                "SELECT calendar_entry_json(e) FROM calendar_entries e"
                " WHERE e.kind = 'working_day' AND e.date = $1::date",
                1, p) != EJ_OK)
        return db->err;
    return *out ? EJ_OK : (db->err = EJ_ERR_NOT_FOUND);
}
