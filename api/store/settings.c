#include "store/settings.h"

#include "core/json.h"
#include "core/req.h"
#include "rules/quality.h"
#include "store/audit.h"
#include "store/calendar.h"
#include "store/db.h"
#include "store/lessons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum ej_err failed(const struct ej_db *db)
{
    return db->err != EJ_OK ? db->err : EJ_ERR_INTERNAL;
}

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
static enum ej_err settings_load(struct ej_db *db, bool lock, json_t **out)
{
    *out = NULL;
    PGresult *res = db_exec(db, DB_MANY | (lock ? 0 : DB_READ),
                            lock ? "SELECT key, value::text, utc(updated_at) FROM settings"
                                   " ORDER BY key FOR UPDATE"
                                 : "SELECT key, value::text, utc(updated_at) FROM settings"
                                   " ORDER BY key",
                            0, NULL);
    if (!res)
        return db->err;
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
        json_object_set_new(o, "required_quality_reviews",
                            json_integer(EJ_QUALITY_REVIEWS_REQUIRED));
    json_t *version = json_object_get(values, "version");
    json_object_set_new(o, "version",
                        json_integer(json_is_integer(version) ? json_integer_value(version) : 1));
    json_object_set_new(o, "updated_at", updated ? json_string(updated) : json_null());
    PQclear(res);
    json_decref(values);
    *out = o;
    return EJ_OK;
}

static int64_t version_of(const json_t *row)
{
    return json_integer_value(json_object_get(row, "version"));
}

enum ej_err ej_store_settings_get(struct ej_db *db, json_t **out, int64_t *version)
{
    enum ej_err e = settings_load(db, false, out);
    if (e == EJ_OK)
        *version = version_of(*out);
    return e;
}

enum ej_err ej_store_settings_update(struct ej_db *db, int64_t expected_version, const json_t *body,
                                     json_t **out, int64_t *version_out)
{
    struct ej_cal cal;
    json_t *before = NULL, *after = NULL, *rows = json_object();
    bool days = ej_json_has(body, "entry_deadline_working_days");
    long changed = 0;
    enum ej_err e;
    memset(&cal, 0, sizeof cal);
    *out = NULL;
    /* A new number of days is a calendar change: taken exclusively first (as
     * calendar writers do, before the settings rows), so that no lesson is
     * created meanwhile with a deadline of the old number. */
    if (days && ej_store_calendar_load(db, EJ_CAL_EXCLUSIVE, &cal) != EJ_OK) {
        e = failed(db);
        goto out;
    }
    ej_cal_cleanup(&cal);
    if ((e = settings_load(db, true, &before)) != EJ_OK)
        goto out;
    int64_t version = version_of(before);
    if (expected_version >= 0 && version != expected_version) {
        e = EJ_ERR_STALE;
        goto out;
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        json_t *v = json_object_get(body, fields[i].field);
        if (v)
            json_object_set(rows, fields[i].key, v);
    }
    json_object_set_new(rows, "version", json_integer(version + 1));
    char *doc = json_dumps(rows, JSON_COMPACT), actor[24];
    const char *p[] = {doc, db_i64(actor, db->who->user_id)};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO settings AS s (key, value, updated_at, updated_by)"
                            " SELECT key, value, now(), $2 FROM jsonb_each($1::jsonb)"
                            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value,"
                            " updated_at = now(), updated_by = EXCLUDED.updated_by",
                            2, p);
    free(doc);
    if (!res) {
        e = db->err;
        goto out;
    }
    PQclear(res);
    if ((e = settings_load(db, false, &after)) != EJ_OK ||
        (e = ej_audit_key(db, "settings.update", "settings", NULL, before, after)) != EJ_OK)
        goto out;
    /* §22 "effective at once": the lessons not yet recorded follow the new number. */
    if (days) {
        if (ej_store_calendar_load(db, EJ_CAL_NOLOCK, &cal) != EJ_OK ||
            ej_store_lessons_refresh_unrecorded(db, &cal, &changed) != EJ_OK) {
            e = failed(db);
            goto out;
        }
    }
    json_object_set_new(after, "deadlines_changed", json_integer(changed));
    *version_out = version + 1;
    *out = after;
    after = NULL;
    e = EJ_OK;
