#include "store/roster.h"

#include "core/req.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/entity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The common list tail: keyset pagination on id. */
#define PAGE " AND x.id > $2 ORDER BY x.id LIMIT $1"

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static bool col_true(PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

/* Wraps db_json over `SELECT coalesce(jsonb_agg(j ORDER BY id), '[]') FROM (...)`. */
static enum ej_err list(struct ej_db *db, json_t **items, const char *inner, int n,
                        const char *const *params)
{
    char sql[2048];
    *items = NULL;
    int len = snprintf(sql, sizeof sql,
                       "SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM (%s) s", inner);
    if (len < 0 || (size_t)len >= sizeof sql) {
        db->err = EJ_ERR_INTERNAL;
        return db->err;
    }
    return db_json(db, items, sql, n, params);
}

/* ---- school years ---- */

enum ej_err ej_store_school_year_create(struct ej_db *db, const json_t *body, json_t **out,
                                        int64_t *version)
{
    char *doc = dump(body);
    const char *p[] = {doc};
    enum ej_err e = ej_entity_create(db, "school_year", "school_year.create",
                                     "INSERT INTO school_years AS y (name, starts_on, ends_on)"
                                     " SELECT $1::jsonb->>'name', ($1::jsonb->>'starts_on')::date,"
                                     " ($1::jsonb->>'ends_on')::date RETURNING school_year_json(y)",
                                     1, p, out, version);
    free(doc);
    return e;
}

enum ej_err ej_store_school_year_list(struct ej_db *db, const struct ej_roster_filter *f,
                                      json_t **items)
{
    char lim[24], aft[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after)};
    return list(db, items,
                "SELECT x.id, school_year_json(x) AS j FROM school_years x WHERE true" PAGE, 2, p);
}

enum ej_err ej_store_school_year_get(struct ej_db *db, int64_t id, json_t **out, int64_t *version)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return ej_entity_get(db, "SELECT school_year_json(y) FROM school_years y WHERE id = $1", 1, p,
                         out, version);
}

enum ej_err ej_store_school_year_close(struct ej_db *db, int64_t id, json_t **out, int64_t *version)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return ej_entity_change(
        db, "school_year", "school_year.close", id, -1,
        "SELECT school_year_json(y) FROM school_years y WHERE id = $1 FOR UPDATE",
        "UPDATE school_years y SET closed_at = coalesce(closed_at, now()),"
        " version = version + 1 WHERE id = $1 RETURNING school_year_json(y)",
        1, p, out, version);
}

enum ej_err ej_store_school_year_facts(struct ej_db *db, int64_t id, struct ej_year_facts *f)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    memset(f, 0, sizeof *f);
    PGresult *res = db_exec(db, DB_OPT,
                            "SELECT closed_at IS NOT NULL FROM school_years WHERE id = $1", 1, p);
    if (!res)
        return db->err;
    f->found = PQntuples(res) == 1;
    f->closed = f->found && col_true(res, 0, 0);
    PQclear(res);
    return EJ_OK;
}

/* ---- programmes ---- */

enum ej_err ej_store_program_create(struct ej_db *db, const json_t *body, json_t **out,
                                    int64_t *version)
{
    char *doc = dump(body);
    const char *p[] = {doc};
    enum ej_err e = ej_entity_create(
        db, "program", "program.create",
        "INSERT INTO programs AS x (code, name, description, external_id)"
        " SELECT $1::jsonb->>'code', $1::jsonb->>'name',"
        " $1::jsonb->>'description', $1::jsonb->>'external_id'"
        " RETURNING program_json(x)",
        1, p, out, version);
    free(doc);
    return e;
}

enum ej_err ej_store_program_list(struct ej_db *db, const struct ej_roster_filter *f,
                                  json_t **items)
{
    char lim[24], aft[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after), f->external_id};
    return list(db, items,
                "SELECT x.id, program_json(x) AS j FROM programs x"
                " WHERE ($3::text IS NULL OR x.external_id = $3)" PAGE,
                3, p);
}

enum ej_err ej_store_program_get(struct ej_db *db, int64_t id, json_t **out, int64_t *version)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return ej_entity_get(db, "SELECT program_json(x) FROM programs x WHERE id = $1", 1, p, out,
                         version);
}

enum ej_err ej_store_program_update(struct ej_db *db, int64_t id, int64_t expected_version,
                                    const json_t *body, json_t **out, int64_t *version)
{
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    enum ej_err e = ej_entity_change(
        db, "program", "program.update", id, expected_version,
        "SELECT program_json(x) FROM programs x WHERE id = $1 FOR UPDATE",
        "UPDATE programs x SET"
        " code = CASE WHEN $2::jsonb ? 'code' THEN $2::jsonb->>'code' ELSE code END,"
        " name = CASE WHEN $2::jsonb ? 'name' THEN $2::jsonb->>'name' ELSE name END,"
        " description = CASE WHEN $2::jsonb ? 'description' THEN $2::jsonb->>'description'"
        " ELSE description END,"
        " external_id = CASE WHEN $2::jsonb ? 'external_id' THEN $2::jsonb->>'external_id'"
        " ELSE external_id END, version = version + 1, updated_at = now()"
        " WHERE id = $1 RETURNING program_json(x)",
        2, p, out, version);
    free(doc);
    return e;
}

