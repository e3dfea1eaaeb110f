#include "store/roster.h"

#include "store/audit.h"
#include "store/db.h"
#include "store/entity.h"
#include "store/years.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The common list tail: keyset pagination on id. */
#define PAGE " AND x.id > $2 ORDER BY x.id LIMIT $1"

static char *dump(const json_t *v) { return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY); }

/* Wraps db_json over `SELECT coalesce(jsonb_agg(j ORDER BY id), '[]') FROM (...)`. */
static int list(struct ej_req *r, json_t **items, const char *inner, int n,
                const char *const *params)
{
    char sql[2048];
    int len = snprintf(sql, sizeof sql,
                       "SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM (%s) s", inner);
    if (len < 0 || (size_t)len >= sizeof sql)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
    return db_json(r, items, sql, n, params);
}

/* ---- school years ---- */

int ej_store_school_year_create(struct ej_req *r, const json_t *body, json_t **out)
{
    char *doc = dump(body);
    const char *p[] = {doc};
    int rc = ej_store_create(r, "school_year", "school_year.create",
                             "INSERT INTO school_years AS y (name, starts_on, ends_on)"
                             " SELECT $1::jsonb->>'name', ($1::jsonb->>'starts_on')::date,"
                             " ($1::jsonb->>'ends_on')::date RETURNING school_year_json(y)",
                             1, p, out);
    free(doc);
    if (rc != 0 && db_failed_with(&r->db, "23505", "school_years_name_key"))
        ej_problem(r, 409, "school_year_exists", "A school year with this name exists.");
    return rc;
}

int ej_store_school_year_list(struct ej_req *r, const struct ej_roster_filter *f, json_t **items)
{
    char lim[24], aft[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after)};
    return list(r, items,
                "SELECT x.id, school_year_json(x) AS j FROM school_years x WHERE true" PAGE, 2, p);
}

int ej_store_school_year_get(struct ej_req *r, int64_t id, json_t **out)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return ej_store_get(r, "school year", "SELECT school_year_json(y) FROM school_years y WHERE id = $1",
                        1, p, out);
}

int ej_store_school_year_close(struct ej_req *r, int64_t id, json_t **out)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return ej_store_change(r, "school_year", "school_year.close", id, -1,
                           "SELECT school_year_json(y) FROM school_years y WHERE id = $1 FOR UPDATE",
                           "UPDATE school_years y SET closed_at = coalesce(closed_at, now()),"
                           " version = version + 1 WHERE id = $1 RETURNING school_year_json(y)",
                           1, p, out);
}

/* ---- programmes ---- */

static int program_conflict(struct ej_req *r, int rc)
{
    if (rc != 0 && db_failed_with(&r->db, "23505", "programs_code_key"))
        ej_problem(r, 409, "program_code_taken", "A programme with this code exists.");
    return ej_store_external_id_conflict(r, rc);
}

int ej_store_program_create(struct ej_req *r, const json_t *body, json_t **out)
{
    char *doc = dump(body);
    const char *p[] = {doc};
    int rc = ej_store_create(r, "program", "program.create",
                             "INSERT INTO programs AS x (code, name, description, external_id)"
                             " SELECT $1::jsonb->>'code', $1::jsonb->>'name',"
                             " $1::jsonb->>'description', $1::jsonb->>'external_id'"
                             " RETURNING program_json(x)",
                             1, p, out);
    free(doc);
    return program_conflict(r, rc);
}

int ej_store_program_list(struct ej_req *r, const struct ej_roster_filter *f, json_t **items)
{
    char lim[24], aft[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after), f->external_id};
    return list(r, items,
                "SELECT x.id, program_json(x) AS j FROM programs x"
                " WHERE ($3::text IS NULL OR x.external_id = $3)" PAGE,
                3, p);
}

int ej_store_program_get(struct ej_req *r, int64_t id, json_t **out)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    return ej_store_get(r, "programme", "SELECT program_json(x) FROM programs x WHERE id = $1", 1,
                        p, out);
}

int ej_store_program_update(struct ej_req *r, int64_t id, int64_t version, const json_t *body,
                            json_t **out)
{
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    int rc = ej_store_change(
        r, "program", "program.update", id, version,
        "SELECT program_json(x) FROM programs x WHERE id = $1 FOR UPDATE",
        "UPDATE programs x SET"
        " code = CASE WHEN $2::jsonb ? 'code' THEN $2::jsonb->>'code' ELSE code END,"
        " name = CASE WHEN $2::jsonb ? 'name' THEN $2::jsonb->>'name' ELSE name END,"
        " description = CASE WHEN $2::jsonb ? 'description' THEN $2::jsonb->>'description'"
        " ELSE description END,"
        " external_id = CASE WHEN $2::jsonb ? 'external_id' THEN $2::jsonb->>'external_id'"
        " ELSE external_id END, version = version + 1, updated_at = now()"
        " WHERE id = $1 RETURNING program_json(x)",
        2, p, out);
    free(doc);
    return program_conflict(r, rc);
}

