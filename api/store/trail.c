#include "store/trail.h"

#include "core/req.h" /* struct ej_principal */
#include "store/db.h"
#include "store/row.h"

#include <stdio.h>
#include <string.h>

/* Appends " AND <pre>$n<post>" to the statement being built, value as $n. */
static void add(char *sql, size_t len, const char **params, int *n, const char *pre,
                const char *value, const char *post)
{
    size_t used = strlen(sql);
    params[*n] = value;
    (*n)++;
    snprintf(sql + used, len - used, " AND %s$%d%s", pre, *n, post);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *audit_item(const PGresult *res, int i)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", row_int(res, i, 0));
    json_object_set_new(o, "at", row_str(res, i, 1));
    json_object_set_new(o, "actor_id", row_int(res, i, 2));
    json_object_set_new(o, "actor", row_str(res, i, 3));
    json_object_set_new(o, "actor_username", row_str(res, i, 4));
    json_object_set_new(o, "action", row_str(res, i, 5));
    json_object_set_new(o, "entity", row_str(res, i, 6));
    json_object_set_new(o, "entity_id", row_text_id(res, i, 7));
    json_object_set_new(o, "before", row_json(res, i, 8));
    json_object_set_new(o, "after", row_json(res, i, 9));
    json_object_set_new(o, "request_id", row_str(res, i, 10));
    return o;
}

enum ej_err ej_store_audit_list(struct ej_db *db, const struct ej_audit_filter *f, json_t **items)
{
    /* Only the filters given are in the statement, so the planner sees plain
     * equalities and picks the index that ends in (at, id) for them; each
     * combination is its own prepared statement. */
    char sql[1536], lim[24], actor[24], aft[24];
    const char *p[8];
    int n = 1;
    p[0] = db_i64(lim, f->limit);
    snprintf(sql, sizeof sql,
             "SELECT a.id, utc(a.at), a.actor_id, u.full_name, u.username, a.action, a.entity,"
             " a.entity_id, a.before, a.after, a.request_id"
             " FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE true");
    if (f->actor_id)
        add(sql, sizeof sql, p, &n, "a.actor_id = ", db_i64(actor, f->actor_id), "");
    if (f->entity)
        add(sql, sizeof sql, p, &n, "a.entity = ", f->entity, "");
    if (f->entity_id)
        add(sql, sizeof sql, p, &n, "a.entity_id = ", f->entity_id, "");
    if (f->action)
        add(sql, sizeof sql, p, &n, "a.action = ", f->action, "");
    if (f->from)
        add(sql, sizeof sql, p, &n, "a.at >= (", f->from,
            "::date::timestamp AT TIME ZONE 'Europe/Riga')");
    if (f->to)
        add(sql, sizeof sql, p, &n, "a.at < ((", f->to,
            "::date + 1)::timestamp AT TIME ZONE 'Europe/Riga')");
    if (f->after)
        add(sql, sizeof sql, p, &n,
            "(a.at, a.id) < (SELECT c.at, c.id FROM audit_log c WHERE c.id = ",
            db_i64(aft, f->after), ")");
    size_t used = strlen(sql);
    snprintf(sql + used, sizeof sql - used, " ORDER BY a.at DESC, a.id DESC LIMIT $1");
    *items = NULL;
    PGresult *res = db_exec(db, DB_MANY | DB_READ, sql, n, p);
    if (!res)
        return db->err;
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*items, audit_item(res, i));
    PQclear(res);
    return EJ_OK;
}

/* The (entity, entity_id) keys under which the trail holds what concerns
 * student $1: writes name the entity ('student', 'user', 'enrollment',
 * 'absence_report', 'lesson'), recorded reads name the operation and its
 * path id (api/store/audit.c). A roster read counts from the enrollment on;
 * a lesson's records only for its entry and absence reasons (the lesson's
 * time or room are not the child's data). */