/* ---- groups ---- */

enum ej_err ej_store_not_teachers(struct ej_db *db, const json_t *ids, json_t **bad)
{
    *bad = NULL;
    if (!ids) {
        *bad = json_array();
        return EJ_OK;
    }
    char *doc = dump(ids);
    const char *p[] = {doc};
    enum ej_err e = db_json(db, bad,
                            "SELECT coalesce(jsonb_agg(t), '[]'::jsonb)"
                            " FROM jsonb_array_elements_text($1::jsonb) t"
                            " WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = t::bigint"
                            " AND 'teacher' = ANY(roles))",
                            1, p);
    free(doc);
    return e;
}

static enum ej_err set_teachers(struct ej_db *db, const char *gid, const json_t *ids)
{
    if (!ids)
        return EJ_OK;
    char *doc = dump(ids);
    const char *p[] = {gid, doc};
    /* One statement sees one snapshot: deleting every row and inserting the list again would
     * collide with the rows it deletes when the list keeps a teacher. So only the teachers who
     * leave are deleted, and those who stay are not inserted again. */
    PGresult *res = db_exec(db, DB_NONE,
                            "WITH d AS (DELETE FROM group_teachers WHERE group_id = $1"
                            "  AND teacher_id::text NOT IN"
                            "  (SELECT jsonb_array_elements_text($2::jsonb)))"
                            " INSERT INTO group_teachers (group_id, teacher_id)"
                            " SELECT DISTINCT $1::bigint, t::bigint"
                            " FROM jsonb_array_elements_text($2::jsonb) t"
                            " ON CONFLICT DO NOTHING",
                            2, p);
    free(doc);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

#define GROUP_BY_ID "SELECT group_json(x) FROM groups x WHERE id = $1"

enum ej_err ej_store_group_create(struct ej_db *db, const json_t *body, json_t **out,
                                  int64_t *version)
{
    char *doc = dump(body);
    const char *p[] = {doc};
    json_t *created = NULL;
    *out = NULL;
    enum ej_err e = db_json(
        db, &created,
        "INSERT INTO groups AS x (program_id, school_year_id, name, external_id)"
        " SELECT ($1::jsonb->>'program_id')::bigint,"
        " ($1::jsonb->>'school_year_id')::bigint, $1::jsonb->>'name',"
        " $1::jsonb->>'external_id' RETURNING x.id",
        1, p);
    free(doc);
    if (e != EJ_OK)
        return e;
    int64_t id = json_integer_value(created);
    json_decref(created);
    char gid[24];
    const char *q[] = {db_i64(gid, id)};
    e = set_teachers(db, gid, json_object_get(body, "teacher_ids"));
    if (e == EJ_OK)
        e = ej_entity_get(db, GROUP_BY_ID, 1, q, out, version);
    if (e == EJ_OK)
        e = ej_audit(db, "group.create", "group", id, NULL, *out);
    if (e != EJ_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return e;
}

enum ej_err ej_store_group_list(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                const struct ej_roster_filter *f, json_t **items)
{
    char lim[24], aft[24], uid[24], sc[24], yr[24], t[24];
    const char *p[] = {db_i64(lim, f->limit),
                       db_i64(aft, f->after),
                       db_i64(uid, who->user_id),
                       db_i64(sc, scopes),
                       f->school_year_id ? db_i64(yr, f->school_year_id) : NULL,
                       f->teacher_id ? db_i64(t, f->teacher_id) : NULL,
                       f->external_id};
    return list(db, items,
                "SELECT x.id, group_json(x) AS j FROM groups x"
                " WHERE visible_group($3, $4, x.id)"
                " AND ($7::text IS NULL OR x.external_id = $7)"
                " AND ($5::bigint IS NULL OR x.school_year_id = $5)"
                " AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM group_teachers t"
                "      WHERE t.group_id = x.id AND t.teacher_id = $6))" PAGE,
                7, p);
}

enum ej_err ej_store_group_get(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                               int64_t id, json_t **out, int64_t *version)
{
    char idb[24], uid[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, who->user_id), db_i64(sc, scopes)};
    return ej_entity_get(db,
                         "SELECT group_json(x) FROM groups x WHERE id = $1"
                         " AND visible_group($2, $3, x.id)",
                         3, p, out, version);
}

enum ej_err ej_store_group_lock(struct ej_db *db, int64_t id, json_t **before,
                                struct ej_group_facts *f)
{
    char idb[24];
    const char *q[] = {db_i64(idb, id)};
    memset(f, 0, sizeof *f);
    enum ej_err e = ej_entity_get(db,
                                  "SELECT group_json(x) || jsonb_build_object('closed',"
                                  " y.closed_at IS NOT NULL)"
                                  " FROM groups x JOIN school_years y ON y.id = x.school_year_id"
                                  " WHERE x.id = $1 FOR UPDATE OF x",
                                  1, q, before, &f->version);
    if (e != EJ_OK)
        return e;
    f->year_closed = json_is_true(json_object_get(*before, "closed"));
    json_object_del(*before, "closed");
    return EJ_OK;
}

enum ej_err ej_store_group_update(struct ej_db *db, int64_t id, const json_t *before,
                                  const json_t *body, json_t **out, int64_t *version)
{
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    *out = NULL;
    PGresult *res = db_exec(
        db, DB_NONE,
        "UPDATE groups SET"
        " name = CASE WHEN $2::jsonb ? 'name' THEN $2::jsonb->>'name' ELSE name END,"
        " program_id = CASE WHEN $2::jsonb ? 'program_id'"
        " THEN ($2::jsonb->>'program_id')::bigint ELSE program_id END,"
        " external_id = CASE WHEN $2::jsonb ? 'external_id'"
        " THEN $2::jsonb->>'external_id' ELSE external_id END,"
        " version = version + 1, updated_at = now() WHERE id = $1",
        2, p);
    free(doc);
    if (!res)
        return db->err;
    PQclear(res);
    enum ej_err e = set_teachers(db, idb, json_object_get(body, "teacher_ids"));
    if (e == EJ_OK)
        e = ej_entity_get(db, GROUP_BY_ID, 1, p, out, version);
    if (e == EJ_OK)
        e = ej_audit(db, "group.update", "group", id, before, *out);
    if (e != EJ_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return e;
}

/* ---- students ---- */

enum ej_err ej_store_student_user_facts(struct ej_db *db, int64_t user_id, int64_t self,
                                        struct ej_student_user_facts *f)
{
    char u[24], s[24];
    const char *p[] = {db_i64(u, user_id), db_i64(s, self)};
    memset(f, 0, sizeof *f);
    PGresult *res = db_exec(
        db, DB_ONE,
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND 'student' = ANY(roles)),"
        " EXISTS (SELECT 1 FROM students WHERE user_id = $1 AND id <> $2)",
        2, p);
    if (!res)
        return db->err;
    f->is_student_account = col_true(res, 0, 0);
    f->linked_elsewhere = col_true(res, 0, 1);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_student_create(struct ej_db *db, const json_t *body, json_t **out,
                                    int64_t *version)
{
    char *doc = dump(body);
    const char *p[] = {doc};
    enum ej_err e = ej_entity_create(
        db, "student", "student.create",
        "INSERT INTO students AS x (full_name, birth_date, user_id, external_id)"
        " SELECT $1::jsonb->>'full_name', ($1::jsonb->>'birth_date')::date,"
        " ($1::jsonb->>'user_id')::bigint, $1::jsonb->>'external_id'"
        " RETURNING student_json(x)",
        1, p, out, version);
    free(doc);
    return e;
}

enum ej_err ej_store_student_list(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                  const struct ej_roster_filter *f, json_t **items)
{
    char lim[24], aft[24], uid[24], sc[24], g[24], like[260];
    const char *p[] = {db_i64(lim, f->limit),
                       db_i64(aft, f->after),
                       db_i64(uid, who->user_id),
                       db_i64(sc, scopes),
                       db_like(f->q, like, sizeof like),
                       f->group_id ? db_i64(g, f->group_id) : NULL,
                       f->external_id};
    return list(db, items,
                "SELECT x.id, student_json(x) AS j FROM students x"
                " WHERE visible_student($3, $4, x.id)"
                " AND ($7::text IS NULL OR x.external_id = $7)"
                " AND ($5::text IS NULL OR x.full_name ILIKE '%' || $5 || '%')"
                " AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM enrollments e"
                "      WHERE e.student_id = x.id AND e.group_id = $6))" PAGE,
                7, p);
}

enum ej_err ej_store_student_visible(struct ej_db *db, const struct ej_principal *who,
                                     unsigned scopes, int64_t id)
{
    char idb[24], uid[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, who->user_id), db_i64(sc, scopes)};
    PGresult *res = db_exec(db, DB_ONE,
                            "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1)"
                            " AND visible_student($2, $3, $1)",
                            3, p);
    if (!res)
        return db->err;
    bool ok = col_true(res, 0, 0);
    PQclear(res);
    if (!ok)
        db->err = EJ_ERR_NOT_FOUND;
    return db->err;
}

enum ej_err ej_store_student_get(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                 int64_t id, json_t **out, int64_t *version)
{
    char idb[24], uid[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, who->user_id), db_i64(sc, scopes)};
    return ej_entity_get(db,
                         "SELECT student_json(x) FROM students x WHERE id = $1"
                         " AND visible_student($2, $3, x.id)",
                         3, p, out, version);
}