/* ---- groups ---- */

/* 422 naming every id in teacher_ids that is not a user with role teacher. */
static int check_teachers(struct ej_req *r, const json_t *ids)
{
    if (!ids)
        return 0;
    char *doc = dump(ids);
    const char *p[] = {doc};
    json_t *bad = NULL;
    int rc = db_json(r, &bad,
                     "SELECT jsonb_agg(t) FROM jsonb_array_elements_text($1::jsonb) t"
                     " WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = t::bigint"
                     " AND 'teacher' = ANY(roles))",
                     1, p);
    free(doc);
    if (rc == 0 && json_array_size(bad) > 0) {
        char *list = dump(bad);
        ej_problem(r, 422, "validation_failed", "teacher_ids: %s are not teachers.", list);
        ej_problem_field(r, "teacher_ids", "every id must be a user with the role teacher");
        free(list);
        rc = -1;
    }
    json_decref(bad);
    return rc;
}

static int set_teachers(struct ej_req *r, const char *gid, const json_t *ids)
{
    if (!ids)
        return 0;
    char *doc = dump(ids);
    const char *p[] = {gid, doc};
    /* One statement sees one snapshot: deleting every row and inserting the list again would
     * collide with the rows it deletes when the list keeps a teacher. So only the teachers who
     * leave are deleted, and those who stay are not inserted again. */
    PGresult *res = db_exec(r, DB_NONE,
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
        return -1;
    PQclear(res);
    return 0;
}

/* 409 if the school year is closed (or 422 if it does not exist). */
static int year_open(struct ej_req *r, const char *year_id)
{
    const char *p[] = {year_id};
    PGresult *res = db_exec(r, DB_OPT, "SELECT closed_at IS NOT NULL FROM school_years WHERE id = $1",
                            1, p);
    if (!res)
        return -1;
    int rows = PQntuples(res), closed = rows && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!rows) {
        ej_problem(r, 422, "validation_failed", "Field 'school_year_id' refers to no school year.");
        ej_problem_field(r, "school_year_id", "refers to a record that does not exist");
        return -1;
    }
    return closed ? ej_year_closed(r) : 0;
}

static int group_conflict(struct ej_req *r, int rc)
{
    if (rc != 0 && db_failed_with(&r->db, "23505", "groups_school_year_id_name_key"))
        ej_problem(r, 409, "group_name_taken", "This school year already has a group of that name.");
    return ej_store_external_id_conflict(r, rc);
}

int ej_store_group_create(struct ej_req *r, const json_t *body, json_t **out)
{
    char year[24];
    db_i64(year, json_integer_value(json_object_get(body, "school_year_id")));
    const json_t *teachers = json_object_get(body, "teacher_ids");
    if (year_open(r, year) != 0 || check_teachers(r, teachers) != 0)
        return -1;
    char *doc = dump(body);
    const char *p[] = {doc};
    json_t *created = NULL;
    int rc = db_json(r, &created,
                     "INSERT INTO groups AS x (program_id, school_year_id, name, external_id)"
                     " SELECT ($1::jsonb->>'program_id')::bigint,"
                     " ($1::jsonb->>'school_year_id')::bigint, $1::jsonb->>'name',"
                     " $1::jsonb->>'external_id' RETURNING x.id",
                     1, p);
    free(doc);
    if (group_conflict(r, rc) != 0)
        return -1;
    char gid[24];
    db_i64(gid, json_integer_value(created));
    json_decref(created);
    const char *q[] = {gid};
    *out = NULL;
    if (set_teachers(r, gid, teachers) != 0 ||
        ej_store_get(r, "group", "SELECT group_json(x) FROM groups x WHERE id = $1", 1, q, out) != 0 ||
        ej_audit(r, "group.create", "group", strtoll(gid, NULL, 10), NULL, *out) != 0) {
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int ej_store_group_list(struct ej_req *r, unsigned scopes, const struct ej_roster_filter *f,
                        json_t **items)
{
    char lim[24], aft[24], uid[24], sc[24], yr[24], t[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after),
                       db_i64(uid, r->who.user_id), db_i64(sc, scopes),
                       f->school_year_id ? db_i64(yr, f->school_year_id) : NULL,
                       f->teacher_id ? db_i64(t, f->teacher_id) : NULL, f->external_id};
    return list(r, items,
                "SELECT x.id, group_json(x) AS j FROM groups x"
                " WHERE visible_group($3, $4, x.id)"
                " AND ($7::text IS NULL OR x.external_id = $7)"
                " AND ($5::bigint IS NULL OR x.school_year_id = $5)"
                " AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM group_teachers t"
                "      WHERE t.group_id = x.id AND t.teacher_id = $6))" PAGE,
                7, p);
}

int ej_store_group_get(struct ej_req *r, unsigned scopes, int64_t id, json_t **out)
{
    char idb[24], uid[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, r->who.user_id), db_i64(sc, scopes)};
    return ej_store_get(r, "group",
                        "SELECT group_json(x) FROM groups x WHERE id = $1"
                        " AND visible_group($2, $3, x.id)",
                        3, p, out);
}

