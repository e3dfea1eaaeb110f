#include "store/personal_file.h"

#include "core/alloc.h"
#include "core/req.h" /* struct ej_principal */
#include "store/db.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *text_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static json_int_t integer(const PGresult *res, int row, int col)
{
    return (json_int_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* Academic hours to 2 decimals, an integer when whole (as lessons show them). */
static json_t *hours(double h)
{
    double rounded = round(h * 100) / 100;
    if (rounded == floor(rounded))
        return json_integer((json_int_t)rounded);
    return json_real(rounded);
}

/* {id, full_name, birth_date} of a student visible in scopes, or NULL. */
static enum ej_err load_student(struct ej_db *db, const struct ej_principal *who, const char *sid,
                                unsigned scopes, json_t **out)
{
    char viewer[24], sc[24];
    const char *p[] = {sid, db_i64(viewer, who->user_id), db_i64(sc, scopes)};
    *out = NULL;
    PGresult *res = db_exec(
        db, DB_OPT | DB_READ,
        "SELECT s.id, s.full_name, to_char(s.birth_date, 'YYYY-MM-DD')"
        " FROM students s WHERE s.id = $1 AND visible_student($2, $3::int, s.id)",
        3, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1)
        *out = json_pack("{s:I, s:s, s:o}", "id", integer(res, 0, 0), "full_name",
                         PQgetvalue(res, 0, 1), "birth_date", text_or_null(res, 0, 2));
    PQclear(res);
    return EJ_OK;
}

static enum ej_err load_year(struct ej_db *db, const char *yid, json_t **out)
{
    const char *p[] = {yid};
    *out = NULL;
    PGresult *res = db_exec(db, DB_OPT | DB_READ,
                            "SELECT y.id, y.name, to_char(y.starts_on, 'YYYY-MM-DD'),"
                            " to_char(y.ends_on, 'YYYY-MM-DD'), utc(y.closed_at)"
                            " FROM school_years y WHERE y.id = $1",
                            1, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1)
        *out = json_pack("{s:I, s:s, s:s, s:s, s:b, s:o}", "id", integer(res, 0, 0), "name",
                         PQgetvalue(res, 0, 1), "starts_on", PQgetvalue(res, 0, 2), "ends_on",
                         PQgetvalue(res, 0, 3), "closed", !PQgetisnull(res, 0, 4), "closed_at",
                         text_or_null(res, 0, 4));
    PQclear(res);
    return EJ_OK;
}

/* The institution's name and address (settings, §22). */
static enum ej_err load_institution(struct ej_db *db, json_t **out)
{
    *out = NULL;
    PGresult *res = db_exec(
        db, DB_ONE | DB_READ,
        "SELECT (SELECT value->>0 FROM settings WHERE key = 'institution_name'),"
        " (SELECT value->>0 FROM settings WHERE key = 'institution_address')",
        0, NULL);
    if (!res)
        return db->err;
    *out = json_pack("{s:o, s:o}", "name", text_or_null(res, 0, 0), "address",
                     text_or_null(res, 0, 1));
    PQclear(res);
    return EJ_OK;
}

static enum ej_err load_guardians(struct ej_db *db, const char *sid, json_t **out)
{
    const char *p[] = {sid};
    *out = NULL;
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            "SELECT u.id, u.full_name FROM student_guardians g"
                            " JOIN users u ON u.id = g.guardian_id WHERE g.student_id = $1"
                            " ORDER BY u.full_name, u.id",
                            1, p);
    if (!res)
        return db->err;
    *out = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*out, json_pack("{s:I, s:s}", "id", integer(res, i, 0), "full_name",
                                              PQgetvalue(res, i, 1)));
    PQclear(res);
    return EJ_OK;
}