out:
    ej_cal_cleanup(&cal);
    json_decref(before);
    json_decref(after);
    json_decref(rows);
    return e;
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

enum ej_err ej_store_absence_reason_list(struct ej_db *db, json_t **items)
{
    *items = NULL;
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            "SELECT " REASON_COLUMNS " FROM absence_reasons c"
                            " ORDER BY c.position, c.code",
                            0, NULL);
    if (!res)
        return db->err;
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*items, reason_row(res, i));
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_absence_reason_get(struct ej_db *db, const char *code, bool lock, json_t **out,
                                        int64_t *version)
{
    const char *p[] = {code};
    *out = NULL;
    PGresult *res;
    enum ej_err e = db_row(db, &res, lock ? 0 : DB_READ,
                           lock ? "SELECT " REASON_COLUMNS " FROM absence_reasons c"
                                  " WHERE c.code = $1 FOR UPDATE"
                                : "SELECT " REASON_COLUMNS " FROM absence_reasons c"
                                  " WHERE c.code = $1",
                           1, p);
    if (e != EJ_OK)
        return e;
    *out = reason_row(res, 0);
    PQclear(res);
    *version = version_of(*out);
    return EJ_OK;
}

enum ej_err ej_store_absence_reason_create(struct ej_db *db, const char *code, const char *name,
                                           bool excused, json_t **out)
{
    const char *p[] = {code, name, excused ? "true" : "false"};
    *out = NULL;
    /* New codes go to the end of the list; ON CONFLICT: the code exists. */
    PGresult *res = db_exec(db, DB_OPT,
                            "INSERT INTO absence_reasons AS c (code, name, excused, position)"
                            " SELECT $1, $2, $3::boolean,"
                            " coalesce((SELECT max(position) FROM absence_reasons), 0) + 1"
                            " ON CONFLICT (code) DO NOTHING RETURNING " REASON_COLUMNS,
                            3, p);
    if (!res)
        return db->err;
    json_t *row = PQntuples(res) == 1 ? reason_row(res, 0) : NULL;
    PQclear(res);
    if (!row)
        return EJ_ERR_CONFLICT;
    enum ej_err e = ej_audit_key(db, "absence_reason.create", "absence_reason", code, NULL, row);
    if (e != EJ_OK) {
        json_decref(row);
        return e;
    }
    *out = row;
    return EJ_OK;
}

enum ej_err ej_store_absence_reason_in_use(struct ej_db *db, const char *code, bool *in_use)
{
    const char *p[] = {code};
    PGresult *res = db_exec(db, DB_ONE,
                            "SELECT EXISTS (SELECT 1 FROM lesson_attendance WHERE reason_code = $1)"
                            " OR EXISTS (SELECT 1 FROM absence_reports WHERE reason_code = $1)",
                            1, p);
    if (!res)
        return db->err;
    *in_use = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_absence_reason_update(struct ej_db *db, const char *code, const json_t *before,
                                           const char *name, int excused, int active, json_t **out,
                                           int64_t *version)
{
    const char *p[] = {code, name,
                       excused < 0 ? NULL
                       : excused   ? "true"
                                   : "false",
                       active < 0 ? NULL
                       : active   ? "true"
                                  : "false"};
    *out = NULL;
    PGresult *res = db_exec(db, DB_ONE,
                            "UPDATE absence_reasons c SET name = coalesce($2, name),"
                            " excused = coalesce($3::boolean, excused),"
                            " active = coalesce($4::boolean, active), version = version + 1"
                            " WHERE c.code = $1 RETURNING " REASON_COLUMNS,
                            4, p);
    if (!res)
        return db->err;
    json_t *row = reason_row(res, 0);
    PQclear(res);
    enum ej_err e = ej_audit_key(db, "absence_reason.update", "absence_reason", code, before, row);
    if (e != EJ_OK) {
        json_decref(row);
        return e;
    }
    *version = version_of(row);
    *out = row;
    return EJ_OK;
}