int ej_store_group_update(struct ej_req *r, int64_t id, int64_t version, const json_t *body,
                          json_t **out)
{
    char idb[24];
    const json_t *teachers = json_object_get(body, "teacher_ids");
    const char *q[] = {db_i64(idb, id)};
    json_t *before = NULL;
    *out = NULL;
    if (ej_store_get(r, "group",
                     "SELECT group_json(x) || jsonb_build_object('closed', y.closed_at IS NOT NULL)"
                     " FROM groups x JOIN school_years y ON y.id = x.school_year_id"
                     " WHERE x.id = $1 FOR UPDATE OF x",
                     1, q, &before) != 0)
        return -1;
    int rc = -1;
    if (json_is_true(json_object_get(before, "closed")))
        ej_year_closed(r);
    else if (version >= 0 && json_integer_value(json_object_get(before, "version")) != version)
        ej_problem(r, 412, "precondition_failed",
                   "The group was changed by someone else; reload and try again.");
    else
        rc = check_teachers(r, teachers);
    char *doc = dump(body);
    const char *p[] = {idb, doc};
    PGresult *res = rc != 0 ? NULL
                            : db_exec(r, DB_NONE,
                                      "UPDATE groups SET"
                                      " name = CASE WHEN $2::jsonb ? 'name' THEN $2::jsonb->>'name' ELSE name END,"
                                      " program_id = CASE WHEN $2::jsonb ? 'program_id'"
                                      " THEN ($2::jsonb->>'program_id')::bigint ELSE program_id END,"
                                      " external_id = CASE WHEN $2::jsonb ? 'external_id'"
                                      " THEN $2::jsonb->>'external_id' ELSE external_id END,"
                                      " version = version + 1, updated_at = now() WHERE id = $1",
                                      2, p);
    free(doc);
    if (!res) {
        json_decref(before);
        return group_conflict(r, -1);
    }
    PQclear(res);
    json_object_del(before, "closed");
    rc = set_teachers(r, idb, teachers);
    if (rc == 0)
        rc = ej_store_get(r, "group", "SELECT group_json(x) FROM groups x WHERE id = $1", 1, q, out);
    if (rc == 0)
        rc = ej_audit(r, "group.update", "group", id, before, *out);
    json_decref(before);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- students ---- */

/* 422/409 unless user_id is a student account not linked to another student. */
static int check_student_user(struct ej_req *r, const json_t *uid, int64_t self)
{
    if (!json_is_integer(uid))
        return 0;
    char u[24], s[24];
    const char *p[] = {db_i64(u, json_integer_value(uid)), db_i64(s, self)};
    PGresult *res = db_exec(r, DB_ONE,
                            "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND 'student' = ANY(roles)),"
                            " EXISTS (SELECT 1 FROM students WHERE user_id = $1 AND id <> $2)",
                            2, p);
    if (!res)
        return -1;
    int is_student = PQgetvalue(res, 0, 0)[0] == 't', taken = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!is_student) {
        ej_problem(r, 422, "validation_failed", "user_id must be an account with the role student.");
        ej_problem_field(r, "user_id", "must be a user with the role student");
        return -1;
    }
    if (taken)
        return ej_problem(r, 409, "user_already_linked",
                          "This account already belongs to another student.");
    return 0;
}

int ej_store_student_create(struct ej_req *r, const json_t *body, json_t **out)
{
    if (check_student_user(r, json_object_get(body, "user_id"), 0) != 0)
        return -1;
    char *doc = dump(body);
    const char *p[] = {doc};
    int rc = ej_store_create(r, "student", "student.create",
                             "INSERT INTO students AS x (full_name, birth_date, user_id, external_id)"
                             " SELECT $1::jsonb->>'full_name', ($1::jsonb->>'birth_date')::date,"
                             " ($1::jsonb->>'user_id')::bigint, $1::jsonb->>'external_id'"
                             " RETURNING student_json(x)",
                             1, p, out);
    free(doc);
    return ej_store_external_id_conflict(r, rc);
}

int ej_store_student_list(struct ej_req *r, unsigned scopes, const struct ej_roster_filter *f,
                          json_t **items)
{
    char lim[24], aft[24], uid[24], sc[24], g[24], like[260];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after),
                       db_i64(uid, r->who.user_id), db_i64(sc, scopes),
                       db_like(f->q, like, sizeof like),
                       f->group_id ? db_i64(g, f->group_id) : NULL, f->external_id};
    return list(r, items,
                "SELECT x.id, student_json(x) AS j FROM students x"
                " WHERE visible_student($3, $4, x.id)"
                " AND ($7::text IS NULL OR x.external_id = $7)"
                " AND ($5::text IS NULL OR x.full_name ILIKE '%' || $5 || '%')"
                " AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM enrollments e"
                "      WHERE e.student_id = x.id AND e.group_id = $6))" PAGE,
                7, p);
}

