#include "store/quality.h"

#include "core/alloc.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t i64(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/* ---- reviews ------------------------------------------------------------------------------ */

#define REVIEW_COLUMNS                                                                      \
    "SELECT q.id, q.school_year_id, y.name, q.reviewed_on::text, q.summary, q.reviewed_by," \
    " u.full_name, utc(q.created_at)"                                                       \
    " FROM quality_reviews q JOIN school_years y ON y.id = q.school_year_id"                \
    " JOIN users u ON u.id = q.reviewed_by"

static json_t *review_json(const PGresult *res, int i)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", row_int(res, i, 0));
    json_object_set_new(o, "school_year_id", row_int(res, i, 1));
    json_object_set_new(o, "school_year_name", row_str(res, i, 2));
    json_object_set_new(o, "reviewed_on", row_str(res, i, 3));
    json_object_set_new(o, "summary", row_str(res, i, 4));
    json_object_set_new(o, "reviewed_by", row_int(res, i, 5));
    json_object_set_new(o, "reviewed_by_name", row_str(res, i, 6));
    json_object_set_new(o, "findings", json_array());
    json_object_set_new(o, "created_at", row_str(res, i, 7));
    return o;
}

/* Adds each review's findings (in the order given) to the reviews in items. */
static enum ej_err attach_findings(struct ej_db *db, json_t *items)
{
    size_t n = json_array_size(items);
    if (n == 0)
        return EJ_OK;
    /* "{1,2,3}": at most 500 ids of 20 digits. */
    size_t cap = n * 21 + 3, len = 0;
    char *ids = ej_xmalloc(cap);
    ids[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(
            ids + len, cap - len, "%s%lld", i ? "," : "",
            (long long)json_integer_value(json_object_get(json_array_get(items, i), "id")));
    ids[len++] = '}';
    ids[len] = '\0';
    const char *p[] = {ids};
    PGresult *res = db_exec(
        db, DB_MANY | DB_READ,
        "SELECT f.review_id, f.lesson_id, l.date::text,"
        " to_char(l.starts_at, 'HH24:MI'), l.group_id, g.name, f.teacher_id,"
        " t.full_name, f.note FROM quality_review_findings f"
        " LEFT JOIN lessons l ON l.id = f.lesson_id"
        " LEFT JOIN groups g ON g.id = l.group_id"
        " LEFT JOIN users t ON t.id = f.teacher_id"
        " WHERE f.review_id = ANY($1::bigint[]) ORDER BY f.review_id, f.position",
        1, p);
    free(ids);
    if (!res)
        return db->err;
    for (int i = 0; i < PQntuples(res); i++) {
        int64_t rid = i64(res, i, 0);
        json_t *review = NULL;
        for (size_t k = 0; k < n && !review; k++)
            if (json_integer_value(json_object_get(json_array_get(items, k), "id")) == rid)
                review = json_array_get(items, k);
        if (!review)
            continue;
        json_t *f = json_object();
        json_object_set_new(f, "lesson_id", row_int(res, i, 1));
        json_object_set_new(f, "lesson_date", row_str(res, i, 2));
        json_object_set_new(f, "lesson_starts_at", row_str(res, i, 3));
        json_object_set_new(f, "group_id", row_int(res, i, 4));
        json_object_set_new(f, "group_name", row_str(res, i, 5));
        json_object_set_new(f, "teacher_id", row_int(res, i, 6));
        json_object_set_new(f, "teacher_name", row_str(res, i, 7));
        json_object_set_new(f, "note", row_str(res, i, 8));
        json_array_append_new(json_object_get(review, "findings"), f);
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_quality_review_get(struct ej_db *db, int64_t id, json_t **review)
{
    char i[24];
    const char *p[] = {db_i64(i, id)};
    *review = NULL;
    PGresult *res;
    enum ej_err e = db_row(db, &res, DB_READ, REVIEW_COLUMNS " WHERE q.id = $1", 1, p);
    if (e != EJ_OK)
        return e;
    json_t *items = json_array();
    json_array_append_new(items, review_json(res, 0));
    PQclear(res);
    e = attach_findings(db, items);
    if (e == EJ_OK)
        *review = json_incref(json_array_get(items, 0));
    json_decref(items);
    return e;
}

enum ej_err ej_store_quality_review_list(struct ej_db *db, int64_t school_year_id, int limit,
                                         int64_t after, json_t **items)
{
    char y[24], lim[24], aft[24];
    const char *p[] = {school_year_id ? db_i64(y, school_year_id) : NULL, db_i64(lim, limit),
                       db_i64(aft, after)};
    *items = NULL;
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            REVIEW_COLUMNS
                            " WHERE ($1::bigint IS NULL OR q.school_year_id = $1) AND q.id > $3"
                            " ORDER BY q.id LIMIT $2",
                            3, p);
    if (!res)
        return db->err;
    json_t *out = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(out, review_json(res, i));
    PQclear(res);
    enum ej_err e = attach_findings(db, out);
    if (e != EJ_OK) {
        json_decref(out);
        return e;
    }
    *items = out;
    return EJ_OK;
}

enum ej_err ej_store_quality_year_span(struct ej_db *db, int64_t school_year_id,
                                       struct ej_quality_year_span *out)
{
    char y[24];
    const char *p[] = {db_i64(y, school_year_id)};
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT y.starts_on - DATE '1970-01-01', y.ends_on - DATE '1970-01-01'"
                           " FROM school_years y WHERE y.id = $1",
                           1, p);
    if (e != EJ_OK)
        return e;
    out->starts_on = (ej_day)i64(res, 0, 0);
    out->ends_on = (ej_day)i64(res, 0, 1);
    PQclear(res);
    return EJ_OK;
}

static char *findings_doc(const json_t *findings)
{
    char *doc = json_is_array(findings) ? json_dumps(findings, JSON_COMPACT) : ej_xstrdup("[]");
    if (!doc)
        abort();
    return doc;
}

enum ej_err ej_store_quality_findings_check(struct ej_db *db, int64_t school_year_id,
                                            const json_t *findings, long *bad, bool *bad_lesson)
{
    char y[24];
    char *doc = findings_doc(findings);
    const char *p[] = {db_i64(y, school_year_id), doc};
    *bad = -1;
    *bad_lesson = false;
    /* The first finding that names a lesson of another year or a non-teacher. */
    PGresult *res = db_exec(
        db, DB_OPT,
        "SELECT e.ord - 1, (e.x->>'lesson_id') IS NOT NULL AND NOT EXISTS (SELECT 1"
        "  FROM lessons l JOIN groups g ON g.id = l.group_id"
        "  WHERE l.id = (e.x->>'lesson_id')::bigint AND g.school_year_id = $1)"
        " FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(x, ord)"
        " WHERE ((e.x->>'lesson_id') IS NOT NULL AND NOT EXISTS (SELECT 1"
        "  FROM lessons l JOIN groups g ON g.id = l.group_id"
        "  WHERE l.id = (e.x->>'lesson_id')::bigint AND g.school_year_id = $1))"
        " OR ((e.x->>'teacher_id') IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u"
        "  WHERE u.id = (e.x->>'teacher_id')::bigint AND 'teacher' = ANY(u.roles)))"
        " ORDER BY e.ord LIMIT 1",
        2, p);
    free(doc);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        *bad = (long)i64(res, 0, 0);
        *bad_lesson = PQgetvalue(res, 0, 1)[0] == 't';
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_quality_review_create(struct ej_db *db, int64_t school_year_id,
                                           const char *reviewed_on, const char *summary,
                                           const json_t *findings, json_t **review)
{
    char y[24], by[24];
    char *doc = findings_doc(findings);
    const char *p[] = {db_i64(y, school_year_id), reviewed_on, summary,
                       db_i64(by, db->who->user_id), doc};
    *review = NULL;
    PGresult *res = db_exec(
        db, DB_ONE,
        "WITH q AS (INSERT INTO quality_reviews (school_year_id, reviewed_on, summary,"
        "  reviewed_by) VALUES ($1, $2, $3, $4) RETURNING id),"
        " f AS (INSERT INTO quality_review_findings (review_id, position, lesson_id,"
        "  teacher_id, note) SELECT q.id, e.ord, (e.x->>'lesson_id')::bigint,"
        "  (e.x->>'teacher_id')::bigint, e.x->>'note'"
        "  FROM q, jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e(x, ord))"
        " SELECT id FROM q",
        5, p);
    free(doc);
    if (!res)
        return db->err;
    int64_t id = i64(res, 0, 0);
    PQclear(res);
    json_t *out;
    enum ej_err e = ej_store_quality_review_get(db, id, &out);
    if (e == EJ_OK)
        e = ej_audit(db, "quality_review.create", "quality_review", id, NULL, out);
    if (e != EJ_OK) {
        json_decref(out);
        return e;
    }
    *review = out;
    return EJ_OK;
}

/* ---- the report --------------------------------------------------------------------------- */

void ej_entry_quality_cleanup(struct ej_entry_quality *q)
{
    for (size_t i = 0; i < q->nteachers; i++)
        free(q->teachers[i].full_name);
    free(q->teachers);
    free(q->review_dates);
    free(q->school_year_name);
    memset(q, 0, sizeof *q);
}

static char *dup_or_null(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return NULL;
    return ej_xstrdup(PQgetvalue(res, row, col));
}

/* "1,2,3" (days since 1970-01-01) into a new array. */
static ej_day *parse_days(const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *c = s; *c; c++)
        cap += *c == ',';
    ej_day *out = ej_xcalloc(cap, sizeof *out);
    *n = 0;
    for (char *end; *s; s = *end ? end + 1 : end) {
        out[(*n)++] = (ej_day)strtol(s, &end, 10);
        if (end == s)
            break;
    }
    return out;
}

/* One statement for the whole report: the year (no row: no such year) with
 * its reviews' dates and the setting, on every row; then a row per teacher
 * of the year's groups and per teacher who conducted one of its lessons (the
 * `r.teacher IS NOT NULL` marker tells a year without any from a row of its
 * own).
 *
 * The year's lessons that are not cancelled, each counted against the
 * teacher who conducts it: whoever the entry names once recorded, else the
 * substitute, else the group's (first) teacher, as the entry would name them
 * (§15); 0 when nobody does (a group without teachers). Each lesson is
 * classified once (l) and counted once, in one aggregate per teacher that
 * also takes a row of zeros for every teacher of the year's groups (x).
 *
 * Why one aggregate and no join of the counts with the teachers: the old
 * statement joined them with IS NOT DISTINCT FROM, a nested loop the planner
 * estimated at 87 568 rows (it cannot know that 4 000 lessons have 10
 * teachers) and a cost of 400 000, above jit_above_cost: PostgreSQL then
 * compiled the statement with JIT on its first executions on each
 * connection, 40 ms alone and hundreds of milliseconds under load, for a
 * statement that runs in 3 (tests/bench/README.md, oversight.sh). */
#define REPORT_SQL                                                                               \
    "WITH y AS (SELECT y.name, y.starts_on - DATE '1970-01-01' AS starts_on,"                    \
    "  y.ends_on - DATE '1970-01-01' AS ends_on,"                                                \
    "  (SELECT string_agg((q.reviewed_on - DATE '1970-01-01')::text, ',')"                       \
    "   FROM quality_reviews q WHERE q.school_year_id = y.id) AS reviews,"                       \
    "  (SELECT (s.value #>> '{}')::int FROM settings s"                                          \
    "   WHERE s.key = 'required_quality_reviews' AND jsonb_typeof(s.value) = 'number') AS "      \
    "required"                                                                                   \
    "  FROM school_years y WHERE y.id = $1),"                                                    \
    " gs AS (SELECT g.id, (SELECT min(gt.teacher_id) FROM group_teachers gt"                     \
    "  WHERE gt.group_id = g.id) AS teacher FROM groups g WHERE g.school_year_id = $1),"         \
    " x (teacher, due, on_time, late, missing, extended, substituted) AS ("                      \
    "  SELECT l.teacher, l.due, l.due AND l.recorded AND NOT l.late, l.due AND l.recorded AND "  \
    "l.late,"                                                                                    \
    "   l.due AND NOT l.recorded, l.extended,"                                                   \
    "   l.substitute_teacher_id IS NOT NULL AND l.substitute_teacher_id = l.teacher"             \
    "   AND (l.date + l.starts_at) AT TIME ZONE 'Europe/Riga' <= now()"                          \
    "  FROM (SELECT coalesce(CASE WHEN l.recorded_at IS NOT NULL THEN l.conducted_by"            \
    "    ELSE coalesce(l.substitute_teacher_id, gs.teacher) END, 0) AS teacher,"                 \
    "   l.deadline < now() AS due, l.recorded_at IS NOT NULL AS recorded, l.late,"               \
    "   l.extension_until IS NOT NULL AS extended, l.substitute_teacher_id, l.date, l.starts_at" \
    "   FROM gs JOIN lessons l ON l.group_id = gs.id WHERE l.cancelled_at IS NULL"               \
    "   AND l.date >= coalesce($2::date, '-infinity')"                                           \
    "   AND l.date <= coalesce($3::date, 'infinity')) l"                                         \
    "  UNION ALL SELECT gt.teacher_id, false, false, false, false, false, false"                 \
    "  FROM gs JOIN group_teachers gt ON gt.group_id = gs.id),"                                  \
    " r AS (SELECT x.teacher, count(*) FILTER (WHERE due) AS due,"                               \
    "  count(*) FILTER (WHERE on_time) AS on_time, count(*) FILTER (WHERE late) AS late,"        \
    "  count(*) FILTER (WHERE missing) AS missing, count(*) FILTER (WHERE extended) AS "         \
    "extensions,"                                                                                \
    "  count(*) FILTER (WHERE substituted) AS substitutions FROM x GROUP BY x.teacher)"          \
    " SELECT y.name, y.starts_on, y.ends_on, y.reviews, y.required,"                             \
    "  r.teacher IS NOT NULL, r.teacher, u.full_name, r.due, r.on_time, r.late, r.missing,"      \
    "  r.extensions, r.substitutions"                                                            \
    " FROM y LEFT JOIN (r LEFT JOIN users u ON u.id = r.teacher) ON true"                        \
    " ORDER BY u.full_name NULLS LAST, r.teacher"

enum ej_err ej_store_entry_quality(struct ej_db *db, int64_t school_year_id, const char *from,
                                   const char *to, struct ej_entry_quality *out)
{
    char y[24];
    const char *p[] = {db_i64(y, school_year_id), from, to};
    memset(out, 0, sizeof *out);
    PGresult *res = db_exec(db, DB_MANY | DB_READ, REPORT_SQL, 3, p);
    if (!res)
        return db->err;
    int n = PQntuples(res);
    if (n == 0) {
        PQclear(res);
        return EJ_ERR_NOT_FOUND;
    }
    out->school_year_name = dup_or_null(res, 0, 0);
    out->starts_on = (ej_day)i64(res, 0, 1);
    out->ends_on = (ej_day)i64(res, 0, 2);
    if (!PQgetisnull(res, 0, 3))
        out->review_dates = parse_days(PQgetvalue(res, 0, 3), &out->nreviews);
    out->required = PQgetisnull(res, 0, 4) ? -1 : (int)i64(res, 0, 4);
    out->teachers = ej_xcalloc((size_t)n, sizeof *out->teachers);
    for (int i = 0; i < n; i++) {
        if (PQgetvalue(res, i, 5)[0] != 't')
            continue; /* the year's only row: no teacher and no lesson */
        struct ej_entry_quality_teacher *t = &out->teachers[out->nteachers++];
        t->teacher_id = i64(res, i, 6); /* 0: nobody */
        t->full_name = dup_or_null(res, i, 7);
        long long *c[] = {&t->counts.due,     &t->counts.on_time,    &t->counts.late,
                          &t->counts.missing, &t->counts.extensions, &t->counts.substitutions};
        for (int k = 0; k < 6; k++)
            *c[k] = i64(res, i, 8 + k);
    }
    PQclear(res);
    return EJ_OK;
}
