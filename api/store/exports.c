#include "store/exports.h"

#include "core/req.h"
#include "store/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column helpers: NULL columns become JSON null. */
static json_t *text_col(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static json_t *int_col(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null()
                                      : json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

/* Academic hours are numeric(…, 2) in SQL: a JSON number. */
static json_t *hours_col(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_real(0)
                                      : json_real(strtod(PQgetvalue(res, row, col), NULL));
}

static json_t *counts(json_int_t lessons, double hours, json_int_t sub_lessons, double sub_hours)
{
    return json_pack("{s:I, s:f, s:I, s:f}", "lessons", lessons, "hours", hours,
                     "substitute_lessons", sub_lessons, "substitute_hours", sub_hours);
}

/* Adds counts `c` into the totals object t (both hold the four fields). */
static void add_counts(json_t *t, const json_t *c)
{
    static const char *const ints[] = {"lessons", "substitute_lessons"};
    static const char *const reals[] = {"hours", "substitute_hours"};
    for (int i = 0; i < 2; i++) {
        json_object_set_new(t, ints[i],
                            json_integer(json_integer_value(json_object_get(t, ints[i])) +
                                         json_integer_value(json_object_get(c, ints[i]))));
        json_object_set_new(t, reals[i],
                            json_real(round((json_real_value(json_object_get(t, reals[i])) +
                                             json_real_value(json_object_get(c, reals[i]))) *
                                            100) /
                                      100)); /* hours have two decimals: no drift */
    }
}

enum ej_err ej_store_hours_report(struct ej_db *db, const char *from, const char *to,
                                  int64_t teacher_id, json_t **out)
{
    *out = NULL;
    char t[24];
    const char *p[] = {from, to, teacher_id ? db_i64(t, teacher_id) : NULL};
    /* §15: a lesson counts for whoever conducted it (the substitute where one
     * recorded it), "as a substitute" when that is the lesson's substitute. */
    PGresult *res = db_exec(
        db, DB_MANY | DB_READ,
        "SELECT l.conducted_by, u.full_name, u.external_id, g.id, g.name, g.external_id,"
        " p.id, p.name, count(*),"
        " sum(academic_hours(l.starts_at, l.ends_at)),"
        " count(*) FILTER (WHERE l.substitute_teacher_id = l.conducted_by),"
        " coalesce(sum(academic_hours(l.starts_at, l.ends_at))"
        "   FILTER (WHERE l.substitute_teacher_id = l.conducted_by), 0)"
        " FROM lessons l JOIN users u ON u.id = l.conducted_by"
        " JOIN groups g ON g.id = l.group_id JOIN programs p ON p.id = g.program_id"
        " WHERE l.recorded_at IS NOT NULL AND l.cancelled_at IS NULL"
        " AND l.date BETWEEN $1::date AND $2::date"
        " AND ($3::bigint IS NULL OR l.conducted_by = $3)"
        " GROUP BY l.conducted_by, u.full_name, u.external_id, g.id, g.name, g.external_id,"
        " p.id, p.name ORDER BY l.conducted_by, g.id",
        3, p);
    if (!res)
        return db->err;
    json_t *teachers = json_array(), *totals = counts(0, 0, 0, 0), *teacher = NULL;
    for (int i = 0, n = PQntuples(res); i < n; i++) {
        json_int_t tid = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        if (!teacher || json_integer_value(json_object_get(teacher, "teacher_id")) != tid) {
            teacher = json_pack("{s:I, s:o, s:o}", "teacher_id", tid, "full_name",
                                text_col(res, i, 1), "external_id", text_col(res, i, 2));
            json_t *zero = counts(0, 0, 0, 0);
            json_object_update(teacher, zero);
            json_decref(zero);
            json_object_set_new(teacher, "groups", json_array());
            json_array_append_new(teachers, teacher);
        }
        json_t *c = json_pack("{s:o, s:o, s:o}", "lessons", int_col(res, i, 8), "hours",
                              hours_col(res, i, 9), "substitute_lessons", int_col(res, i, 10));
        json_object_set_new(c, "substitute_hours", hours_col(res, i, 11));
        json_t *group = json_pack("{s:o, s:o, s:o, s:o, s:o}", "group_id", int_col(res, i, 3),
                                  "group_name", text_col(res, i, 4), "group_external_id",
                                  text_col(res, i, 5), "program_id", int_col(res, i, 6),
                                  "program_name", text_col(res, i, 7));
        json_object_update(group, c);
        json_array_append_new(json_object_get(teacher, "groups"), group);
        add_counts(teacher, c);
        add_counts(totals, c);
        json_decref(c);
    }
    PQclear(res);
    *out = json_pack("{s:s, s:s, s:o, s:o}", "from", from, "to", to, "teachers", teachers, "totals",
                     totals);
    return EJ_OK;
}

/* ---- the group journal ---- */

static enum ej_err journal_head(struct ej_db *db, int64_t who, const char *g, unsigned scopes,
                                unsigned attendance_scopes, const char *from, const char *to,
                                json_t **group, char *range_from, char *range_to,
                                int *with_attendance)
{
    char uid[24], sc[24], asc[24];
    const char *p[] = {
        g, db_i64(uid, who), db_i64(sc, scopes), db_i64(asc, attendance_scopes), from, to};
    PGresult *res;
    enum ej_err e = db_row(
        db, &res, DB_READ,
        "SELECT g.id, g.name, g.external_id, p.id, p.name, y.id, y.name,"
        " coalesce($5::date, y.starts_on), coalesce($6::date, y.ends_on),"
        " visible_group($2, $4, g.id),"
        " (SELECT coalesce(string_agg(u.full_name, ', ' ORDER BY u.full_name, u.id), '')"
        "  FROM group_teachers t JOIN users u ON u.id = t.teacher_id WHERE t.group_id = g.id)"
        " FROM groups g JOIN programs p ON p.id = g.program_id"
        " JOIN school_years y ON y.id = g.school_year_id"
        " WHERE g.id = $1 AND visible_group($2, $3, g.id)",
        6, p);
    if (e != EJ_OK)
        return e;
    *group = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "id", int_col(res, 0, 0), "name",
                       text_col(res, 0, 1), "external_id", text_col(res, 0, 2), "program_id",
                       int_col(res, 0, 3), "program_name", text_col(res, 0, 4), "school_year_id",
                       int_col(res, 0, 5), "school_year_name", text_col(res, 0, 6), "teachers",
                       text_col(res, 0, 10));
    snprintf(range_from, 11, "%s", PQgetvalue(res, 0, 7));
    snprintf(range_to, 11, "%s", PQgetvalue(res, 0, 8));
    *with_attendance = PQgetvalue(res, 0, 9)[0] == 't';
    PQclear(res);
    return EJ_OK;
}

static enum ej_err journal_lessons(struct ej_db *db, const char *g, const char *from,
                                   const char *to, json_t *lessons)
{
    const char *p[] = {g, from, to};
    /* The conducting teacher: who recorded it; before that the substitute,
     * else the group's first teacher (as GET /lessons/{id} shows it). */
    PGresult *res = db_exec(
        db, DB_MANY | DB_READ,
        "SELECT l.id, l.date, to_char(l.starts_at, 'HH24:MI'), to_char(l.ends_at, 'HH24:MI'),"
        " academic_hours(l.starts_at, l.ends_at), lesson_state(l), l.topic, c.id, c.full_name,"
        " l.substitute_teacher_id IS NOT NULL AND c.id = l.substitute_teacher_id, l.cancel_reason"
        " FROM lessons l LEFT JOIN users c ON c.id = coalesce(l.conducted_by,"
        "  l.substitute_teacher_id, (SELECT min(t.teacher_id) FROM group_teachers t"
        "  WHERE t.group_id = l.group_id))"
        " WHERE l.group_id = $1 AND l.date BETWEEN $2::date AND $3::date"
        " ORDER BY l.date, l.starts_at, l.id",
        3, p);
    if (!res)
        return db->err;
    for (int i = 0, n = PQntuples(res); i < n; i++) {
        json_t *l = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o}", "id",
                              int_col(res, i, 0), "date", text_col(res, i, 1), "starts_at",
                              text_col(res, i, 2), "ends_at", text_col(res, i, 3), "hours",
                              hours_col(res, i, 4), "state", text_col(res, i, 5), "topic",
                              text_col(res, i, 6), "teacher_id", int_col(res, i, 7), "teacher_name",
                              text_col(res, i, 8), "by_substitute", PQgetvalue(res, i, 9)[0] == 't',
                              "cancel_reason", text_col(res, i, 10));
        json_array_append_new(lessons, l);
    }
    PQclear(res);
    return EJ_OK;
}