int ej_store_student_visible(struct ej_req *r, unsigned scopes, int64_t id)
{
    char idb[24], uid[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, r->who.user_id), db_i64(sc, scopes)};
    PGresult *res = db_exec(r, DB_ONE,
                            "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1)"
                            " AND visible_student($2, $3, $1)",
                            3, p);
    if (!res)
        return -1;
    int ok = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return ok ? 0 : ej_problem(r, 404, "not_found", "No such student.");
}

int ej_store_student_get(struct ej_req *r, unsigned scopes, int64_t id, json_t **out)
{
    char idb[24], uid[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, r->who.user_id), db_i64(sc, scopes)};
    return ej_store_get(r, "student",
                        "SELECT student_json(x) FROM students x WHERE id = $1"
                        " AND visible_student($2, $3, x.id)",
                        3, p, out);
}

int ej_store_student_update(struct ej_req *r, int64_t id, int64_t version, const json_t *body,
                            json_t **out)
{
    if (check_student_user(r, json_object_get(body, "user_id"), id) != 0)
        return -1;
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    int rc = ej_store_change(
        r, "student", "student.update", id, version,
        "SELECT student_json(x) FROM students x WHERE id = $1 FOR UPDATE",
        "UPDATE students x SET"
        " full_name = CASE WHEN $2::jsonb ? 'full_name' THEN $2::jsonb->>'full_name' ELSE full_name END,"
        " birth_date = CASE WHEN $2::jsonb ? 'birth_date' THEN ($2::jsonb->>'birth_date')::date"
        " ELSE birth_date END,"
        " user_id = CASE WHEN $2::jsonb ? 'user_id' THEN ($2::jsonb->>'user_id')::bigint ELSE user_id END,"
        " external_id = CASE WHEN $2::jsonb ? 'external_id' THEN $2::jsonb->>'external_id'"
        " ELSE external_id END,"
        " version = version + 1, updated_at = now() WHERE id = $1 RETURNING student_json(x)",
        2, p, out);
    free(doc);
    return ej_store_external_id_conflict(r, rc);
}

/* ---- guardians ---- */

int ej_store_guardian_list(struct ej_req *r, int64_t student_id, json_t **items)
{
    char s[24];
    const char *p[] = {db_i64(s, student_id)};
    return db_json(r, items,
                   "SELECT coalesce(jsonb_agg(jsonb_build_object('user_id', u.id,"
                   " 'full_name', u.full_name, 'email', u.email, 'phone', u.phone,"
                   " 'linked_at', utc(g.created_at)) ORDER BY u.id), '[]'::jsonb)"
                   " FROM student_guardians g JOIN users u ON u.id = g.guardian_id"
                   " WHERE g.student_id = $1",
                   1, p);
}

int ej_store_guardian_link(struct ej_req *r, int64_t student_id, int64_t user_id)
{
    char s[24], u[24];
    const char *p[] = {db_i64(s, student_id), db_i64(u, user_id)};
    PGresult *res = db_exec(r, DB_ONE,
                            "SELECT EXISTS (SELECT 1 FROM students WHERE id = $1),"
                            " EXISTS (SELECT 1 FROM users WHERE id = $2 AND 'guardian' = ANY(roles))",
                            2, p);
    if (!res)
        return -1;
    int student = PQgetvalue(res, 0, 0)[0] == 't', guardian = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    if (!student)
        return ej_problem(r, 404, "not_found", "No such student.");
    if (!guardian) {
        ej_problem(r, 422, "not_a_guardian", "The user does not have the role guardian.");
        ej_problem_field(r, "user_id", "must be a user with the role guardian");
        return -1;
    }
    res = db_exec(r, DB_OPT,
                  "INSERT INTO student_guardians (student_id, guardian_id) VALUES ($1, $2)"
                  " ON CONFLICT DO NOTHING RETURNING 1",
                  2, p);
    if (!res)
        return -1;
    int inserted = PQntuples(res);
    PQclear(res);
    if (!inserted)
        return 0;
    json_t *after = json_pack("{s:I, s:I}", "student_id", (json_int_t)student_id, "guardian_id",
                              (json_int_t)user_id);
    int rc = ej_audit(r, "student.guardian_link", "student", student_id, NULL, after);
    json_decref(after);
    return rc;
}

int ej_store_guardian_unlink(struct ej_req *r, int64_t student_id, int64_t user_id)
{
    char s[24], u[24];
    const char *p[] = {db_i64(s, student_id), db_i64(u, user_id)};
    PGresult *res = db_exec(r, DB_OPT,
                            "DELETE FROM student_guardians WHERE student_id = $1 AND guardian_id = $2"
                            " RETURNING 1",
                            2, p);
    if (!res)
        return -1;
    int deleted = PQntuples(res);
    PQclear(res);
    if (!deleted)
        return ej_problem(r, 404, "not_found", "This user is not a guardian of this student.");
    json_t *before = json_pack("{s:I, s:I}", "student_id", (json_int_t)student_id, "guardian_id",
                               (json_int_t)user_id);
    int rc = ej_audit(r, "student.guardian_unlink", "student", student_id, before, NULL);
    json_decref(before);
    return rc;
}

