#include "store/settings.h"

#include "core/json.h"
#include "store/audit.h"
#include "store/calendar.h"
#include "store/db.h"
#include "store/lessons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The API's field names and the settings table's keys (0004, 0010). */
static const struct {
    const char *field, *key;
} fields[] = {
    {"institution_name", "institution_name"},
    {"institution_address", "institution_address"},
    {"entry_deadline_working_days", "deadline_working_days"},
    {"required_quality_reviews", "required_quality_reviews"},
};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* Reads every setting (locked FOR UPDATE when lock) into the API's shape. */
static int settings_load(struct ej_req *r, bool lock, json_t **out)
{
    *out = NULL;
    PGresult *res = db_exec(r, DB_MANY | (lock ? 0 : DB_READ),
                            lock ? "SELECT key, value::text, utc(updated_at) FROM settings"
                                   " ORDER BY key FOR UPDATE"
                                 : "SELECT key, value::text, utc(updated_at) FROM settings"
                                   " ORDER BY key",
                            0, NULL);
    if (!res)
        return -1;
    json_t *values = json_object();
    const char *updated = NULL;
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *v = json_loads(PQgetvalue(res, i, 1), JSON_DECODE_ANY, NULL);
        if (v)
            json_object_set_new(values, PQgetvalue(res, i, 0), v);
        if (!updated || strcmp(PQgetvalue(res, i, 2), updated) > 0)
            updated = PQgetvalue(res, i, 2);
    }
    /* In the order a person reads them; a missing row reads as its default. */
    json_t *o = json_object();
    for (size_t i = 0; i < NFIELDS; i++) {
        json_t *v = json_object_get(values, fields[i].key);
        json_object_set_new(o, fields[i].field, v ? json_incref(v) : json_null());
    }
    if (!json_is_integer(json_object_get(o, "entry_deadline_working_days")))
        json_object_set_new(o, "entry_deadline_working_days",
                            json_integer(EJ_DEADLINE_DAYS_DEFAULT));
    if (!json_is_integer(json_object_get(o, "required_quality_reviews")))
        json_object_set_new(o, "required_quality_reviews", json_integer(3));
    json_t *version = json_object_get(values, "version");
    json_object_set_new(o, "version",
                        json_integer(json_is_integer(version) ? json_integer_value(version) : 1));
    json_object_set_new(o, "updated_at", updated ? json_string(updated) : json_null());
    PQclear(res);
    json_decref(values);
    *out = o;
    return 0;
}

int ej_store_settings_get(struct ej_req *r, json_t **out)
{
    if (settings_load(r, false, out) != 0)
        return -1;
    ej_set_etag(r, json_integer_value(json_object_get(*out, "version")));
    return 0;
}

int ej_store_settings_update(struct ej_req *r, int64_t expected_version, const json_t *body,
                             json_t **out)
{
    struct ej_cal cal;
    json_t *before = NULL, *after = NULL, *rows = json_object();
    bool days = ej_json_has(body, "entry_deadline_working_days");
    long changed = 0;
    int rc = -1;
    memset(&cal, 0, sizeof cal);
    *out = NULL;
    /* A new number of days is a calendar change: taken exclusively first (as
     * calendar writers do, before the settings rows), so that no lesson is
     * created meanwhile with a deadline of the old number. */
    if (days && ej_store_calendar_load(r, EJ_CAL_EXCLUSIVE, &cal) != 0)
        goto out;
    ej_cal_cleanup(&cal);
    if (settings_load(r, true, &before) != 0)
        goto out;
    int64_t version = json_integer_value(json_object_get(before, "version"));
    if (expected_version >= 0 && version != expected_version) {
        ej_problem(r, 412, "precondition_failed",
                   "The settings were changed by someone else; reload and try again.");
        goto out;
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        json_t *v = json_object_get(body, fields[i].field);
        if (v)
            json_object_set(rows, fields[i].key, v);
    }
    json_object_set_new(rows, "version", json_integer(version + 1));
    char *doc = json_dumps(rows, JSON_COMPACT), actor[24];
    const char *p[] = {doc, db_i64(actor, r->who.user_id)};
    PGresult *res = db_exec(r, DB_NONE,
                            "INSERT INTO settings AS s (key, value, updated_at, updated_by)"
                            " SELECT key, value, now(), $2 FROM jsonb_each($1::jsonb)"
                            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value,"
                            " updated_at = now(), updated_by = EXCLUDED.updated_by",
                            2, p);
    free(doc);
    if (!res)
        goto out;
    PQclear(res);
    if (settings_load(r, false, &after) != 0 ||
        ej_audit_key(r, "settings.update", "settings", NULL, before, after) != 0)
        goto out;
    /* §22 "effective at once": the lessons not yet recorded follow the new number. */
    if (days) {
        if (ej_store_calendar_load(r, EJ_CAL_NOLOCK, &cal) != 0 ||
            ej_store_lessons_refresh_unrecorded(r, &cal, &changed) != 0)
            goto out;
    }
    json_object_set_new(after, "deadlines_changed", json_integer(changed));
    ej_set_etag(r, version + 1);
    *out = after;
    after = NULL;
    rc = 0;
out:
    ej_cal_cleanup(&cal);
    json_decref(before);
    json_decref(after);
    json_decref(rows);
    return rc;
}

/* ---- absence reason codes ---------------------------------------------------------------- */