#define ACCESS_KEYS                                                                          \
    "WITH s AS (SELECT id, user_id FROM students WHERE id = $1),"                            \
    " keys (entity, entity_id, since) AS ("                                                  \
    "  SELECT e, s.id::text, NULL::timestamptz FROM s,"                                      \
    "   unnest(ARRAY['student', 'getStudent', 'listGuardians', 'getStudentAttendance',"      \
    "    'getStudentAccessLog']) e"                                                          \
    "  UNION ALL SELECT e, s.user_id::text, NULL FROM s, unnest(ARRAY['user', 'getUser']) e" \
    "   WHERE s.user_id IS NOT NULL"                                                         \
    "  UNION ALL SELECT e, x.id::text, NULL FROM enrollments x,"                             \
    "   unnest(ARRAY['enrollment', 'getEnrollment']) e WHERE x.student_id = $1"              \
    "  UNION ALL SELECT 'listEnrollments', x.group_id::text, min(x.created_at)"              \
    "   FROM enrollments x WHERE x.student_id = $1 GROUP BY x.group_id"                      \
    "  UNION ALL SELECT e, x.id::text, NULL FROM absence_reports x,"                         \
    "   unnest(ARRAY['absence_report', 'getAbsenceReport']) e WHERE x.student_id = $1"       \
    "  UNION ALL SELECT e, x.lesson_id::text, NULL FROM lesson_attendance x,"                \
    "   unnest(ARRAY['lesson', 'getLesson', 'getLessonEntry']) e WHERE x.student_id = $1)"

/* What a recorded read (its entity is the operation) read: the kind of its
 * path id. */
static const char *read_entity(const char *operation)
{
    static const char *const map[][2] = {
        {"getStudent", "student"},
        {"listGuardians", "student"},
        {"getStudentAttendance", "student"},
        {"getStudentAccessLog", "student"},
        {"getUser", "user"},
        {"getEnrollment", "enrollment"},
        {"listEnrollments", "group"},
        {"getAbsenceReport", "absence_report"},
        {"getLesson", "lesson"},
        {"getLessonEntry", "lesson"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], operation) == 0)
            return map[i][1];
    return NULL;
}

enum ej_err ej_store_access_log(struct ej_db *db, const struct ej_principal *who,
                                int64_t student_id, unsigned scopes, bool with_names, int limit,
                                int64_t after, json_t **items)
{
    char sid[24], sc[24], me[24], lim[24], aft[24];
    const char *p[] = {db_i64(sid, student_id), db_i64(sc, scopes), db_i64(me, who->user_id),
                       db_i64(lim, limit), after ? db_i64(aft, after) : NULL};
    *items = NULL;
    PGresult *res;
    enum ej_err e = db_row(
        db, &res, DB_READ,
        "SELECT 1 FROM students WHERE id = $1 AND visible_student($3, $2::int, $1)", 3, p);
    if (e != EJ_OK)
        return e;
    PQclear(res);
    /* Per key, the newest `limit` rows before the cursor (an index range scan
     * each), then the newest `limit` of those. */
    res = db_exec(db, DB_MANY | DB_READ,
                  ACCESS_KEYS
                  " SELECT a.id, utc(a.at), a.action, a.entity, a.entity_id,"
                  "  coalesce(to_json(u.roles)::text, '[]'), a.actor_id, u.full_name"
                  " FROM keys k CROSS JOIN LATERAL (SELECT a.* FROM audit_log a"
                  "  WHERE a.entity = k.entity AND a.entity_id = k.entity_id"
                  "  AND (k.since IS NULL OR a.at >= k.since)"
                  "  AND (k.entity <> 'lesson' OR a.action LIKE 'lesson.entry%'"
                  "       OR a.action LIKE 'lesson.absence_reason%')"
                  "  AND ($3::bigint IS NULL OR (a.at, a.id) < (SELECT c.at, c.id FROM audit_log c"
                  "       WHERE c.id = $3))"
                  "  ORDER BY a.at DESC, a.id DESC LIMIT $2) a"
                  " LEFT JOIN users u ON u.id = a.actor_id"
                  " ORDER BY a.at DESC, a.id DESC LIMIT $2",
                  3, (const char *[]){p[0], p[3], p[4]});
    if (!res)
        return db->err;
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        bool read = strcmp(PQgetvalue(res, i, 2), "read") == 0;
        json_t *o = json_object();
        json_object_set_new(o, "id", row_int(res, i, 0));
        json_object_set_new(o, "at", row_str(res, i, 1));
        json_object_set_new(o, "kind", json_string(read ? "read" : "change"));
        /* A read's entity is the operation (getStudent...); a change's action
         * says what was done (lesson.entry...). */
        json_object_set_new(o, "operation", row_str(res, i, read ? 3 : 2));
        json_object_set_new(o, "entity",
                            read ? string_or_null(read_entity(PQgetvalue(res, i, 3)))
                                 : row_str(res, i, 3));
        json_object_set_new(o, "entity_id", row_text_id(res, i, 4));
        json_object_set_new(o, "actor_roles", row_json(res, i, 5));
        json_object_set_new(o, "actor_id", with_names ? row_int(res, i, 6) : json_null());
        json_object_set_new(o, "actor", with_names ? row_str(res, i, 7) : json_null());
        json_array_append_new(*items, o);
    }
    PQclear(res);
    return EJ_OK;
}