enum ej_err ej_store_student_update(struct ej_db *db, int64_t id, int64_t expected_version,
                                    const json_t *body, json_t **out, int64_t *version)
{
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    enum ej_err e = ej_entity_change(
        db, "student", "student.update", id, expected_version,
        "SELECT student_json(x) FROM students x WHERE id = $1 FOR UPDATE",
        "UPDATE students x SET"
        " full_name = CASE WHEN $2::jsonb ? 'full_name' THEN $2::jsonb->>'full_name' ELSE "
        "full_name END,"
        " birth_date = CASE WHEN $2::jsonb ? 'birth_date' THEN ($2::jsonb->>'birth_date')::date"
        " ELSE birth_date END,"
        " user_id = CASE WHEN $2::jsonb ? 'user_id' THEN ($2::jsonb->>'user_id')::bigint ELSE "
        "user_id END,"
        " external_id = CASE WHEN $2::jsonb ? 'external_id' THEN $2::jsonb->>'external_id'"
        " ELSE external_id END,"
        " version = version + 1, updated_at = now() WHERE id = $1 RETURNING student_json(x)",
        2, p, out, version);
    free(doc);
    return e;
}

/* ---- guardians ---- */

enum ej_err ej_store_guardian_list(struct ej_db *db, int64_t student_id, json_t **items)
{
    char s[24];
    const char *p[] = {db_i64(s, student_id)};
    return db_json(db, items,
                   "SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', u.id,"
                   " 'full_name', u.full_name, 'email', u.email, 'phone', u.phone,"
                   " 'linked_at', utc(g.created_at)) ORDER BY u.id), '[]'::jsonb)"
                   " FROM student_guardians g JOIN users u ON u.id = g.guardian_id"
                   " WHERE g.student_id = $1",
                   1, p);
}

