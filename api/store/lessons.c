#include "store/lessons.h"

#include "core/alloc.h"
#include "core/req.h"
#include "store/audit.h"
#include "store/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The actor of a write as a parameter (NULL: none). */
static const char *actor_param(const struct ej_db *db, char buf[24])
{
    return db->who ? db_i64(buf, db->who->user_id) : NULL;
}

enum ej_err ej_store_group_year_lock(struct ej_db *db, int64_t gid, struct ej_group_year *g)
{
    char gb[24];
    const char *p[] = {db_i64(gb, gid)};
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT to_char(y.starts_on, 'YYYY-MM-DD'),"
                           " to_char(y.ends_on, 'YYYY-MM-DD'), y.closed_at IS NOT NULL"
                           " FROM groups g JOIN school_years y ON y.id = g.school_year_id"
                           " WHERE g.id = $1 FOR NO KEY UPDATE OF g",
                           1, p);
    if (e != EJ_OK)
        return e;
    snprintf(g->starts_on, sizeof g->starts_on, "%s", PQgetvalue(res, 0, 0));
    snprintf(g->ends_on, sizeof g->ends_on, "%s", PQgetvalue(res, 0, 1));
    g->closed = PQgetvalue(res, 0, 2)[0] == 't';
    PQclear(res);
    return EJ_OK;
}

/* --- schedule ------------------------------------------------------------------------------ */

/* Inserts the slot, or finds the same one posted before: *slot_id, *created.
 * The same weekday, start and dates with another end or room: EJ_ERR_CONFLICT
 * with *conflict that slot. p: $1 group, $2 weekday, $3 starts, $4 ends, $5
 * room, $6 valid_from, $7 valid_to, $8 actor. */
static enum ej_err upsert_slot(struct ej_db *db, const char *const *p, int64_t *slot_id,
                               bool *created, json_t **conflict)
{
    PGresult *res = db_exec(db, DB_OPT,
                            "INSERT INTO schedule_slots (group_id, weekday, starts_at, ends_at,"
                            " room, valid_from, valid_to, created_by)"
                            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                            " ON CONFLICT ON CONSTRAINT schedule_slots_unique DO NOTHING"
                            " RETURNING id",
                            8, p);
    if (!res)
        return db->err;
    *created = PQntuples(res) == 1;
    if (*created) {
        *slot_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return EJ_OK;
    }
    PQclear(res);
    res = db_exec(
        db, DB_ONE,
        "SELECT s.id, s.ends_at = $4::time AND s.room IS NOT DISTINCT FROM $5,"
        " slot_json(s) FROM schedule_slots s WHERE s.group_id = $1 AND s.weekday = $2"
        " AND s.starts_at = $3::time AND s.valid_from = $6::date AND s.valid_to = $7::date",
        7, p);
    if (!res)
        return db->err;
    *slot_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    bool same = PQgetvalue(res, 0, 1)[0] == 't';
    if (!same)
        *conflict = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    PQclear(res);
    return same ? EJ_OK : (db->err = EJ_ERR_CONFLICT);
}

/* The dates of the slot: candidates {date, deadline} and public holidays in skipped. */
static void slot_dates(const struct ej_cal *c, ej_day from, ej_day to, int weekday,
                       json_t *candidates, json_t *skipped)
{
    ej_day d = from + ((weekday - ej_weekday(from)) % 7 + 7) % 7;
    for (; d <= to; d += 7) {
        char date[EJ_DATE_BUFSZ], deadline[EJ_UTC_BUFSZ];
        ej_date_format(d, date);
        const char *holiday = ej_public_holiday_name(&c->cal, d);
        if (holiday) {
            json_array_append_new(skipped, json_pack("{s:s, s:s, s:s}", "date", date, "reason",
                                                     "public_holiday", "name", holiday));
            continue;
        }
        ej_format_utc(ej_cal_deadline(c, d), deadline);
        json_array_append_new(candidates,
                              json_pack("{s:s, s:s}", "date", date, "deadline", deadline));
    }
}

/* Inserts the lessons of a slot on the candidate dates where the group has
 * no lesson at that time yet; the others go to skipped. *ids: new array. */