/* ---- enrollments ---- */

int ej_store_enrollment_create(struct ej_req *r, int64_t group_id, const json_t *body,
                               json_t **out)
{
    char g[24], *doc = dump(body);
    const char *p[] = {db_i64(g, group_id), doc};
    /* One statement checks the group, its year (open, dates) and the student. */
    PGresult *res = db_exec(
        r, DB_OPT,
        "SELECT y.closed_at IS NOT NULL,"
        " ($2::jsonb->>'starts_on')::date BETWEEN y.starts_on AND y.ends_on,"
        " EXISTS (SELECT 1 FROM students WHERE id = ($2::jsonb->>'student_id')::bigint),"
        " EXISTS (SELECT 1 FROM enrollments WHERE group_id = g.id AND withdrawn_at IS NULL"
        "         AND student_id = ($2::jsonb->>'student_id')::bigint)"
        " FROM groups g JOIN school_years y ON y.id = g.school_year_id WHERE g.id = $1",
        2, p);
    if (!res) {
        free(doc);
        return -1;
    }
    int rc = -1;
    if (PQntuples(res) == 0) {
        ej_problem(r, 404, "not_found", "No such group.");
    } else if (PQgetvalue(res, 0, 0)[0] == 't') {
        ej_year_closed(r);
    } else if (PQgetvalue(res, 0, 2)[0] != 't') {
        ej_problem(r, 422, "validation_failed", "Field 'student_id' refers to no student.");
        ej_problem_field(r, "student_id", "refers to a record that does not exist");
    } else if (PQgetvalue(res, 0, 1)[0] != 't') {
        ej_problem(r, 422, "validation_failed", "starts_on must be inside the group's school year.");
        ej_problem_field(r, "starts_on", "must be inside the group's school year");
    } else if (PQgetvalue(res, 0, 3)[0] == 't') {
        ej_problem(r, 409, "already_enrolled", "The student is already enrolled in this group.");
    } else {
        rc = 0;
    }
    PQclear(res);
    if (rc == 0)
        rc = ej_store_create(r, "enrollment", "enrollment.create",
                             "INSERT INTO enrollments AS x (group_id, student_id, starts_on,"
                             " guardians_informed_on, admission_order)"
                             " SELECT $1, ($2::jsonb->>'student_id')::bigint,"
                             " ($2::jsonb->>'starts_on')::date,"
                             " ($2::jsonb->>'guardians_informed_on')::date,"
                             " $2::jsonb->>'admission_order' RETURNING enrollment_json(x)",
                             2, p, out);
    free(doc);
    return rc;
}

int ej_store_enrollment_list(struct ej_req *r, int64_t group_id, const struct ej_roster_filter *f,
                             json_t **items)
{
    char lim[24], aft[24], g[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after), db_i64(g, group_id),
                       f->status};
    return list(r, items,
                "SELECT x.id, enrollment_json(x) AS j FROM enrollments x WHERE x.group_id = $3"
                " AND ($4::text IS NULL OR ($4 = 'active') = (x.withdrawn_at IS NULL))" PAGE,
                4, p);
}

int ej_store_enrollment_get(struct ej_req *r, unsigned roster_scopes, unsigned student_scopes,
                            int64_t id, json_t **out)
{
    char idb[24], uid[24], rs[24], ss[24];
    const char *p[] = {db_i64(idb, id), db_i64(uid, r->who.user_id), db_i64(rs, roster_scopes),
                       db_i64(ss, student_scopes)};
    return ej_store_get(r, "enrollment",
                        "SELECT enrollment_json(x) FROM enrollments x WHERE id = $1"
                        " AND (visible_group($2, $3, x.group_id)"
                        "      OR visible_student($2, $4::int & 12, x.student_id))",
                        4, p, out);
}

/* Ids of the student's account and their guardians' accounts that have access now. */
static int users_with_access(struct ej_req *r, const char *enrollment_id, json_t **ids)
{
    const char *p[] = {enrollment_id};
    return db_json(r, ids,
                   "SELECT coalesce(jsonb_agg(u.id ORDER BY u.id), '[]'::jsonb) FROM users u"
                   " WHERE user_access(u) = 'active' AND u.id IN ("
                   " SELECT s.user_id FROM enrollments e JOIN students s ON s.id = e.student_id"
                   " WHERE e.id = $1 UNION SELECT g.guardian_id FROM enrollments e"
                   " JOIN student_guardians g ON g.student_id = e.student_id WHERE e.id = $1)",
                   1, p);
}