static enum ej_err journal_students(struct ej_db *db, const char *g, const char *from,
                                    const char *to, int with_attendance, json_t *students)
{
    const char *p[] = {g, from, to};
    /* Everyone enrolled at some time in the range (withdrawn ones until their
     * withdrawal took effect). */
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            "SELECT s.id, s.full_name, s.external_id, min(e.starts_on),"
                            " CASE WHEN bool_or(e.withdrawn_at IS NULL) THEN NULL"
                            "  ELSE max(e.withdrawal_effective_on) END"
                            " FROM enrollments e JOIN students s ON s.id = e.student_id"
                            " WHERE e.group_id = $1 AND e.starts_on <= $3::date"
                            " AND (e.withdrawn_at IS NULL OR e.withdrawal_effective_on >= $2::date)"
                            " GROUP BY s.id ORDER BY s.full_name, s.id",
                            3, p);
    if (!res)
        return db->err;
    for (int i = 0, n = PQntuples(res); i < n; i++) {
        json_t *s = json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", int_col(res, i, 0), "full_name",
                              text_col(res, i, 1), "external_id", text_col(res, i, 2), "starts_on",
                              text_col(res, i, 3), "withdrawn_on", text_col(res, i, 4));
        if (with_attendance)
            json_object_set_new(s, "attendance", json_array());
        json_array_append_new(students, s);
    }
    PQclear(res);
    if (!with_attendance)
        return EJ_OK;
    res = db_exec(db, DB_MANY | DB_READ,
                  "SELECT a.student_id, a.lesson_id, a.status, a.reason_code"
                  " FROM lesson_attendance a JOIN lessons l ON l.id = a.lesson_id"
                  " WHERE l.group_id = $1 AND l.date BETWEEN $2::date AND $3::date"
                  " ORDER BY a.student_id, l.date, l.starts_at, l.id",
                  3, p);
    if (!res)
        return db->err;
    /* Both lists are in student order only by id here; match by id. */
    size_t k;
    json_t *s;
    for (int i = 0, n = PQntuples(res); i < n; i++) {
        json_int_t sid = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        json_array_foreach(students, k, s) {
            if (json_integer_value(json_object_get(s, "id")) != sid)
                continue;
            json_array_append_new(json_object_get(s, "attendance"),
                                  json_pack("{s:o, s:o, s:o}", "lesson_id", int_col(res, i, 1),
                                            "status", text_col(res, i, 2), "reason_code",
                                            text_col(res, i, 3)));
            break;
        }
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_group_journal(struct ej_db *db, const struct ej_principal *who,
                                   unsigned scopes, unsigned attendance_scopes, int64_t group_id,
                                   const char *from, const char *to, json_t **out)
{
    char g[24], range_from[16], range_to[16];
    int with_attendance = 0;
    json_t *group = NULL, *lessons = json_array(), *students = json_array();
    db_i64(g, group_id);
    *out = NULL;
    enum ej_err e = journal_head(db, who->user_id, g, scopes, attendance_scopes, from, to, &group,
                                 range_from, range_to, &with_attendance);
    if (e == EJ_OK)
        e = journal_lessons(db, g, range_from, range_to, lessons);
    if (e == EJ_OK)
        e = journal_students(db, g, range_from, range_to, with_attendance, students);
    if (e != EJ_OK) {
        json_decref(group);
        json_decref(lessons);
        json_decref(students);
        return e;
    }
    *out = json_pack("{s:o, s:s, s:s, s:b, s:o, s:o}", "group", group, "from", range_from, "to",
                     range_to, "attendance_included", with_attendance, "lessons", lessons,
                     "students", students);
    return EJ_OK;
}