static enum ej_err insert_slot_lessons(struct ej_db *db, const char *const *slot_params,
                                       const char *slot_id, const json_t *candidates,
                                       json_t *skipped, json_t **ids)
{
    char *doc = json_dumps(candidates, JSON_COMPACT);
    const char *p[] = {slot_params[0], slot_id, slot_params[2], slot_params[3], slot_params[4],
                       slot_params[7], doc};
    PGresult *res = db_exec(
        db, DB_MANY,
        "INSERT INTO lessons AS l (group_id, slot_id, date, starts_at, ends_at, room, deadline,"
        " created_by)"
        " SELECT $1::bigint, $2::bigint, x.date, $3::time, $4::time, $5::text, x.deadline,"
        " $6::bigint FROM jsonb_to_recordset($7::jsonb) AS x(date date, deadline timestamptz)"
        " WHERE NOT EXISTS (SELECT 1 FROM lessons o WHERE o.group_id = $1::bigint"
        "   AND o.date = x.date AND o.cancelled_at IS NULL"
        "   AND o.starts_at < $4::time AND o.ends_at > $3::time)"
        " ON CONFLICT ON CONSTRAINT lessons_group_date_start_key DO NOTHING"
        " RETURNING l.id, to_char(l.date, 'YYYY-MM-DD')",
        7, p);
    free(doc);
    *ids = NULL;
    if (!res)
        return db->err;
    *ids = json_array();
    size_t i;
    json_t *cand;
    int rows = PQntuples(res);
    for (int k = 0; k < rows; k++)
        json_array_append_new(*ids, json_integer(strtoll(PQgetvalue(res, k, 0), NULL, 10)));
    json_array_foreach(candidates, i, cand) {
        const char *date = json_string_value(json_object_get(cand, "date"));
        int made = 0;
        for (int k = 0; k < rows && !made; k++)
            made = strcmp(PQgetvalue(res, k, 1), date) == 0;
        if (!made)
            json_array_append_new(skipped,
                                  json_pack("{s:s, s:s}", "date", date, "reason", "lesson_exists"));
    }
    PQclear(res);
    return EJ_OK;
}

static int date_order(const void *a, const void *b)
{
    return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "date")),
                  json_string_value(json_object_get(*(json_t *const *)b, "date")));
}

/* Sorts skipped entries by date (holidays and existing lessons interleave). */
static void sort_by_date(json_t *arr)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return;
    json_t **v = ej_xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = json_incref(json_array_get(arr, i));
    qsort(v, n, sizeof *v, date_order);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, v[i]);
    free(v);
}

enum ej_err ej_store_schedule_create(struct ej_db *db, int64_t gid, const struct ej_slot_in *in,
                                     const struct ej_cal *c, struct ej_schedule_out *o)
{
    char gidb[24], wdb[24], actor[24], slotb[24];
    json_t *candidates = json_array(), *skipped = json_array(), *ids = NULL, *slot = NULL;
    const char *p[] = {
        db_i64(gidb, gid), db_i64(wdb, in->weekday), in->starts_at, in->ends_at,
        in->room,          in->valid_from,           in->valid_to,  actor_param(db, actor)};
    int64_t slot_id = 0;
    enum ej_err rc;
    ej_day dfrom, dto;
    memset(o, 0, sizeof *o);
    ej_date_parse(in->valid_from, &dfrom);
    ej_date_parse(in->valid_to, &dto);
    if ((rc = upsert_slot(db, p, &slot_id, &o->created, &o->conflict)) != EJ_OK)
        goto out;
    slot_dates(c, dfrom, dto, in->weekday, candidates, skipped);
    if ((rc = insert_slot_lessons(db, p, db_i64(slotb, slot_id), candidates, skipped, &ids)) !=
        EJ_OK)
        goto out;
    sort_by_date(skipped);
    const char *sp[] = {slotb};
    if ((rc = db_json(db, &slot, "SELECT slot_json(s) FROM schedule_slots s WHERE s.id = $1", 1,
                      sp)) != EJ_OK)
        goto out;
    size_t made = json_array_size(ids);
    if (o->created || made > 0) {
        json_t *after = json_pack("{s:O, s:O}", "slot", slot, "lesson_ids", ids);
        rc = ej_audit(db, o->created ? "schedule.create" : "schedule.generate", "schedule_slot",
                      slot_id, NULL, after);
        json_decref(after);
        if (rc != EJ_OK)
            goto out;
    }
    o->out = json_pack("{s:O, s:I, s:O}", "slot", slot, "lessons_created", (json_int_t)made,
                       "skipped", skipped);
out:
    json_decref(candidates);
    json_decref(skipped);
    json_decref(ids);
    json_decref(slot);
    return rc;
}

enum ej_err ej_store_schedule_list(struct ej_db *db, const struct ej_principal *who, int64_t gid,
                                   unsigned scopes, int limit, int64_t after, json_t **items)
{
    char g[24], v[24], s[24], l[24], a[24];
    const char *p[] = {db_i64(g, gid), db_i64(v, who->user_id), db_i64(s, scopes), db_i64(l, limit),
                       db_i64(a, after)};
    if (db_json(db, items,
                "SELECT CASE WHEN visible_group($2, $3::int, g.id) THEN"
                " (SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM ("
                "  SELECT s.id, slot_json(s) AS j FROM schedule_slots s"
                "  WHERE s.group_id = g.id AND s.id > $5 ORDER BY s.id LIMIT $4) x) END"
                " FROM groups g WHERE g.id = $1",
                5, p) != EJ_OK)
        return db->err;
    return *items ? EJ_OK : (db->err = EJ_ERR_NOT_FOUND);
}

/* --- the lesson's view: plain SQL returning columns, rendered here ------------------------ */

