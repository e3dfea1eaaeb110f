#include "store/quality.h"

#include "core/json.h"
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

#define REVIEW_COLUMNS                                                                       \
    "SELECT q.id, q.school_year_id, y.name, q.reviewed_on::text, q.summary, q.reviewed_by,"  \
    " u.full_name, utc(q.created_at)"                                                        \
    " FROM quality_reviews q JOIN school_years y ON y.id = q.school_year_id"                 \
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
static int attach_findings(struct ej_req *r, json_t *items)
{
    size_t n = json_array_size(items);
    if (n == 0)
        return 0;
    /* "{1,2,3}": at most 500 ids of 20 digits. */
    char *ids = malloc(n * 21 + 3);
    if (!ids)
        abort();
    size_t len = 0;
    ids[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(ids + len, "%s%lld", i ? "," : "",
                               (long long)json_integer_value(
                                   json_object_get(json_array_get(items, i), "id")));
    ids[len++] = '}';
    ids[len] = '\0';
    const char *p[] = {ids};
    PGresult *res = db_exec(r, DB_MANY | DB_READ,
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
        return -1;
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
    return 0;
}

int ej_store_quality_review_get(struct ej_req *r, int64_t id, json_t **review)
{
    char i[24];
    const char *p[] = {db_i64(i, id)};
    *review = NULL;
    PGresult *res = db_exec(r, DB_OPT | DB_READ, REVIEW_COLUMNS " WHERE q.id = $1", 1, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ej_problem(r, 404, "not_found", "No such quality review.");
    }
    json_t *items = json_array();
    json_array_append_new(items, review_json(res, 0));
    PQclear(res);
    if (attach_findings(r, items) != 0) {
        json_decref(items);
        return -1;
    }
    *review = json_incref(json_array_get(items, 0));
    json_decref(items);
    return 0;
}

int ej_store_quality_review_list(struct ej_req *r, int64_t school_year_id, int limit,
                                 int64_t after, json_t **items)
{
    char y[24], lim[24], aft[24];
    const char *p[] = {school_year_id ? db_i64(y, school_year_id) : NULL, db_i64(lim, limit),
                       db_i64(aft, after)};
    *items = NULL;
    PGresult *res = db_exec(r, DB_MANY | DB_READ,
                            REVIEW_COLUMNS
                            " WHERE ($1::bigint IS NULL OR q.school_year_id = $1) AND q.id > $3"
                            " ORDER BY q.id LIMIT $2",
                            3, p);
    if (!res)
        return -1;
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*items, review_json(res, i));
    PQclear(res);
    return attach_findings(r, *items);
}

int ej_store_quality_review_create(struct ej_req *r, const json_t *body, json_t **review)
{
    char y[24], by[24];
    const json_t *findings = json_object_get(body, "findings");
    char *doc = json_is_array(findings) ? json_dumps(findings, JSON_COMPACT) : strdup("[]");
    if (!doc)
        abort();
    const char *p[] = {db_i64(y, json_integer_value(json_object_get(body, "school_year_id"))),
                       ej_json_str(body, "reviewed_on"), ej_json_str(body, "summary"),
                       db_i64(by, r->who.user_id), doc};
    int rc = -1;
    *review = NULL;
    PGresult *res = db_exec(r, DB_OPT,
                            "SELECT $2::date BETWEEN y.starts_on AND y.ends_on,"
                            " $2::date <= riga_today() FROM school_years y WHERE y.id = $1",
                            2, p);
    if (!res)
        goto out;
    if (PQntuples(res) == 0)
        ej_invalid(r, "school_year_id", "must be the id of a school year");
    else if (PQgetvalue(res, 0, 0)[0] != 't')
        ej_invalid(r, "reviewed_on", "must be a date within the school year");
    else if (PQgetvalue(res, 0, 1)[0] != 't')
        ej_invalid(r, "reviewed_on", "must not be in the future");
    else
        rc = 0;
    PQclear(res);
    if (rc != 0)
        goto out;
    /* The first finding that names a lesson of another year or a non-teacher. */
    rc = -1;
    res = db_exec(r, DB_OPT,
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
                  2, (const char *[]){p[0], doc});
    if (!res)
        goto out;
    if (PQntuples(res) == 1) {
        char field[48];
        bool lesson = PQgetvalue(res, 0, 1)[0] == 't';
        snprintf(field, sizeof field, "findings[%s].%s", PQgetvalue(res, 0, 0),
                 lesson ? "lesson_id" : "teacher_id");
        ej_invalid(r, field, lesson ? "must be a lesson of this school year"
                                    : "must be the id of a teacher");
        PQclear(res);
        goto out;
    }
    PQclear(res);
    res = db_exec(r, DB_ONE,
                  "WITH q AS (INSERT INTO quality_reviews (school_year_id, reviewed_on, summary,"
                  "  reviewed_by) VALUES ($1, $2, $3, $4) RETURNING id),"
                  " f AS (INSERT INTO quality_review_findings (review_id, position, lesson_id,"
                  "  teacher_id, note) SELECT q.id, e.ord, (e.x->>'lesson_id')::bigint,"
                  "  (e.x->>'teacher_id')::bigint, e.x->>'note'"
                  "  FROM q, jsonb_array_elements($5::jsonb) WITH ORDINALITY AS e(x, ord))"
                  " SELECT id FROM q",
                  5, p);
    if (!res)
        goto out;
    int64_t id = i64(res, 0, 0);
    PQclear(res);
    if (ej_store_quality_review_get(r, id, review) != 0 ||
        ej_audit(r, "quality_review.create", "quality_review", id, NULL, *review) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        json_decref(*review);
        *review = NULL;
    }
    free(doc);
    return rc;
}

/* ---- the report --------------------------------------------------------------------------- */

static const char *const counts[] = {"due", "on_time", "late", "missing", "extensions",
                                     "substitutions"};
#define NCOUNTS (sizeof counts / sizeof counts[0])

/* The reviews against the required number (the setting required_quality_reviews of §22, in the
 * settings table, else EJ_QUALITY_REVIEWS_REQUIRED), and each third of the school
 * year (its days split in three, as equal as whole days allow) with the
 * reviews dated in it: §16's "at least three times a year" read as once a
 * third, so a screen can say which third still lacks one. */
static int reviews_part(struct ej_req *r, const char *const *p, json_t *report)
{
    PGresult *res = db_exec(r, DB_MANY | DB_READ,
                            "SELECT k, t.s::text, t.e::text, t.e < riga_today(),"
                            " (SELECT count(*) FROM quality_reviews q WHERE q.school_year_id = y.id"
                            "  AND q.reviewed_on BETWEEN t.s AND t.e),"
                            " (SELECT count(*) FROM quality_reviews q WHERE q.school_year_id = y.id),"
                            " (SELECT (s.value #>> '{}')::int FROM settings s"
                            "  WHERE s.key = 'required_quality_reviews' AND jsonb_typeof(s.value) = 'number')"
                            " FROM school_years y, generate_series(1, 3) k,"
                            " LATERAL (SELECT y.starts_on + (y.ends_on - y.starts_on + 1) * (k - 1) / 3"
                            "   AS s, y.starts_on + (y.ends_on - y.starts_on + 1) * k / 3 - 1 AS e) t"
                            " WHERE y.id = $1 ORDER BY k",
                            1, p);
    if (!res)
        return -1;
    json_t *thirds = json_array(), *lacking = json_array();
    long long done = 0, required = EJ_QUALITY_REVIEWS_REQUIRED;
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *t = json_object();
        json_object_set_new(t, "third", row_int(res, i, 0));
        json_object_set_new(t, "starts_on", row_str(res, i, 1));
        json_object_set_new(t, "ends_on", row_str(res, i, 2));
        json_object_set_new(t, "ended", row_bool(res, i, 3));
        json_object_set_new(t, "reviews", row_int(res, i, 4));
        json_array_append_new(thirds, t);
        if (i64(res, i, 4) == 0)
            json_array_append_new(lacking, row_int(res, i, 0));
        done = i64(res, i, 5);
        if (!PQgetisnull(res, i, 6))
            required = i64(res, i, 6);
    }
    PQclear(res);
    json_object_set_new(report, "reviews",
                        json_pack("{s:I, s:I, s:o, s:o}", "done", (json_int_t)done, "required",
                                  (json_int_t)required, "thirds", thirds,
                                  "thirds_without_review", lacking));
    return 0;
}