int ej_store_enrollment_withdraw(struct ej_req *r, int64_t id, const json_t *body, json_t **out)
{
    char idb[24], *doc = dump(body);
    const char *p[] = {db_i64(idb, id), doc};
    json_t *before_ids = NULL, *after_ids = NULL, *enrollment = NULL;
    int rc = -1;
    PGresult *res = db_exec(r, DB_OPT,
                            "SELECT e.withdrawn_at IS NOT NULL, y.closed_at IS NOT NULL,"
                            " ($2::jsonb->>'effective_on')::date >= e.starts_on"
                            " FROM enrollments e JOIN groups g ON g.id = e.group_id"
                            " JOIN school_years y ON y.id = g.school_year_id WHERE e.id = $1"
                            " FOR UPDATE OF e", /* a second withdrawal waits, then sees it */
                            2, p);
    if (!res)
        goto out;
    if (PQntuples(res) == 0)
        ej_problem(r, 404, "not_found", "No such enrollment.");
    else if (PQgetvalue(res, 0, 0)[0] == 't')
        ej_problem(r, 409, "already_withdrawn", "This enrollment was already withdrawn.");
    else if (PQgetvalue(res, 0, 1)[0] == 't')
        ej_year_closed(r);
    else if (PQgetvalue(res, 0, 2)[0] != 't') {
        ej_problem(r, 422, "validation_failed", "effective_on must not be before starts_on.");
        ej_problem_field(r, "effective_on", "must not be before the enrollment's starts_on");
    } else
        rc = 0;
    PQclear(res);
    if (rc != 0 || users_with_access(r, idb, &before_ids) != 0 ||
        ej_store_change(r, "enrollment", "enrollment.withdraw", id, -1,
                        "SELECT enrollment_json(x) FROM enrollments x WHERE id = $1 FOR UPDATE",
                        "UPDATE enrollments x SET withdrawn_at = now(),"
                        " withdrawal_application_date = ($2::jsonb->>'application_date')::date,"
                        " withdrawal_effective_on = ($2::jsonb->>'effective_on')::date,"
                        " withdrawal_note = $2::jsonb->>'note', version = version + 1"
                        " WHERE id = $1 RETURNING enrollment_json(x)",
                        2, p, &enrollment) != 0 ||
        users_with_access(r, idb, &after_ids) != 0) {
        rc = -1;
        goto out;
    }
    /* Who lost access with this withdrawal (§11): had it before, not now. */
    json_t *revoked = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(before_ids, i, v) {
        int still = 0;
        size_t k;
        json_t *w;
        json_array_foreach(after_ids, k, w) still |= json_integer_value(w) == json_integer_value(v);
        if (!still)
            json_array_append(revoked, v);
    }
    *out = json_pack("{s:O, s:o}", "enrollment", enrollment, "revoked_user_ids", revoked);
out:
    free(doc);
    json_decref(before_ids);
    json_decref(after_ids);
    json_decref(enrollment);
    return rc;
}

/* Whose access a withdrawal of this enrollment would end (§11), before it is made, so that the
 * superuser sees it when deciding (issue 12). The same rule as user_access(): an account that is
 * active now, holds none of the employee roles, and has no active enrollment left (as a student,
 * or through any child as a guardian) once this one is withdrawn. Rows, not JSON: rendered here. */
int ej_store_enrollment_withdrawal_preview(struct ej_req *r, int64_t id, json_t **out)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    PGresult *res = db_exec(r, DB_OPT,
                            "SELECT e.withdrawn_at IS NOT NULL FROM enrollments e WHERE e.id = $1",
                            1, p);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1, withdrawn = found && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (!found)
        return ej_problem(r, 404, "not_found", "No such enrollment.");
    json_t *items = json_array();
    if (!withdrawn) {
        res = db_exec(
            r, DB_MANY,
            "SELECT u.id, u.full_name, u.id = s.user_id, u.id IN (SELECT g.guardian_id"
            "  FROM student_guardians g WHERE g.student_id = e.student_id)"
            " FROM enrollments e JOIN students s ON s.id = e.student_id"
            " JOIN users u ON u.id = s.user_id OR u.id IN (SELECT g.guardian_id"
            "  FROM student_guardians g WHERE g.student_id = e.student_id)"
            " WHERE e.id = $1 AND user_access(u) = 'active'"
            " AND NOT u.roles && ARRAY['superuser', 'director', 'teacher', 'staff', 'integration']"
            " AND NOT ('student' = ANY(u.roles) AND EXISTS (SELECT 1 FROM students s2"
            "  JOIN enrollments e2 ON e2.student_id = s2.id WHERE s2.user_id = u.id"
            "  AND e2.withdrawn_at IS NULL AND e2.id <> e.id))"
            " AND NOT ('guardian' = ANY(u.roles) AND EXISTS (SELECT 1 FROM student_guardians g2"
            "  JOIN enrollments e2 ON e2.student_id = g2.student_id WHERE g2.guardian_id = u.id"
            "  AND e2.withdrawn_at IS NULL AND e2.id <> e.id))"
            " ORDER BY u.id",
            1, p);
        if (!res) {
            json_decref(items);
            return -1;
        }
        for (int i = 0; i < PQntuples(res); i++)
            json_array_append_new(
                items, json_pack("{s:I, s:s, s:s}", "user_id",
                                 (json_int_t)strtoll(PQgetvalue(res, i, 0), NULL, 10), "full_name",
                                 PQgetvalue(res, i, 1), "as",
                                 PQgetvalue(res, i, 2)[0] == 't' ? "student" : "guardian"));
        PQclear(res);
    }
    *out = json_pack("{s:I, s:b, s:o}", "enrollment_id", (json_int_t)id, "withdrawn", withdrawn,
                     "access_ends", items);
    return 0;
}