enum ej_err ej_store_guardian_facts(struct ej_db *db, int64_t student_id, int64_t user_id,
                                    struct ej_guardian_facts *f)
{
    char s[24], u[24];
    const char *p[] = {db_i64(s, student_id), db_i64(u, user_id)};
    memset(f, 0, sizeof *f);
    PGresult *res = db_exec(
        db, DB_ONE,
        "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1),"
        " EXISTS (SELECT 1 FROM users WHERE id = $2 AND 'guardian' = ANY(roles))",
        2, p);
    if (!res)
        return db->err;
    f->student_found = col_true(res, 0, 0);
    f->is_guardian = col_true(res, 0, 1);
    PQclear(res);
    return EJ_OK;
}

/* The audit record's representation of a link. */
static json_t *link_json(int64_t student_id, int64_t user_id)
{
    return json_pack("{s:I, s:I}", "student_id", (json_int_t)student_id, "guardian_id",
                     (json_int_t)user_id);
}

enum ej_err ej_store_guardian_link(struct ej_db *db, int64_t student_id, int64_t user_id)
{
    char s[24], u[24];
    const char *p[] = {db_i64(s, student_id), db_i64(u, user_id)};
    PGresult *res = db_exec(
        db, DB_OPT,
        "INSERT INTO student_guardians (student_id, guardian_id) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        2, p);
    if (!res)
        return db->err;
    int inserted = PQntuples(res);
    PQclear(res);
    if (!inserted)
        return EJ_OK;
    json_t *after = link_json(student_id, user_id);
    enum ej_err e = ej_audit(db, "student.guardian_link", "student", student_id, NULL, after);
    json_decref(after);
    return e;
}

enum ej_err ej_store_guardian_unlink(struct ej_db *db, int64_t student_id, int64_t user_id)
{
    char s[24], u[24];
    const char *p[] = {db_i64(s, student_id), db_i64(u, user_id)};
    PGresult *res = db_exec(
        db, DB_OPT,
        "DELETE FROM student_guardians WHERE student_id = $1 AND guardian_id = $2"
        " RETURNING 1",
        2, p);
    if (!res)
        return db->err;
    int deleted = PQntuples(res);
    PQclear(res);
    if (!deleted) {
        db->err = EJ_ERR_NOT_FOUND;
        return db->err;
    }
    json_t *before = link_json(student_id, user_id);
    enum ej_err e = ej_audit(db, "student.guardian_unlink", "student", student_id, before, NULL);
    json_decref(before);
    return e;
}

/* ---- enrollments ---- */

enum ej_err ej_store_enrollment_facts(struct ej_db *db, int64_t group_id, int64_t student_id,
                                      const char *starts_on, struct ej_enrollment_facts *f)
{
    char g[24], s[24];
    const char *p[] = {db_i64(g, group_id), db_i64(s, student_id), starts_on};
    memset(f, 0, sizeof *f);
    /* One statement reads the group, its year (open, dates) and the student. */
    PGresult *res = db_exec(
        db, DB_OPT,
        "SELECT y.closed_at IS NOT NULL, $3::date BETWEEN y.starts_on AND y.ends_on,"
        " EXISTS (SELECT 1 FROM students WHERE id = $2),"
        " EXISTS (SELECT 1 FROM enrollments WHERE group_id = g.id AND withdrawn_at IS NULL"
        "         AND student_id = $2)"
        " FROM groups g JOIN school_years y ON y.id = g.school_year_id WHERE g.id = $1",
        3, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        f->group_found = true;
        f->year_closed = col_true(res, 0, 0);
        f->starts_in_year = col_true(res, 0, 1);
        f->student_found = col_true(res, 0, 2);
        f->already_enrolled = col_true(res, 0, 3);
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_enrollment_create(struct ej_db *db, int64_t group_id, const json_t *body,
                                       json_t **out, int64_t *version)
{
    char g[24], *doc = dump(body);
    const char *p[] = {db_i64(g, group_id), doc};
    enum ej_err e = ej_entity_create(
        db, "enrollment", "enrollment.create",
        "INSERT INTO enrollments AS x (group_id, student_id, starts_on,"
        " guardians_informed_on, admission_order)"
        " SELECT $1, ($2::jsonb->>'student_id')::bigint,"
        " ($2::jsonb->>'starts_on')::date,"
        " ($2::jsonb->>'guardians_informed_on')::date,"
        " $2::jsonb->>'admission_order' RETURNING enrollment_json(x)",
        2, p, out, version);
    free(doc);
    return e;
}

enum ej_err ej_store_enrollment_list(struct ej_db *db, int64_t group_id,
                                     const struct ej_roster_filter *f, json_t **items)
{
    char lim[24], aft[24], g[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after), db_i64(g, group_id),
                       f->status};
    return list(db, items,
                "SELECT x.id, enrollment_json(x) AS j FROM enrollments x WHERE x.group_id = $3"
                " AND ($4::text IS NULL OR ($4 = 'active') = (x.withdrawn_at IS NULL))" PAGE,
                4, p);
}

enum ej_err ej_store_enrollment_get(struct ej_db *db, const struct ej_principal *who,
                                    unsigned roster_scopes, unsigned student_scopes, int64_t id,
                                    json_t **out, int64_t *version)
{
    char idb[24], uid[24], rs[24], ss[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, who->user_id), db_i64(rs, roster_scopes),
                       db_i64(ss, student_scopes)};
    return ej_entity_get(db,
                         "SELECT enrollment_json(x) FROM enrollments x WHERE id = $1"
                         " AND (visible_group($2, $3, x.group_id)"
                         "      OR visible_student($2, $4::int & 12, x.student_id))",
                         4, p, out, version);
}

enum ej_err ej_store_withdrawal_facts(struct ej_db *db, int64_t id, const char *effective_on,
                                      struct ej_withdrawal_facts *f)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id), effective_on};
    memset(f, 0, sizeof *f);
    PGresult *res = db_exec(db, DB_OPT,
                            "SELECT e.withdrawn_at IS NOT NULL, y.closed_at IS NOT NULL,"
                            " $2::date >= e.starts_on"
                            " FROM enrollments e JOIN groups g ON g.id = e.group_id"
                            " JOIN school_years y ON y.id = g.school_year_id WHERE e.id = $1"
                            " FOR UPDATE OF e", /* a second withdrawal waits, then sees it */
                            2, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        f->found = true;
        f->withdrawn = col_true(res, 0, 0);
        f->year_closed = col_true(res, 0, 1);
        f->effective_not_before_start = col_true(res, 0, 2);
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_enrollment_access(struct ej_db *db, int64_t id, json_t **ids)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return db_json(db, ids,
                   "SELECT coalesce(jsonb_agg(u.id ORDER BY u.id), '[]'::jsonb) FROM users u"
                   " WHERE user_access(u) = 'active' AND u.id IN ("
                   " SELECT s.user_id FROM enrollments e JOIN students s ON s.id = e.student_id"
                   " WHERE e.id = $1 UNION SELECT g.guardian_id FROM enrollments e"
                   " JOIN student_guardians g ON g.student_id = e.student_id WHERE e.id = $1)",
                   1, p);
}