static enum ej_err load_enrollments(struct ej_db *db, const char *sid, const char *yid,
                                    json_t **out)
{
    const char *p[] = {sid, yid};
    *out = NULL;
    PGresult *res = db_exec(
        db, DB_MANY | DB_READ,
        "SELECT e.id, g.id, g.name, p.id, p.code, p.name, to_char(e.starts_on, 'YYYY-MM-DD'),"
        " e.withdrawn_at IS NOT NULL, to_char(e.withdrawal_application_date, 'YYYY-MM-DD'),"
        " to_char(e.withdrawal_effective_on, 'YYYY-MM-DD'), e.withdrawal_note, utc(e.withdrawn_at)"
        " FROM enrollments e JOIN groups g ON g.id = e.group_id"
        " JOIN programs p ON p.id = g.program_id"
        " WHERE e.student_id = $1 AND g.school_year_id = $2 ORDER BY g.name, e.starts_on, e.id",
        2, p);
    if (!res)
        return db->err;
    *out = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        bool withdrawn = PQgetvalue(res, i, 7)[0] == 't';
        json_t *withdrawal = withdrawn ? json_pack("{s:o, s:o, s:o, s:o}", "application_date",
                                                   text_or_null(res, i, 8), "effective_on",
                                                   text_or_null(res, i, 9), "note",
                                                   text_or_null(res, i, 10), "recorded_at",
                                                   text_or_null(res, i, 11))
                                       : json_null();
        json_array_append_new(
            *out,
            json_pack("{s:I, s:{s:I, s:s}, s:{s:I, s:s, s:s}, s:s, s:o, s:o}", "id",
                      integer(res, i, 0), "group", "id", integer(res, i, 1), "name",
                      PQgetvalue(res, i, 2), "program", "id", integer(res, i, 3), "code",
                      PQgetvalue(res, i, 4), "name", PQgetvalue(res, i, 5), "starts_on",
                      PQgetvalue(res, i, 6), "ends_on",
                      withdrawn ? text_or_null(res, i, 9) : json_null(), "withdrawal", withdrawal));
    }
    PQclear(res);
    return EJ_OK;
}

/* One group's sums while they are added up. */
struct group_sums {
    int64_t group_id;
    const char *name; /* borrowed from the enrollments */
    long lessons, present, late, absent, excused, unexcused, without_reason;
    double hours, hours_attended;
    json_t *by_reason; /* [{reason_code, name, excused, absent, late}], owned */
};

static struct group_sums *group_of(struct group_sums *g, size_t *n, size_t cap, int64_t id,
                                   const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (g[i].group_id == id)
            return &g[i];
    if (*n == cap)
        return NULL;
    g[*n] = (struct group_sums){.group_id = id, .name = name, .by_reason = json_array()};
    return &g[(*n)++];
}

/* The attendance of the student in the year's groups, summed per group: every
 * group of an enrollment (zeros when nothing was recorded), in their order. */