/* ---- bulk registration ---- */

/* The import's rows (SPEC.md "Enrollments", "Integration"), with the group,
 * the student and the guardians each names: by id, or by external id (issue
 * 11); a student given as {full_name, birth_date?, external_id?} is the one
 * with that external id if it exists, else (without an external id) an
 * existing student of the same name (case-insensitive) and birth date. eid:
 * the active enrollment that already makes the row true (then it is left). */
#define IMPORT_ROWS                                                                              \
    "WITH r AS (SELECT (t.ord - 1)::int AS row, t.x, t.x->>'group_external_id' AS gext,"         \
    " coalesce((t.x->>'group_id')::bigint, (SELECT g.id FROM groups g"                           \
    "  WHERE g.external_id = t.x->>'group_external_id')) AS gid,"                                \
    " t.x->>'student_external_id' AS sext_given,"                                                \
    " coalesce((t.x->>'student_id')::bigint, (SELECT s.id FROM students s"                       \
    "  WHERE s.external_id = t.x->>'student_external_id')) AS sid_given,"                        \
    " t.x->'student'->>'full_name' AS name, (t.x->'student'->>'birth_date')::date AS bdate,"     \
    " t.x->'student'->>'external_id' AS sext, (t.x->>'starts_on')::date AS starts_on,"           \
    " coalesce(t.x->'guardian_ids', (SELECT coalesce(jsonb_agg(u.id ORDER BY u.id), '[]'::jsonb)" \
    "  FROM jsonb_array_elements_text(t.x->'guardian_external_ids') ge"                          \
    "  JOIN users u ON u.external_id = ge), '[]'::jsonb) AS gids"                                \
    " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(x, ord)),"                       \
    " m0 AS (SELECT r.*, coalesce(r.sid_given, CASE WHEN r.sext IS NOT NULL"                     \
    "  THEN (SELECT s.id FROM students s WHERE s.external_id = r.sext)"                          \
    "  ELSE (SELECT s.id FROM students s WHERE r.sext_given IS NULL"                             \
    "   AND lower(s.full_name) = lower(r.name) AND s.birth_date = r.bdate"                       \
    "   ORDER BY s.id LIMIT 1) END) AS sid FROM r),"                                             \
    " m AS (SELECT m0.*, (SELECT n.id FROM enrollments n WHERE n.student_id = m0.sid"            \
    "  AND n.group_id = m0.gid AND n.withdrawn_at IS NULL) AS eid FROM m0)"

static int import_errors(struct ej_req *r, const char *doc, json_t **errors)
{
    const char *p[] = {doc};
    return db_json(
        r, errors,
        IMPORT_ROWS ","
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
        "  FROM v, jsonb_array_elements_text(coalesce(v.x->'guardian_external_ids', '[]'::jsonb)) ge"
        "  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.external_id = ge)"
        " UNION ALL SELECT v.row, CASE WHEN v.x ? 'guardian_ids' THEN 'guardian_ids'"
        "  ELSE 'guardian_external_ids' END, 'user ' || gt || ' is not a guardian'"
        "  FROM v, jsonb_array_elements_text(v.gids) gt"
        "  WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = gt::bigint"
        "  AND 'guardian' = ANY(u.roles)))"
        " SELECT coalesce(jsonb_agg(jsonb_build_object('row', row, 'field', field,"
        " 'message', message) ORDER BY row, field), '[]'::jsonb) FROM e",
        1, p);
}

/* §18: 409 school_year_closed, naming each row (`errors`) whose group is of a
 * closed school year, as every write into a closed year's journal answers. */
static int import_closed_rows(struct ej_req *r, const char *doc)
{
    const char *p[] = {doc};
    PGresult *res = db_exec(r, DB_MANY,
                            IMPORT_ROWS
                            " SELECT m.row FROM m JOIN groups g ON g.id = m.gid"
                            " JOIN school_years y ON y.id = g.school_year_id"
                            " WHERE y.closed_at IS NOT NULL ORDER BY m.row",
                            1, p);
    if (!res)
        return -1;
    int n = PQntuples(res);
    if (n > 0) {
        ej_year_closed(r);
        for (int i = 0; i < n; i++)
            ej_problem_row(r, strtol(PQgetvalue(res, i, 0), NULL, 10), "group_id",
                           "the group's school year is closed");
    }
    PQclear(res);
    return n > 0 ? -1 : 0;
}