/* Who reads a lesson decides what of it they see (§20), and these fragments
 * are the one place that says so for every read of lessons (one, a list, an
 * entry, the full view of writes and of the audit trail). Parameters, the same
 * in every statement that uses them: $1 the viewer (NULL: the full view, every
 * attendance row and the extension), $2 the caller's lesson scopes, $3 their
 * attendance scopes (api/rules/access.c).
 *
 * A lesson is visible when its group is (visible_group) or, to a teacher
 * (lesson scope 2), when the viewer substitutes in it. Whoever sees all
 * (scope 1) is let through before the call: visible_group's own first test,
 * made here so that a list does not call two PL/pgSQL functions per lesson
 * for them (20 us a lesson, a quarter of the week's statement; issue 13). */
#define LESSON_VISIBLE                          \
    "($1::bigint IS NULL OR ($2::int & 1) <> 0" \
    " OR visible_lesson($1, $2::int, l.group_id, l.substitute_teacher_id))"
/* Every attendance row and the extension (whose reason concerns the teacher):
 * the full view, whoever sees all (attendance scope 1), and a teacher (2) of
 * this lesson: the substitute or a teacher of its group (a teacher who is
 * also a guardian does not see a colleague's lesson in full). */
#define SEES_ALL                                                                   \
    "($1::bigint IS NULL OR ($3::int & 1) <> 0 OR (($3::int & 2) <> 0"             \
    " AND (l.substitute_teacher_id = $1 OR EXISTS (SELECT 1 FROM group_teachers t" \
    "   WHERE t.group_id = l.group_id AND t.teacher_id = $1))))"
/* Else only some rows: a guardian's (4) children's, a student's (8) own;
 * none for staff. a: lesson_attendance, s: its student, x: the lesson. */
#define ROW_VISIBLE                                                                     \
    "(x.sees_all OR (($3::int & 4) <> 0 AND EXISTS (SELECT 1 FROM student_guardians sg" \
    "   WHERE sg.student_id = a.student_id AND sg.guardian_id = $1))"                   \
    " OR (($3::int & 8) <> 0 AND s.user_id = $1))"

/* The lesson's columns, in the order render_lesson reads them (L_*), from
 * lessons l joined with its group g and programme p. */
#define LESSON_COLUMNS                                                                             \
    "l.id, l.group_id, g.name AS group_name, p.id AS program_id, p.name AS program_name,"          \
    " l.slot_id, to_char(l.date, 'YYYY-MM-DD') AS date_text,"                                      \
    " to_char(l.starts_at, 'HH24:MI') AS starts_text, to_char(l.ends_at, 'HH24:MI') AS ends_text," \
    " academic_hours(l.starts_at, l.ends_at) AS hours, l.room,"                                    \
    " (SELECT array_agg(t.teacher_id ORDER BY t.teacher_id) FROM group_teachers t"                 \
    "   WHERE t.group_id = l.group_id)::text AS teacher_ids,"                                      \
    " l.substitute_teacher_id, lesson_state(l) AS state, utc(l.deadline) AS deadline_text,"        \
    " l.topic, l.conducted_by, utc(l.recorded_at) AS recorded_text, l.late,"                       \
    " utc(l.cancelled_at) AS cancelled_text, l.cancel_reason,"                                     \
    " utc(l.extension_until) AS ext_until, l.extension_reason, l.extension_granted_by,"            \
    " utc(l.extension_granted_at) AS ext_granted_at, l.version,"                                   \
    " utc(l.created_at) AS created_text, utc(l.updated_at) AS updated_text,"                       \
    " " SEES_ALL " AS sees_all, l.date, l.starts_at"                                               \
    " FROM lessons l JOIN groups g ON g.id = l.group_id JOIN programs p ON p.id = g.program_id"
enum {
    L_ID,
    L_GROUP_ID,
    L_GROUP_NAME,
    L_PROGRAM_ID,
    L_PROGRAM_NAME,
    L_SLOT_ID,
    L_DATE,
    L_STARTS,
    L_ENDS,
    L_HOURS,
    L_ROOM,
    L_TEACHER_IDS,
    L_SUBSTITUTE,
    L_STATE,
    L_DEADLINE,
    L_TOPIC,
    L_CONDUCTED_BY,
    L_RECORDED_AT,
    L_LATE,
    L_CANCELLED_AT,
    L_CANCEL_REASON,
    L_EXT_UNTIL,
    L_EXT_REASON,
    L_EXT_GRANTED_BY,
    L_EXT_GRANTED_AT,
    L_VERSION,
    L_CREATED_AT,
    L_UPDATED_AT,
    L_SEES_ALL,
    L_SORT_DATE,
    L_SORT_STARTS,
    /* then the visible attendance rows (see WITH_ATTENDANCE), NULL when there is none */
    L_ATTENDANCE,
    L_NCOLS
};
/* The fields of one attendance row in L_ATTENDANCE, in order. */
enum { A_STUDENT_ID, A_STUDENT_NAME, A_STATUS, A_REASON, A_REASON_NOTE, A_REASON_REPORT_ID };
/* The lessons selected by the CTE x (LESSON_COLUMNS with a WHERE), one result
 * row each, with its visible attendance rows by name packed into one column
 * (a JSON array of [student_id, name, status, reason, note, report id]
 * arrays, rendered into objects here): one statement and one round trip for
 * any number of lessons. One row per attendance row repeated the lesson's 31
 * columns 20 times and sorted the wide rows: half the database's time for a
 * week of lessons (issue 13). ORDER_BY: the lessons' order. */