static enum ej_err load_attendance(struct ej_db *db, const char *sid, const char *yid,
                                   const json_t *enrollments, json_t **out)
{
    const char *p[] = {sid, yid};
    size_t n = 0, cap = json_array_size(enrollments) + 64, i;
    struct group_sums *g = ej_xcalloc(cap, sizeof *g);
    json_t *e;
    *out = NULL;
    json_array_foreach(enrollments, i, e) {
        const json_t *grp = json_object_get(e, "group");
        group_of(g, &n, cap, json_integer_value(json_object_get(grp, "id")),
                 json_string_value(json_object_get(grp, "name")));
    }
    /* Per group, status and reason: counts and academic hours (each lesson's
     * rounded as the lesson shows it, 0005_lessons.sql). */
    PGresult *res = db_exec(
        db, DB_MANY | DB_READ,
        "SELECT l.group_id, g.name, a.status, a.reason_code, c.name, c.excused, count(*),"
        " sum(academic_hours(l.starts_at, l.ends_at))::text"
        " FROM lesson_attendance a JOIN lessons l ON l.id = a.lesson_id"
        " JOIN groups g ON g.id = l.group_id"
        " LEFT JOIN absence_reasons c ON c.code = a.reason_code"
        " WHERE a.student_id = $1 AND g.school_year_id = $2"
        " GROUP BY l.group_id, g.name, a.status, a.reason_code, c.name, c.excused, c.position"
        " ORDER BY l.group_id, c.position NULLS LAST, a.reason_code NULLS LAST, a.status",
        2, p);
    if (!res) {
        for (size_t k = 0; k < n; k++)
            json_decref(g[k].by_reason);
        free(g);
        return db->err;
    }
    for (int row = 0; row < PQntuples(res); row++) {
        struct group_sums *s = group_of(g, &n, cap, integer(res, row, 0), PQgetvalue(res, row, 1));
        if (!s)
            continue; /* more groups than enrollments + 64: cannot happen (attendance needs one) */
        const char *status = PQgetvalue(res, row, 2);
        long count = (long)integer(res, row, 6);
        double h = strtod(PQgetvalue(res, row, 7), NULL);
        bool has_reason = !PQgetisnull(res, row, 3),
             excused = has_reason && PQgetvalue(res, row, 5)[0] == 't';
        bool absent = strcmp(status, "absent") == 0, late = strcmp(status, "late") == 0;
        s->lessons += count;
        s->hours += h;
        if (!absent)
            s->hours_attended += h;
        if (absent) {
            s->absent += count;
            if (excused)
                s->excused += count;
            else
                s->unexcused += count;
            if (!has_reason)
                s->without_reason += count;
        } else if (late) {
            s->late += count;
        } else {
            s->present += count;
        }
        if (has_reason && (absent || late)) {
            /* Rows come ordered by reason: the same code is the last entry, if any. */
            size_t last = json_array_size(s->by_reason);
            json_t *entry = last ? json_array_get(s->by_reason, last - 1) : NULL;
            if (!entry || strcmp(json_string_value(json_object_get(entry, "reason_code")),
                                 PQgetvalue(res, row, 3)) != 0) {
                entry = json_pack("{s:s, s:s, s:b, s:i, s:i}", "reason_code",
                                  PQgetvalue(res, row, 3), "name", PQgetvalue(res, row, 4),
                                  "excused", excused, "absent", 0, "late", 0);
                json_array_append_new(s->by_reason, entry);
            }
            const char *key = absent ? "absent" : "late";
            json_object_set_new(
                entry, key, json_integer(json_integer_value(json_object_get(entry, key)) + count));
        }
    }
    json_t *items = json_array();
    for (size_t k = 0; k < n; k++) {
        struct group_sums *s = &g[k];
        json_array_append_new(
            items,
            json_pack("{s:I, s:s?, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:o, s:o, s:o}", "group_id",
                      (json_int_t)s->group_id, "group_name", s->name, "lessons", (int)s->lessons,
                      "present", (int)s->present, "late", (int)s->late, "absent", (int)s->absent,
                      "excused", (int)s->excused, "unexcused", (int)s->unexcused, "without_reason",
                      (int)s->without_reason, "by_reason", s->by_reason, "hours", hours(s->hours),
                      "hours_attended", hours(s->hours_attended)));
    }
    /* The names were borrowed from res and the enrollments: both still alive until here. */
    PQclear(res);
    free(g);
    *out = items;
    return EJ_OK;
}

enum ej_err ej_store_personal_file(struct ej_db *db, const struct ej_principal *who, int64_t sid,
                                   int64_t yid, unsigned scopes, json_t **out, bool *no_student)
{
    char s[24], y[24];
    json_t *student = NULL, *year = NULL, *institution = NULL, *guardians = NULL,
           *enrollments = NULL, *attendance = NULL;
    enum ej_err e;
    *out = NULL;
    *no_student = false;
    db_i64(s, sid);
    db_i64(y, yid);
    if ((e = load_student(db, who, s, scopes, &student)) != EJ_OK)
        goto out;
    if (!student) {
        *no_student = true;
        e = EJ_ERR_NOT_FOUND;
        goto out;
    }
    if ((e = load_year(db, y, &year)) != EJ_OK)
        goto out;
    if (!year) {
        e = EJ_ERR_NOT_FOUND;
        goto out;
    }
    if ((e = load_institution(db, &institution)) != EJ_OK ||
        (e = load_guardians(db, s, &guardians)) != EJ_OK ||
        (e = load_enrollments(db, s, y, &enrollments)) != EJ_OK ||
        (e = load_attendance(db, s, y, enrollments, &attendance)) != EJ_OK)
        goto out;
    PGresult *res = db_exec(db, DB_ONE | DB_READ, "SELECT utc(now())", 0, NULL);
    if (!res) {
        e = db->err;
        goto out;
    }
    *out = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:s}", "student", student, "guardians",
                     guardians, "school_year", year, "institution", institution, "enrollments",
                     enrollments, "attendance", attendance, "generated_at", PQgetvalue(res, 0, 0));
    PQclear(res);
    e = *out ? EJ_OK : EJ_ERR_INTERNAL;
out:
    json_decref(student);
    json_decref(year);
    json_decref(institution);
    json_decref(guardians);
    json_decref(enrollments);
    json_decref(attendance);
    return e;
}