int ej_store_entry_quality(struct ej_req *r, int64_t school_year_id, const char *from,
                           const char *to, json_t **report)
{
    char y[24];
    const char *p[] = {db_i64(y, school_year_id), from, to};
    *report = NULL;
    PGresult *res = db_exec(r, DB_OPT | DB_READ, "SELECT name FROM school_years WHERE id = $1",
                            1, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ej_problem(r, 404, "not_found", "No such school year.");
    }
    json_t *out = json_object();
    json_object_set_new(out, "school_year_id", json_integer(school_year_id));
    json_object_set_new(out, "school_year_name", row_str(res, 0, 0));
    json_object_set_new(out, "from", from ? json_string(from) : json_null());
    json_object_set_new(out, "to", to ? json_string(to) : json_null());
    PQclear(res);
    if (reviews_part(r, p, out) != 0) {
        json_decref(out);
        return -1;
    }
    /* The year's lessons that are not cancelled, each counted against the
     * teacher who conducts it: whoever the entry names once recorded, else
     * the substitute, else the group's (first) teacher, as the entry would
     * name them (§15). Every teacher of the year's groups has a row. */
    res = db_exec(r, DB_MANY | DB_READ,
                  "WITH first AS (SELECT gt.group_id, min(gt.teacher_id) AS teacher"
                  "  FROM groups g JOIN group_teachers gt ON gt.group_id = g.id"
                  "  WHERE g.school_year_id = $1 GROUP BY gt.group_id),"
                  " l AS (SELECT l.deadline, l.recorded_at, l.late, l.extension_until,"
                  "  l.substitute_teacher_id,"
                  "  l.substitute_teacher_id IS NOT NULL"
                  "   AND (l.date + l.starts_at) AT TIME ZONE 'Europe/Riga' <= now() AS substituted,"
                  "  CASE WHEN l.recorded_at IS NOT NULL THEN l.conducted_by"
                  "   ELSE coalesce(l.substitute_teacher_id, first.teacher) END AS teacher"
                  "  FROM groups g JOIN lessons l ON l.group_id = g.id"
                  "  LEFT JOIN first ON first.group_id = l.group_id"
                  "  WHERE g.school_year_id = $1 AND l.cancelled_at IS NULL"
                  "  AND l.date >= coalesce($2::date, '-infinity')"
                  "  AND l.date <= coalesce($3::date, 'infinity')),"
                  " c AS (SELECT teacher,"
                  "  count(*) FILTER (WHERE deadline < now()) AS due,"
                  "  count(*) FILTER (WHERE deadline < now() AND recorded_at IS NOT NULL"
                  "   AND NOT late) AS on_time,"
                  "  count(*) FILTER (WHERE deadline < now() AND recorded_at IS NOT NULL"
                  "   AND late) AS late,"
                  "  count(*) FILTER (WHERE deadline < now() AND recorded_at IS NULL) AS missing,"
                  "  count(*) FILTER (WHERE extension_until IS NOT NULL) AS extensions,"
                  "  count(*) FILTER (WHERE substituted AND substitute_teacher_id = teacher)"
                  "   AS substitutions FROM l GROUP BY teacher),"
                  " t AS (SELECT teacher FROM c UNION SELECT gt.teacher_id FROM groups g"
                  "  JOIN group_teachers gt ON gt.group_id = g.id WHERE g.school_year_id = $1)"
                  " SELECT t.teacher, u.full_name, coalesce(c.due, 0), coalesce(c.on_time, 0),"
                  "  coalesce(c.late, 0), coalesce(c.missing, 0), coalesce(c.extensions, 0),"
                  "  coalesce(c.substitutions, 0)"
                  " FROM t LEFT JOIN c ON c.teacher IS NOT DISTINCT FROM t.teacher"
                  " LEFT JOIN users u ON u.id = t.teacher"
                  " ORDER BY u.full_name NULLS LAST, t.teacher",
                  3, p);
    if (!res) {
        json_decref(out);
        return -1;
    }
    json_t *teachers = json_array(), *totals = json_object();
    long long sum[NCOUNTS] = {0};
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *t = json_object();
        json_object_set_new(t, "teacher_id", row_int(res, i, 0));
        json_object_set_new(t, "full_name", row_str(res, i, 1));
        for (size_t k = 0; k < NCOUNTS; k++) {
            long long v = i64(res, i, 2 + (int)k);
            sum[k] += v;
            json_object_set_new(t, counts[k], json_integer(v));
        }
        json_array_append_new(teachers, t);
    }
    PQclear(res);
    for (size_t k = 0; k < NCOUNTS; k++)
        json_object_set_new(totals, counts[k], json_integer(sum[k]));
    json_object_set_new(out, "totals", totals);
    json_object_set_new(out, "teachers", teachers);
    *report = out;
    return 0;
}