enum ej_err ej_store_enrollment_withdraw(struct ej_db *db, int64_t id, const json_t *body,
                                         json_t **out, int64_t *version)
{
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    enum ej_err e = ej_entity_change(
        db, "enrollment", "enrollment.withdraw", id, -1,
        "SELECT enrollment_json(x) FROM enrollments x WHERE id = $1 FOR UPDATE",
        "UPDATE enrollments x SET withdrawn_at = now(),"
        " withdrawal_application_date = ($2::jsonb->>'application_date')::date,"
        " withdrawal_effective_on = ($2::jsonb->>'effective_on')::date,"
        " withdrawal_note = $2::jsonb->>'note', version = version + 1"
        " WHERE id = $1 RETURNING enrollment_json(x)",
        2, p, out, version);
    free(doc);
    return e;
}

/* The accounts a withdrawal of this enrollment could end (§11), before it is made, so that the
 * superuser sees it when deciding (issue 12): the student's and the guardians' accounts that are
 * active now, each with the facts rules/roster.h's ej_withdrawal_ends_access decides on (the same
 * rule as user_access()). Rows, not JSON: rendered here. */
enum ej_err ej_store_withdrawal_candidates(struct ej_db *db, int64_t id, bool *found,
                                           bool *withdrawn, json_t **candidates)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    *found = *withdrawn = false;
    *candidates = NULL;
    PGresult *res = db_exec(
        db, DB_OPT, "SELECT e.withdrawn_at IS NOT NULL FROM enrollments e WHERE e.id = $1", 1, p);
    if (!res)
        return db->err;
    *found = PQntuples(res) == 1;
    *withdrawn = *found && col_true(res, 0, 0);
    PQclear(res);
    if (!*found)
        return EJ_OK;
    json_t *items = json_array();
    if (!*withdrawn) {
        res = db_exec(
            db, DB_MANY,
            "SELECT u.id, u.full_name, u.id = s.user_id,"
            " u.roles && ARRAY['superuser', 'director', 'teacher', 'staff', 'integration'],"
            " 'student' = ANY(u.roles) AND EXISTS (SELECT 1 FROM students s2"
            "  JOIN enrollments e2 ON e2.student_id = s2.id WHERE s2.user_id = u.id"
            "  AND e2.withdrawn_at IS NULL AND e2.id <> e.id),"
            " 'guardian' = ANY(u.roles) AND EXISTS (SELECT 1 FROM student_guardians g2"
            "  JOIN enrollments e2 ON e2.student_id = g2.student_id WHERE g2.guardian_id = u.id"
            "  AND e2.withdrawn_at IS NULL AND e2.id <> e.id)"
            " FROM enrollments e JOIN students s ON s.id = e.student_id"
            " JOIN users u ON u.id = s.user_id OR u.id IN (SELECT g.guardian_id"
            "  FROM student_guardians g WHERE g.student_id = e.student_id)"
            " WHERE e.id = $1 AND user_access(u) = 'active'"
            " ORDER BY u.id",
            1, p);
        if (!res) {
            json_decref(items);
            return db->err;
        }
        for (int i = 0; i < PQntuples(res); i++)
            json_array_append_new(
                items,
                json_pack("{s:I, s:s, s:s, s:b, s:b, s:b}", "user_id",
                          (json_int_t)strtoll(PQgetvalue(res, i, 0), NULL, 10), "full_name",
                          PQgetvalue(res, i, 1), "as", col_true(res, i, 2) ? "student" : "guardian",
                          "employee", col_true(res, i, 3), "keeps_as_student", col_true(res, i, 4),
                          "keeps_as_guardian", col_true(res, i, 5)));
        PQclear(res);
    }
    *candidates = items;
    return EJ_OK;
}