#define REASON_COLUMNS "c.code, c.name, c.excused, c.active, c.version"

static json_t *reason_row(const PGresult *res, int i)
{
    return json_pack("{s:s, s:s, s:b, s:b, s:I}", "code", PQgetvalue(res, i, 0), "name",
                     PQgetvalue(res, i, 1), "excused", PQgetvalue(res, i, 2)[0] == 't', "active",
                     PQgetvalue(res, i, 3)[0] == 't', "version",
                     (json_int_t)strtoll(PQgetvalue(res, i, 4), NULL, 10));
}

int ej_store_absence_reason_list(struct ej_req *r, json_t **items)
{
    *items = NULL;
    PGresult *res = db_exec(r, DB_MANY | DB_READ,
                            "SELECT " REASON_COLUMNS " FROM absence_reasons c"
                            " ORDER BY c.position, c.code",
                            0, NULL);
    if (!res)
        return -1;
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*items, reason_row(res, i));
    PQclear(res);
    return 0;
}

/* One code, locked FOR UPDATE when lock; 404 when there is none. */
static int reason_load(struct ej_req *r, const char *code, bool lock, json_t **out)
{
    const char *p[] = {code};
    *out = NULL;
    PGresult *res = db_exec(r, DB_OPT | (lock ? 0 : DB_READ),
                            lock ? "SELECT " REASON_COLUMNS " FROM absence_reasons c"
                                   " WHERE c.code = $1 FOR UPDATE"
                                 : "SELECT " REASON_COLUMNS " FROM absence_reasons c"
                                   " WHERE c.code = $1",
                            1, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 1)
        *out = reason_row(res, 0);
    PQclear(res);
    return *out ? 0 : ej_problem(r, 404, "not_found", "No such absence reason code.");
}

int ej_store_absence_reason_get(struct ej_req *r, const char *code, json_t **out)
{
    if (reason_load(r, code, false, out) != 0)
        return -1;
    ej_set_etag(r, json_integer_value(json_object_get(*out, "version")));
    return 0;
}

int ej_store_absence_reason_create(struct ej_req *r, const json_t *body, json_t **out)
{
    const char *p[] = {ej_json_str(body, "code"), ej_json_str(body, "name"),
                       json_is_true(json_object_get(body, "excused")) ? "true" : "false"};
    *out = NULL;
    /* New codes go to the end of the list; ON CONFLICT: the code exists. */
    PGresult *res = db_exec(r, DB_OPT,
                            "INSERT INTO absence_reasons AS c (code, name, excused, position)"
                            " SELECT $1, $2, $3::boolean,"
                            " coalesce((SELECT max(position) FROM absence_reasons), 0) + 1"
                            " ON CONFLICT (code) DO NOTHING RETURNING " REASON_COLUMNS,
                            3, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 1)
        *out = reason_row(res, 0);
    PQclear(res);
    if (!*out)
        return ej_problem(r, 409, "absence_reason_exists",
                          "The absence reason code '%s' exists; change it with PATCH.", p[0]);
    ej_set_etag(r, 1);
    return ej_audit_key(r, "absence_reason.create", "absence_reason", p[0], NULL, *out);
}

int ej_store_absence_reason_update(struct ej_req *r, const char *code, int64_t expected_version,
                                   const json_t *body, json_t **out)
{
    json_t *before = NULL;
    const json_t *excused = json_object_get(body, "excused"), *active = json_object_get(body, "active");
    *out = NULL;
    if (reason_load(r, code, true, &before) != 0)
        return -1;
    int rc = -1;
    if (expected_version >= 0 &&
        json_integer_value(json_object_get(before, "version")) != expected_version) {
        ej_problem(r, 412, "precondition_failed",
                   "The absence reason was changed by someone else; reload and try again.");
        goto out;
    }
    const char *p[] = {code, ej_json_str(body, "name"),
                       excused ? (json_is_true(excused) ? "true" : "false") : NULL,
                       active ? (json_is_true(active) ? "true" : "false") : NULL};
    if (excused && json_is_true(excused) != json_is_true(json_object_get(before, "excused"))) {
        PGresult *res = db_exec(r, DB_ONE,
                                "SELECT EXISTS (SELECT 1 FROM lesson_attendance WHERE reason_code = $1)"
                                " OR EXISTS (SELECT 1 FROM absence_reports WHERE reason_code = $1)",
                                1, p);
        if (!res)
            goto out;
        bool used = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (used) {
            ej_problem(r, 409, "absence_reason_in_use",
                       "The code '%s' is on recorded absences or reports, whose meaning may not "
                       "change after the fact: add a new code and make this one inactive.",
                       code);
            goto out;
        }
    }
    PGresult *res = db_exec(r, DB_ONE,
                            "UPDATE absence_reasons c SET name = coalesce($2, name),"
                            " excused = coalesce($3::boolean, excused),"
                            " active = coalesce($4::boolean, active), version = version + 1"
                            " WHERE c.code = $1 RETURNING " REASON_COLUMNS,
                            4, p);
    if (!res)
        goto out;
    *out = reason_row(res, 0);
    PQclear(res);
    rc = ej_audit_key(r, "absence_reason.update", "absence_reason", code, before, *out);
    if (rc == 0)
        ej_set_etag(r, json_integer_value(json_object_get(*out, "version")));
out:
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(before);
    return rc;
}