int ej_store_import_enrollments(struct ej_req *r, const json_t *rows, json_t **out)
{
    char *doc = dump(rows), actor[24];
    const char *p[] = {doc, db_i64(actor, r->who.user_id), r->request_id};
    json_t *errors = NULL, *students = NULL, *result = NULL;
    int rc = import_closed_rows(r, doc);
    if (rc == 0)
        rc = import_errors(r, doc, &errors);
    if (rc == 0 && json_array_size(errors) > 0) {
        ej_problem(r, 422, "import_invalid", "%zu problem(s) in the import; nothing was created.",
                   json_array_size(errors));
        json_object_set(r->out, "errors", errors);
        rc = -1;
    }
    /* New students first (one per distinct external id, or name and birth
     * date), audited; and the rows that matched an existing student. */
    if (rc == 0)
        rc = db_json(r, &students,
                     IMPORT_ROWS ","
                     " new AS (SELECT DISTINCT ON (coalesce('e:' || sext, lower(name) || '|' || bdate))"
                     "  name, bdate, sext FROM m WHERE sid IS NULL"
                     "  ORDER BY coalesce('e:' || sext, lower(name) || '|' || bdate), row),"
                     " ins AS (INSERT INTO students AS s (full_name, birth_date, external_id)"
                     "  SELECT name, bdate, sext FROM new RETURNING s.id, student_json(s) AS j),"
                     " aud AS (INSERT INTO audit_log (actor_id, action, entity, entity_id, after,"
                     "  request_id) SELECT $2, 'student.create', 'student', id::text, j, $3 FROM ins)"
                     " SELECT jsonb_build_object('created', (SELECT count(*) FROM ins),"
                     "  'created_rows', (SELECT coalesce(jsonb_agg(row), '[]'::jsonb) FROM m"
                     "   WHERE sid IS NULL),"
                     "  'matched', (SELECT coalesce(jsonb_agg(jsonb_build_object('row', row,"
                     "   'student_id', sid) ORDER BY row), '[]'::jsonb) FROM m"
                     "   WHERE sid_given IS NULL AND sid IS NOT NULL))",
                     3, p);
    /* Then the enrollments that are not already true, and the guardian
     * links, audited; and per row what happened. */
    if (rc == 0)
        rc = db_json(r, &result,
                     IMPORT_ROWS ","
                     " ins AS (INSERT INTO enrollments AS e (group_id, student_id, starts_on,"
                     "  guardians_informed_on, admission_order) SELECT gid, sid, starts_on,"
                     "  (x->>'guardians_informed_on')::date, x->>'admission_order' FROM m"
                     "  WHERE eid IS NULL ORDER BY row"
                     "  RETURNING e.id, e.group_id, e.student_id, enrollment_json(e) AS j),"
                     " aud AS (INSERT INTO audit_log (actor_id, action, entity, entity_id, after,"
                     "  request_id) SELECT $2, 'enrollment.create', 'enrollment', id::text, j, $3"
                     "  FROM ins),"
                     " gl AS (INSERT INTO student_guardians (student_id, guardian_id)"
                     "  SELECT DISTINCT m.sid, g::bigint FROM m, jsonb_array_elements_text(m.gids) g"
                     "  ON CONFLICT DO NOTHING RETURNING student_id, guardian_id),"
                     " aud2 AS (INSERT INTO audit_log (actor_id, action, entity, entity_id, after,"
                     "  request_id) SELECT $2, 'student.guardian_link', 'student', student_id::text,"
                     "  jsonb_build_object('student_id', student_id, 'guardian_id', guardian_id), $3"
                     "  FROM gl)"
                     " SELECT jsonb_build_object('enrollments', coalesce((SELECT jsonb_agg(j ORDER BY id)"
                     "  FROM ins), '[]'::jsonb), 'guardian_links_created', (SELECT count(*) FROM gl),"
                     "  'enrollments_left', (SELECT count(*) FROM m WHERE eid IS NOT NULL),"
                     "  'rows', (SELECT coalesce(jsonb_agg(jsonb_build_object('row', m.row,"
                     "   'student_id', m.sid, 'enrollment_id', coalesce(m.eid, i.id),"
                     "   'enrollment', CASE WHEN m.eid IS NULL THEN 'created' ELSE 'left' END,"
                     "   'guardian_links_created', (SELECT count(*) FROM gl WHERE gl.student_id = m.sid"
                     "    AND gl.guardian_id IN (SELECT jsonb_array_elements_text(m.gids)::bigint)))"
                     "   ORDER BY m.row), '[]'::jsonb)"
                     "   FROM m LEFT JOIN ins i ON i.group_id = m.gid AND i.student_id = m.sid))",
                     3, p);
    if (rc == 0) {
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
            json_array_foreach(created_rows, k, v) if (json_integer_value(v) == n) how = "created";
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
    json_decref(errors);
    json_decref(students);
    json_decref(result);
    return rc;
}