/* ---- bulk registration ---- */

/* The import's rows (SPEC.md "Enrollments", "Integration"), with the group,
 * the student and the guardians each names: by id, or by external id (issue
 * 11); a student given as {full_name, birth_date?, external_id?} is the one
 * with that external id if it exists, else (without an external id) an
 * existing student of the same name (case-insensitive) and birth date. eid:
 * the active enrollment that already makes the row true (then it is left). */
#define IMPORT_ROWS                                                                               \
    "WITH r AS (SELECT (t.ord - 1)::int AS row, t.x, t.x->>'group_external_id' AS gext,"          \
    " coalesce((t.x->>'group_id')::bigint, (SELECT g.id FROM groups g"                            \
    "  WHERE g.external_id = t.x->>'group_external_id')) AS gid,"                                 \
    " t.x->>'student_external_id' AS sext_given,"                                                 \
    " coalesce((t.x->>'student_id')::bigint, (SELECT s.id FROM students s"                        \
    "  WHERE s.external_id = t.x->>'student_external_id')) AS sid_given,"                         \
    " t.x->'student'->>'full_name' AS name, (t.x->'student'->>'birth_date')::date AS bdate,"      \
    " t.x->'student'->>'external_id' AS sext, (t.x->>'starts_on')::date AS starts_on,"            \
    " coalesce(t.x->'guardian_ids', (SELECT coalesce(jsonb_agg(u.id ORDER BY u.id), '[]'::jsonb)" \
    "  FROM jsonb_array_elements_text(t.x->'guardian_external_ids') ge"                           \
    "  JOIN users u ON u.external_id = ge), '[]'::jsonb) AS gids"                                 \
    " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, ord)),"                        \
    " m0 AS (SELECT r.*, coalesce(r.sid_given, CASE WHEN r.sext IS NOT NULL"                      \
    "  THEN (SELECT s.id FROM students s WHERE s.external_id = r.sext)"                           \
    "  ELSE (SELECT s.id FROM students s WHERE r.sext_given IS NULL"                              \
    "   AND lower(s.full_name) = lower(r.name) AND s.birth_date = r.bdate"                        \
    "   ORDER BY s.id LIMIT 1) END) AS sid FROM r),"                                              \
    " m AS (SELECT m0.*, (SELECT n.id FROM enrollments n WHERE n.student_id = m0.sid"             \
    "  AND n.group_id = m0.gid AND n.withdrawn_at IS NULL) AS eid FROM m0)"