#define WITH_ATTENDANCE(order_by)                                                              \
    " SELECT x.*, (SELECT json_agg(json_build_array(a.student_id, s.full_name, a.status,"      \
    "   a.reason_code, a.reason_note, a.reason_report_id) ORDER BY s.full_name, a.student_id)" \
    "   FROM lesson_attendance a JOIN students s ON s.id = a.student_id"                       \
    "   WHERE a.lesson_id = x.id AND " ROW_VISIBLE ") FROM x"                                  \
    " ORDER BY " order_by

/* Appends to the statement in sql (cap bytes). */
static void appendf(char *sql, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *sql, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(sql);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql + len, cap - len, fmt, ap);
    va_end(ap);
}

static json_t *col_text(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static json_t *col_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null()
                                      : json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

static json_t *col_bool(const PGresult *res, int row, int col)
{
    return json_boolean(PQgetvalue(res, row, col)[0] == 't');
}

/* A numeric: an integer when it has no fraction (2), else a real (1.33), as
 * PostgreSQL's json would give it. */
static json_t *col_number(const PGresult *res, int row, int col)
{
    const char *v = PQgetvalue(res, row, col);
    return strchr(v, '.') ? json_real(strtod(v, NULL)) : json_integer(strtoll(v, NULL, 10));
}

/* "{3,5}" (an int8[] as text), or NULL: a JSON array of integers. */
static json_t *col_id_array(const PGresult *res, int row, int col)
{
    json_t *a = json_array();
    if (PQgetisnull(res, row, col))
        return a;
    const char *s = PQgetvalue(res, row, col);
    while (*s) {
        char *end;
        long long v = strtoll(s + (*s == '{' || *s == ','), &end, 10);
        if (end == s + (*s == '{' || *s == ','))
            break;
        json_array_append_new(a, json_integer(v));
        s = end;
    }
    return a;
}

/* The lesson of one result row, in a person's reading order: what and when,
 * its state, who (group, programme, teachers), where, the entry, its
 * deadline and extension, cancellation, origin, attendance, bookkeeping. */
static json_t *render_lesson(const PGresult *res, int row)
{
    json_t *teachers = col_id_array(res, row, L_TEACHER_IDS);
    json_t *o = json_object();
    json_object_set_new(o, "id", col_int(res, row, L_ID));
    json_object_set_new(o, "date", col_text(res, row, L_DATE));
    json_object_set_new(o, "starts_at", col_text(res, row, L_STARTS));
    json_object_set_new(o, "ends_at", col_text(res, row, L_ENDS));
    json_object_set_new(o, "hours", col_number(res, row, L_HOURS));
    json_object_set_new(o, "state", col_text(res, row, L_STATE));
    json_object_set_new(o, "group_id", col_int(res, row, L_GROUP_ID));
    json_object_set_new(o, "group_name", col_text(res, row, L_GROUP_NAME));
    json_object_set_new(o, "program_id", col_int(res, row, L_PROGRAM_ID));
    json_object_set_new(o, "program_name", col_text(res, row, L_PROGRAM_NAME));
    json_t *first = json_array_get(teachers, 0);
    json_object_set_new(o, "teacher_id", first ? json_incref(first) : json_null());
    json_object_set_new(o, "teacher_ids", teachers);
    json_object_set_new(o, "substitute_teacher_id", col_int(res, row, L_SUBSTITUTE));
    json_object_set_new(o, "room", col_text(res, row, L_ROOM));
    json_object_set_new(o, "topic", col_text(res, row, L_TOPIC));
    json_object_set_new(o, "conducted_by", col_int(res, row, L_CONDUCTED_BY));
    json_object_set_new(o, "recorded_at", col_text(res, row, L_RECORDED_AT));
    json_object_set_new(o, "late", col_bool(res, row, L_LATE));
    json_object_set_new(o, "deadline", col_text(res, row, L_DEADLINE));
    json_t *ext = json_null();
    if (!PQgetisnull(res, row, L_EXT_UNTIL) && PQgetvalue(res, row, L_SEES_ALL)[0] == 't') {
        json_decref(ext);
        ext = json_object();
        json_object_set_new(ext, "until", col_text(res, row, L_EXT_UNTIL));
        json_object_set_new(ext, "reason", col_text(res, row, L_EXT_REASON));
        json_object_set_new(ext, "granted_by", col_int(res, row, L_EXT_GRANTED_BY));
        json_object_set_new(ext, "granted_at", col_text(res, row, L_EXT_GRANTED_AT));
    }
    json_object_set_new(o, "extension", ext);
    json_object_set_new(o, "cancelled_at", col_text(res, row, L_CANCELLED_AT));
    json_object_set_new(o, "cancel_reason", col_text(res, row, L_CANCEL_REASON));
    json_object_set_new(o, "slot_id", col_int(res, row, L_SLOT_ID));
    json_object_set_new(o, "attendance", json_array());
    json_object_set_new(o, "version", col_int(res, row, L_VERSION));
    json_object_set_new(o, "created_at", col_text(res, row, L_CREATED_AT));
    json_object_set_new(o, "updated_at", col_text(res, row, L_UPDATED_AT));
    return o;
}

/* One packed attendance row (an array in A_* order) as its object. */
static json_t *render_row(json_t *v)
{
    json_t *a = json_object();
    json_object_set(a, "student_id", json_array_get(v, A_STUDENT_ID));
    json_object_set(a, "student_name", json_array_get(v, A_STUDENT_NAME));
    json_object_set(a, "status", json_array_get(v, A_STATUS));
    json_object_set(a, "reason", json_array_get(v, A_REASON));
    json_object_set(a, "reason_note", json_array_get(v, A_REASON_NOTE));
    json_object_set(a, "reason_report_id", json_array_get(v, A_REASON_REPORT_ID));
    return a;
}

/* The lessons of a WITH_ATTENDANCE result, in its order: a new array, or
 * NULL if a packed attendance column is not what the statement makes. */
static json_t *render_lessons(const PGresult *res)
{
    json_t *out = json_array();
    for (int k = 0; k < PQntuples(res); k++) {
        json_t *cur = render_lesson(res, k);
        json_array_append_new(out, cur);
        if (PQgetisnull(res, k, L_ATTENDANCE))
            continue;
        json_t *rows = json_loads(PQgetvalue(res, k, L_ATTENDANCE), 0, NULL), *v;
        json_t *att = json_object_get(cur, "attendance");
        size_t i;
        json_array_foreach(rows, i, v) {
            if (json_array_size(v) != A_REASON_REPORT_ID + 1)
                break;
            json_array_append_new(att, render_row(v));
        }
        bool ok = json_is_array(rows) && i == json_array_size(rows);
        json_decref(rows);
        if (!ok) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* One lesson as viewer (0: the full view) with these scopes sees it; *lesson
 * NULL when there is none they may see. */
static enum ej_err load_lesson(struct ej_db *db, int64_t id, int64_t viewer, unsigned scopes,
                               unsigned attendance_scopes, json_t **lesson)
{
    char i[24], v[24], s[24], as[24];
    struct ej_audit_read_bufs ab;
    const char *p[10] = {viewer ? db_i64(v, viewer) : NULL, db_i64(s, scopes),
                         db_i64(as, attendance_scopes), db_i64(i, id)};
    char sql[6144] = "WITH x AS MATERIALIZED (SELECT " LESSON_COLUMNS
                     " WHERE l.id = $4 AND " LESSON_VISIBLE ")";
    /* §20: an employee's read is recorded by this statement, if it finds the lesson. */
    int n = ej_audit_read_in(db, sql, sizeof sql, "EXISTS (SELECT 1 FROM x)", p, 4, &ab);
    appendf(sql, sizeof sql, "%s", WITH_ATTENDANCE("x.id"));
    *lesson = NULL;
    PGresult *res = db_exec(db, DB_MANY | (n == 4 ? DB_READ : 0), sql, n, p);
    if (!res)
        return db->err;
    if (PQnfields(res) != L_NCOLS) {
        PQclear(res);
        return db->err = EJ_ERR_INTERNAL;
    }
    json_t *all = render_lessons(res);
    PQclear(res);
    if (!all)
        return db->err = EJ_ERR_INTERNAL;
    *lesson = json_incref(json_array_get(all, 0));
    json_decref(all);
    return EJ_OK;
}

enum ej_err ej_store_lesson_full(struct ej_db *db, int64_t id, json_t **lesson)
{
    if (load_lesson(db, id, 0, 0, 1, lesson) != EJ_OK)
        return db->err;
    return *lesson ? EJ_OK : (db->err = EJ_ERR_NOT_FOUND);
}

/* --- lessons ------------------------------------------------------------------------------- */

enum ej_err ej_store_lesson_lock(struct ej_db *db, int64_t id, json_t **lesson, bool *year_closed)
{
    char ib[24];
    const char *p[] = {db_i64(ib, id)};
    *lesson = NULL;
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT y.closed_at IS NOT NULL FROM lessons l"
                           " JOIN groups g ON g.id = l.group_id"
                           " JOIN school_years y ON y.id = g.school_year_id"
                           " WHERE l.id = $1 FOR NO KEY UPDATE OF l",
                           1, p);
    if (e != EJ_OK)
        return e;
    *year_closed = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return ej_store_lesson_full(db, id, lesson);
}

enum ej_err ej_store_lesson_clash(struct ej_db *db, const struct ej_lesson_in *in,
                                  int64_t *clash_id, bool *same_start)
{
    char gb[24];
    const char *p[] = {db_i64(gb, in->group_id), in->date, in->starts_at, in->ends_at};
    *clash_id = 0;
    *same_start = false;
    PGresult *res = db_exec(db, DB_OPT,
                            "SELECT o.id, o.starts_at = $3::time FROM lessons o"
                            " WHERE o.group_id = $1 AND o.date = $2::date"
                            " AND (o.starts_at = $3::time OR (o.cancelled_at IS NULL"
                            "   AND o.starts_at < $4::time AND o.ends_at > $3::time))"
                            " ORDER BY o.starts_at <> $3::time LIMIT 1",
                            4, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        *clash_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *same_start = PQgetvalue(res, 0, 1)[0] == 't';
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_lesson_create(struct ej_db *db, const struct ej_lesson_in *in,
                                   const struct ej_cal *c, json_t **lesson)
{
    char gidb[24], actor[24], deadline[EJ_UTC_BUFSZ];
    ej_day d;
    *lesson = NULL;
    ej_date_parse(in->date, &d);
    ej_format_utc(ej_cal_deadline(c, d), deadline);
    const char *p[] = {
        db_i64(gidb, in->group_id), in->date, in->starts_at, in->ends_at, in->room, deadline,
        actor_param(db, actor)};
    PGresult *res = db_exec(db, DB_ONE,
                            "INSERT INTO lessons AS l (group_id, date, starts_at, ends_at, room,"
                            " deadline, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                            " RETURNING l.id",
                            7, p);
    if (!res)
        return db->err;
    int64_t id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (ej_store_lesson_full(db, id, lesson) != EJ_OK ||
        ej_audit(db, "lesson.create", "lesson", id, NULL, *lesson) != EJ_OK) {
        json_decref(*lesson);
        *lesson = NULL;
        return db->err;
    }
    return EJ_OK;
}

enum ej_err ej_store_lesson_list(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                 unsigned attendance_scopes, const struct ej_lesson_filter *f,
                                 json_t **items)
{
    char v[24], s[24], as[24], g[24], t[24], l[24], a[24];
    struct ej_audit_read_bufs ab;
    const char *p[16] = {db_i64(v, who->user_id), db_i64(s, scopes), db_i64(as, attendance_scopes)};
    int n = 3;
    /* Only the filters given are in the statement (one prepared statement per
     * combination), so that each has a plan of its own that uses the index
     * for them (lessons_group_date_start_key, lessons_date) and is not planned
     * again on every call, as "($4 IS NULL OR ...)" for every filter was. */
    char sql[6144] = "WITH x AS MATERIALIZED (SELECT " LESSON_COLUMNS " WHERE " LESSON_VISIBLE;
    if (f->group_id) {
        p[n++] = db_i64(g, f->group_id);
        appendf(sql, sizeof sql, " AND l.group_id = $%d", n);
    }
    /* teacher_id: who conducts it, the substitute if one is assigned */
    if (f->teacher_id) {
        p[n++] = db_i64(t, f->teacher_id);
        appendf(sql, sizeof sql,
                " AND CASE WHEN l.substitute_teacher_id IS NOT NULL"
                " THEN l.substitute_teacher_id = $%d ELSE EXISTS (SELECT 1 FROM group_teachers gt"
                " WHERE gt.group_id = l.group_id AND gt.teacher_id = $%d) END",
                n, n);
    }
    if (f->from) {
        p[n++] = f->from;
        appendf(sql, sizeof sql, " AND l.date >= $%d::date", n);
    }
    if (f->to) {
        p[n++] = f->to;
        appendf(sql, sizeof sql, " AND l.date <= $%d::date", n);
    }
    if (f->state) {
        p[n++] = f->state;
        appendf(sql, sizeof sql, " AND lesson_state(l) = $%d::text", n);
    }
    /* The cursor is looked up among the lessons the caller may see: one they may not
     * see ends the list as a lesson that does not exist does, so a cursor reveals
     * nothing about lessons hidden from them (§20). */
    if (f->after) {
        p[n++] = db_i64(a, f->after);
        appendf(sql, sizeof sql,
                " AND (l.date, l.starts_at, l.id) > (SELECT c.date, c.starts_at, c.id"
                " FROM lessons c WHERE c.id = $%d"
                " AND visible_lesson($1, $2::int, c.group_id, c.substitute_teacher_id))",
                n);
    }
    p[n++] = db_i64(l, f->limit);
    appendf(sql, sizeof sql, " ORDER BY l.date, l.starts_at, l.id LIMIT $%d)", n);
    /* §20: an employee's read is recorded by this statement (an empty page too). */
    int read_only = n;
    n = ej_audit_read_in(db, sql, sizeof sql, "true", p, n, &ab);
    appendf(sql, sizeof sql, "%s", WITH_ATTENDANCE("x.date, x.starts_at, x.id"));
    *items = NULL;
    PGresult *res = db_exec(db, DB_MANY | (n == read_only ? DB_READ : 0), sql, n, p);
    if (!res)
        return db->err;
    if (PQnfields(res) != L_NCOLS) {
        PQclear(res);
        return db->err = EJ_ERR_INTERNAL;
    }
    *items = render_lessons(res);
    PQclear(res);
    return *items ? EJ_OK : (db->err = EJ_ERR_INTERNAL);
}

enum ej_err ej_store_lesson_get(struct ej_db *db, const struct ej_principal *who, int64_t id,
                                unsigned scopes, unsigned attendance_scopes, json_t **lesson)
{
    if (load_lesson(db, id, who->user_id, scopes, attendance_scopes, lesson) != EJ_OK)
        return db->err;
    return *lesson ? EJ_OK : (db->err = EJ_ERR_NOT_FOUND);
}

enum ej_err ej_store_lesson_change(struct ej_db *db, int64_t id, const char *action,
                                   const json_t *before, const char *sql, int n,
                                   const char *const *params, json_t **lesson)
{
    *lesson = NULL;
    PGresult *res;
    if (db_row(db, &res, 0, sql, n, params) != EJ_OK)
        return db->err;
    PQclear(res);
    if (ej_store_lesson_full(db, id, lesson) != EJ_OK ||
        ej_audit(db, action, "lesson", id, before, *lesson) != EJ_OK) {
        json_decref(*lesson);
        *lesson = NULL;
        return db->err;
    }
    return EJ_OK;
}

enum ej_err ej_store_lesson_cancel(struct ej_db *db, int64_t id, const json_t *before,
                                   const char *reason, json_t **lesson)
{
    char i[24], actor[24];
    const char *p[] = {db_i64(i, id), reason, actor_param(db, actor)};
    return ej_store_lesson_change(db, id, "lesson.cancel", before,
                                  "UPDATE lessons l SET cancelled_at = now(), cancel_reason = $2,"
                                  " cancelled_by = $3, version = version + 1, updated_at = now()"
                                  " WHERE id = $1 RETURNING l.id",
                                  3, p, lesson);
}

enum ej_err ej_store_substitute_facts(struct ej_db *db, int64_t teacher_id, int64_t gid,
                                      bool *active_teacher, bool *teaches_group)
{
    char t[24], g[24];
    const char *p[] = {db_i64(t, teacher_id), db_i64(g, gid)};
    PGresult *res = db_exec(db, DB_OPT,
                            "SELECT 'teacher' = ANY(u.roles) AND user_access(u) = 'active',"
                            " EXISTS (SELECT 1 FROM group_teachers gt WHERE gt.group_id = $2"
                            "   AND gt.teacher_id = u.id)"
                            " FROM users u WHERE u.id = $1",
                            2, p);
    if (!res)
        return db->err;
    *active_teacher = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    *teaches_group = PQntuples(res) == 1 && PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_lesson_set_substitute(struct ej_db *db, int64_t id, const json_t *before,
                                           int64_t teacher_id, json_t **lesson)
{
    char i[24], t[24];
    const char *p[] = {db_i64(i, id), teacher_id ? db_i64(t, teacher_id) : NULL};
    return ej_store_lesson_change(
        db, id, teacher_id ? "lesson.substitute" : "lesson.substitute_remove", before,
        "UPDATE lessons l SET substitute_teacher_id = $2, version = version + 1,"
        " updated_at = now() WHERE id = $1 RETURNING l.id",
        2, p, lesson);
}

enum ej_err ej_store_lessons_on_dates(struct ej_db *db, const json_t *dates, json_t **lessons)
{
    char *doc = json_dumps(dates, JSON_COMPACT);
    const char *p[] = {doc};
    enum ej_err rc = db_json(
        db, lessons,
        "SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.id,"
        " 'group_id', l.group_id, 'date', l.date,"
        " 'starts_at', to_char(l.starts_at, 'HH24:MI'), 'state', lesson_state(l),"
        " 'school_year_closed', y.closed_at IS NOT NULL)"
        " ORDER BY l.date, l.starts_at, l.id), '[]'::jsonb)"
        " FROM lessons l JOIN groups g ON g.id = l.group_id"
        " JOIN school_years y ON y.id = g.school_year_id"
        " WHERE l.date IN (SELECT jsonb_array_elements_text($1::jsonb)::date)"
        " AND l.cancelled_at IS NULL",
        1, p);
    free(doc);
    return rc;
}

enum ej_err ej_store_lessons_cancel_listed(struct ej_db *db, const json_t *lessons,
                                           const char *reason, size_t *cancelled)
{
    char actor[24];
    char *doc = json_dumps(lessons, JSON_COMPACT);
    const char *p[] = {doc, reason, actor_param(db, actor)};
    *cancelled = 0;
    PGresult *res = db_exec(db, DB_MANY,
                            "UPDATE lessons l SET cancelled_at = now(), cancel_reason = $2,"
                            " cancelled_by = $3, version = version + 1, updated_at = now()"
                            " WHERE l.id IN (SELECT (x->>'id')::bigint"
                            "   FROM jsonb_array_elements($1::jsonb) x)"
                            " AND l.cancelled_at IS NULL AND l.recorded_at IS NULL"
                            " RETURNING l.id",
                            3, p);
    free(doc);
    if (!res)
        return db->err;
    *cancelled = (size_t)PQntuples(res);
    enum ej_err rc = EJ_OK;
    /* Fewer than listed: the caller refuses, and the transaction rolls back. */
    for (int k = 0; rc == EJ_OK && *cancelled == json_array_size(lessons) && k < PQntuples(res);
         k++) {
        int64_t id = strtoll(PQgetvalue(res, k, 0), NULL, 10);
        json_t *after = NULL;
        const json_t *before = NULL;
        size_t i;
        json_t *l;
        json_array_foreach(lessons, i, l) {
            if (json_integer_value(json_object_get(l, "id")) == id)
                before = l;
        }
        rc = ej_store_lesson_full(db, id, &after);
        if (rc == EJ_OK)
            rc = ej_audit(db, "lesson.cancel", "lesson", id, before, after);
        json_decref(after);
    }
    PQclear(res);
    return rc;
}

/* The one deadline refresh (ej_store_lessons_refresh_*): the lessons whose
 * deadline follows a change (see lessons.h) held up to `until` (NULL: any)
 * whose deadline is not before `since` (NULL: any) get the deadline c gives
 * their date; each one moved is audited as lesson.deadline and in the feed. */
static enum ej_err refresh_deadlines(struct ej_db *db, const struct ej_cal *c, const char *since,
                                     const char *until, long *changed)
{
    /* §13: the lessons that follow; a recorded or cancelled lesson keeps its deadline. */
#define FOLLOWS                                                                 \
    " y.closed_at IS NULL AND l.recorded_at IS NULL AND l.cancelled_at IS NULL" \
    " AND ($1::timestamptz IS NULL OR l.deadline >= $1::timestamptz)"           \
    " AND ($2::date IS NULL OR l.date <= $2::date)"
    const char *p[3] = {since, until, NULL};
    *changed = 0;
    /* One deadline per date, not per lesson: a year of lessons has ~250 dates. */
    PGresult *res = db_exec(db, DB_MANY,
                            "SELECT DISTINCT to_char(l.date, 'YYYY-MM-DD') FROM lessons l"
                            " JOIN groups g ON g.id = l.group_id"
                            " JOIN school_years y ON y.id = g.school_year_id WHERE" FOLLOWS,
                            2, p);
    if (!res)
        return db->err;
    json_t *rows = json_array();
    for (int k = 0; k < PQntuples(res); k++) {
        ej_day d;
        char deadline[EJ_UTC_BUFSZ];
        if (!ej_date_parse(PQgetvalue(res, k, 0), &d))
            continue;
        ej_format_utc(ej_cal_deadline(c, d), deadline);
        json_array_append_new(
            rows, json_pack("{s:s, s:s}", "date", PQgetvalue(res, k, 0), "deadline", deadline));
    }
    PQclear(res);
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return EJ_OK;
    }
    char *doc = json_dumps(rows, JSON_COMPACT);
    json_decref(rows);
    p[2] = doc;
    /* o: the row as it was (the FROM list sees the statement's snapshot). */
    res = db_exec(db, DB_MANY,
                  "UPDATE lessons l SET deadline = x.deadline, version = l.version + 1,"
                  " updated_at = now() FROM jsonb_to_recordset($3::jsonb)"
                  " AS x(date date, deadline timestamptz), groups g, school_years y, lessons o"
                  " WHERE l.date = x.date AND g.id = l.group_id AND y.id = g.school_year_id"
                  " AND o.id = l.id AND l.deadline <> x.deadline AND" FOLLOWS
                  " RETURNING l.id, utc(o.deadline), o.version, utc(l.deadline), l.version",
                  3, p);
#undef FOLLOWS
    free(doc);
    if (!res)
        return db->err;
    /* GET /audit shows what moved; the feed gets the lesson itself. */
    json_t *moved = json_array();
    for (int k = 0; k < PQntuples(res); k++) {
        json_array_append_new(moved,
                              json_pack("{s:I, s:{s:s, s:I}, s:{s:s, s:I}}", "id",
                                        (json_int_t)strtoll(PQgetvalue(res, k, 0), NULL, 10),
                                        "before", "deadline", PQgetvalue(res, k, 1), "version",
                                        (json_int_t)strtoll(PQgetvalue(res, k, 2), NULL, 10),
                                        "after", "deadline", PQgetvalue(res, k, 3), "version",
                                        (json_int_t)strtoll(PQgetvalue(res, k, 4), NULL, 10)));
    }
    *changed = PQntuples(res);
    PQclear(res);
    enum ej_err rc = ej_audit_lessons(db, "lesson.deadline", moved);
    json_decref(moved);
    return rc;
}

enum ej_err ej_store_lessons_refresh_deadlines(struct ej_db *db, const struct ej_cal *c,
                                               ej_day from, ej_day to, long *changed)
{
    char since[EJ_UTC_BUFSZ], until[EJ_DATE_BUFSZ];
    ej_format_utc(ej_riga_local_to_utc(from, 0, 0, 0), since);
    ej_date_format(to, until);
    return refresh_deadlines(db, c, since, until, changed);
}

enum ej_err ej_store_lessons_refresh_unrecorded(struct ej_db *db, const struct ej_cal *c,
                                                long *changed)
{
    return refresh_deadlines(db, c, NULL, NULL, changed);
}