enum ej_err ej_store_import_problems(struct ej_db *db, const json_t *rows, json_t **errors)
{
    char *doc = dump(rows);
    const char *p[] = {doc};
    enum ej_err e = db_json(
        db, errors,
        IMPORT_ROWS
        ","
        " v AS (SELECT m.*, g.id AS group_found, y.starts_on AS ys, y.ends_on AS ye"
        " FROM m LEFT JOIN groups g ON g.id = m.gid"
        " LEFT JOIN school_years y ON y.id = g.school_year_id),"
        " e(row, field, message) AS ("
        " SELECT row, CASE WHEN gext IS NULL THEN 'group_id' ELSE 'group_external_id' END,"
        "  'no such group' FROM v WHERE group_found IS NULL"
        " UNION ALL SELECT row, 'starts_on', 'must be inside the group''s school year' FROM v"
        "  WHERE group_found IS NOT NULL AND eid IS NULL AND starts_on NOT BETWEEN ys AND ye"
        " UNION ALL SELECT row, 'student_id', 'no such student' FROM v WHERE sid_given IS NOT NULL"
        "  AND NOT EXISTS (SELECT 1 FROM students WHERE id = v.sid_given)"
        " UNION ALL SELECT row, 'student_external_id', 'no student has this external_id' FROM v"
        "  WHERE sext_given IS NOT NULL AND sid_given IS NULL"
        " UNION ALL SELECT row, 'student', 'appears more than once for this group' FROM"
        "  (SELECT row, count(*) OVER (PARTITION BY gid, coalesce(sid::text, 'e:' || sext,"
        "   lower(name) || '|' || bdate::text)) AS c FROM v) d WHERE c > 1"
        /* §20: a row that names a student who turns out to exist already (same
         * name and birth date) may not link guardians to them: two children can
         * share both, and a stranger would see the other's journal. An
         * external id names one record, so a match by it may. */
        " UNION ALL SELECT row, 'guardian_ids', 'the student matched the existing student '"
        "  || sid || ' by name and birth date: give student_id to link guardians' FROM v"
        "  WHERE sid_given IS NULL AND sext_given IS NULL AND sext IS NULL AND sid IS NOT NULL"
        "  AND jsonb_array_length(gids) > 0"
        " UNION ALL SELECT v.row, 'guardian_external_ids', 'no user has the external_id ' || ge"
        "  FROM v, jsonb_array_elements_text(coalesce(v.x->'guardian_external_ids', '[]'::jsonb)) "
        "ge"
        "  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.external_id = ge)"
        " UNION ALL SELECT v.row, CASE WHEN v.x ? 'guardian_ids' THEN 'guardian_ids'"
        "  ELSE 'guardian_external_ids' END, 'user ' || gt || ' is not a guardian'"
        "  FROM v, jsonb_array_elements_text(v.gids) gt"
        "  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = gt::bigint"
        "  AND 'guardian' = ANY(u.roles)))"
        " SELECT coalesce(jsonb_agg(jsonb_build_object('row', row, 'field', field,"
        " 'message', message) ORDER BY row, field), '[]'::jsonb) FROM e",
        1, p);
    free(doc);
    return e;
}

/* §18: the rows whose group is of a closed school year. */
enum ej_err ej_store_import_closed_rows(struct ej_db *db, const json_t *rows, json_t **closed)
{
    char *doc = dump(rows);
    const char *p[] = {doc};
    enum ej_err e = db_json(db, closed,
                            IMPORT_ROWS
                            " SELECT coalesce(jsonb_agg(m.row ORDER BY m.row), '[]'::jsonb)"
                            " FROM m JOIN groups g ON g.id = m.gid"
                            " JOIN school_years y ON y.id = g.school_year_id"
                            " WHERE y.closed_at IS NOT NULL",
                            1, p);
    free(doc);
    return e;
}

enum ej_err ej_store_import_enrollments(struct ej_db *db, const json_t *rows, json_t **out)
{
    char *doc = dump(rows);
    const char *p[] = {doc};
    json_t *students = NULL, *result = NULL;
    *out = NULL;
    /* New students first (one per distinct external id, or name and birth
     * date); and the rows that matched an existing student. Each statement
     * hands back what it changed ({id, after}), which ej_audit_many audits
     * and puts in the change feed, set-based as the statement itself. */
    enum ej_err e = db_json(
        db, &students,
        IMPORT_ROWS
        ","
        " new AS (SELECT DISTINCT ON (coalesce('e:' || sext, lower(name) || '|' || bdate))"
        "  name, bdate, sext FROM m WHERE sid IS NULL"
        "  ORDER BY coalesce('e:' || sext, lower(name) || '|' || bdate), row),"
        " ins AS (INSERT INTO students AS s (full_name, birth_date, external_id)"
        "  SELECT name, bdate, sext FROM new RETURNING s.id, student_json(s) AS j)"
        " SELECT jsonb_build_object('created', (SELECT count(*) FROM ins),"
        "  'audit', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'after', j)"
        "   ORDER BY id), '[]'::jsonb) FROM ins),"
        "  'created_rows', (SELECT coalesce(jsonb_agg(row), '[]'::jsonb) FROM m"
        "   WHERE sid IS NULL),"
        "  'matched', (SELECT coalesce(jsonb_agg(jsonb_build_object('row', row,"
        "   'student_id', sid) ORDER BY row), '[]'::jsonb) FROM m"
        "   WHERE sid_given IS NULL AND sid IS NOT NULL))",
        1, p);
    if (e == EJ_OK && students)
        e = ej_audit_many(db, "student.create", "student", json_object_get(students, "audit"));
    /* Then the enrollments that are not already true, and the guardian
     * links; and per row what happened. */
    if (e == EJ_OK)
        e = db_json(
            db, &result,
            IMPORT_ROWS
            ","
            " ins AS (INSERT INTO enrollments AS e (group_id, student_id, starts_on,"
            "  guardians_informed_on, admission_order) SELECT gid, sid, starts_on,"
            "  (x->>'guardians_informed_on')::date, x->>'admission_order' FROM m"
            "  WHERE eid IS NULL ORDER BY row"
            "  RETURNING e.id, e.group_id, e.student_id, enrollment_json(e) AS j),"
            " gl AS (INSERT INTO student_guardians (student_id, guardian_id)"
            "  SELECT DISTINCT m.sid, g::bigint FROM m, jsonb_array_elements_text(m.gids) g"
            "  ON CONFLICT DO NOTHING RETURNING student_id, guardian_id)"
            " SELECT jsonb_build_object('audit_enrollments', (SELECT coalesce(jsonb_agg("
            "  jsonb_build_object('id', id, 'after', j) ORDER BY id), '[]'::jsonb) FROM ins),"
            "  'audit_links', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', student_id,"
            "   'after', jsonb_build_object('student_id', student_id, 'guardian_id',"
            "   guardian_id)) ORDER BY student_id, guardian_id), '[]'::jsonb) FROM gl),"
            "  'enrollments', coalesce((SELECT jsonb_agg(j ORDER BY id)"
            "  FROM ins), '[]'::jsonb), 'guardian_links_created', (SELECT count(*) FROM gl),"
            "  'enrollments_left', (SELECT count(*) FROM m WHERE eid IS NOT NULL),"
            "  'rows', (SELECT coalesce(jsonb_agg(jsonb_build_object('row', m.row,"
            "   'student_id', m.sid, 'enrollment_id', coalesce(m.eid, i.id),"
            "   'enrollment', CASE WHEN m.eid IS NULL THEN 'created' ELSE 'left' END,"
            "   'guardian_links_created', (SELECT count(*) FROM gl WHERE gl.student_id = m.sid"
            "    AND gl.guardian_id IN (SELECT jsonb_array_elements_text(m.gids)::bigint)))"
            "   ORDER BY m.row), '[]'::jsonb)"
            "   FROM m LEFT JOIN ins i ON i.group_id = m.gid AND i.student_id = m.sid))",
            1, p);
    if (e == EJ_OK && (!students || !result)) {
        db->err = EJ_ERR_INTERNAL;
        e = db->err;
    }
    if (e == EJ_OK)
        e = ej_audit_many(db, "enrollment.create", "enrollment",
                          json_object_get(result, "audit_enrollments"));
    if (e == EJ_OK)
        e = ej_audit_many(db, "student.guardian_link", "student",
                          json_object_get(result, "audit_links"));
    if (e == EJ_OK) {
        json_object_del(result, "audit_enrollments");
        json_object_del(result, "audit_links");
    }
    if (e == EJ_OK) {
        /* Existing students matched by external id, or by name and birth
         * date, are reported, so the superuser can see that no new record
         * was made for them; each row says what became of its student. */
        json_object_set(result, "students_created", json_object_get(students, "created"));
        json_object_set(result, "students_matched", json_object_get(students, "matched"));
        const json_t *created_rows = json_object_get(students, "created_rows");
        const json_t *matched = json_object_get(students, "matched");
        size_t i, k;
        json_t *row, *v;
        json_array_foreach(json_object_get(result, "rows"), i, row) {
            json_int_t n = json_integer_value(json_object_get(row, "row"));
            const char *how = "given";
            json_array_foreach(created_rows, k, v)
                if (json_integer_value(v) == n)
                    how = "created";
            json_array_foreach(matched, k, v) {
                if (json_integer_value(json_object_get(v, "row")) == n)
                    how = "matched";
            }
            json_object_set_new(row, "student", json_string(how));
        }
        *out = result;
        result = NULL;
    }
    free(doc);
    json_decref(students);
    json_decref(result);
    return e;
}
