#include "store/audit.h"

#include "store/db.h"

#include <stdlib.h>
#include <string.h>

/* ---- the change feed (GET /changes; 0012_changes.sql) ---- */

/* Audit entities whose changes the feed carries, under the same name. Others
 * (extension requests, sessions) are the service's own business. */
static const char *const feed_entities[] = {
    "user", "student", "program", "group", "enrollment", "schedule_slot", "lesson",
    "absence_report", "calendar_entry", "school_year", "settings", "absence_reason",
};

static bool feed_carries(const char *entity)
{
    for (size_t i = 0; i < sizeof feed_entities / sizeof *feed_entities; i++)
        if (strcmp(entity, feed_entities[i]) == 0)
            return true;
    return false;
}

/* One feed row: change number ++feed_n of this transaction. */
static int feed_row(struct ej_req *r, const char *entity, int64_t id, bool deleted,
                    const json_t *data)
{
    char n[24], idb[24];
    char *d = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!d)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                          r->request_id);
    const char *p[] = {db_i64(n, r->feed_n + 1), entity, id ? db_i64(idb, id) : NULL,
                       deleted ? "delete" : "upsert", d};
    PGresult *res = db_exec(r, DB_NONE,
                            "INSERT INTO changes (n, entity, entity_id, op, data)"
                            " VALUES ($1, $2, $3, $4, $5::json)",
                            5, p);
    free(d);
    if (!res)
        return -1;
    PQclear(res);
    r->feed_n++;
    return 0;
}

/* The lessons an operation changed besides its own entity (lessons a
 * schedule made, attendance an absence report gave reasons to): one upsert
 * each with its current representation. ids: a json array of ids. */
static int feed_lessons(struct ej_req *r, const json_t *ids)
{
    if (!json_array_size(ids))
        return 0;
    char n[24];
    char *doc = json_dumps(ids, JSON_COMPACT);
    const char *p[] = {db_i64(n, r->feed_n), doc};
    PGresult *res = db_exec(r, DB_MANY,
                            "INSERT INTO changes (n, entity, entity_id, op, data)"
                            " SELECT $1::int + row_number() OVER (ORDER BY l.id), 'lesson', l.id,"
                            " 'upsert', lesson_json(l) FROM lessons l"
                            " WHERE l.id IN (SELECT DISTINCT x::bigint"
                            "   FROM jsonb_array_elements_text($2::jsonb) x)"
                            " RETURNING 1",
                            2, p);
    free(doc);
    if (!res)
        return -1;
    r->feed_n += PQntuples(res);
    PQclear(res);
    return 0;
}

/* A guardian link has no id and no GET of its own: its representation is
 * both ends with their external ids (read through to_jsonb so it works
 * before and after the external_id columns exist). */
static int feed_guardian_link(struct ej_req *r, const json_t *link, bool deleted)
{
    char s[24], g[24];
    const char *p[] = {db_i64(s, json_integer_value(json_object_get(link, "student_id"))),
                       db_i64(g, json_integer_value(json_object_get(link, "guardian_id")))};
    json_t *data = NULL;
    if (db_json(r, &data,
                "SELECT jsonb_build_object('student_id', s.id, 'guardian_id', u.id,"
                " 'student_external_id', to_jsonb(s)->'external_id',"
                " 'guardian_external_id', to_jsonb(u)->'external_id')"
                " FROM students s, users u WHERE s.id = $1 AND u.id = $2",
                2, p) != 0)
        return -1;
    if (!data)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                          r->request_id);
    int rc = feed_row(r, "guardian_link", 0, deleted, data);
    json_decref(data);
    return rc;
}

static int feed_change(struct ej_req *r, const char *action, const char *entity,
                       int64_t entity_id, const json_t *before, const json_t *after)
{
    if (strcmp(action, "student.guardian_link") == 0)
        return feed_guardian_link(r, after, false);
    if (strcmp(action, "student.guardian_unlink") == 0)
        return feed_guardian_link(r, before, true);
    if (!feed_carries(entity) || (!before && !after))
        return 0; /* e.g. a password change: nothing the feed shows changed */
    if (strcmp(action, "schedule.create") == 0 || strcmp(action, "schedule.generate") == 0) {
        /* after: {slot, lesson_ids} */
        if (feed_row(r, entity, entity_id, false, json_object_get(after, "slot")) != 0)
            return -1;
        return feed_lessons(r, json_object_get(after, "lesson_ids"));
    }
    if (strcmp(action, "absence_report.apply") == 0) {
        /* after: {applied: [{lesson_id, ...}], kept, report} */
        if (feed_row(r, entity, entity_id, false, json_object_get(after, "report")) != 0)
            return -1;
        json_t *ids = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(after, "applied"), i, a)
            json_array_append(ids, json_object_get(a, "lesson_id"));
        int rc = feed_lessons(r, ids);
        json_decref(ids);
        return rc;
    }
    return feed_row(r, entity, entity_id, !after, after ? after : before);
}

int ej_audit(struct ej_req *r, const char *action, const char *entity,
             int64_t entity_id, const json_t *before, const json_t *after)
{
    if (!r->in_tx)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                          r->request_id);
    char actor[24], id[24];
    char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
    const char *p[] = {r->authenticated ? db_i64(actor, r->who.user_id) : NULL,
                       action, entity, entity_id ? db_i64(id, entity_id) : NULL,
                       b, a, r->request_id[0] ? r->request_id : NULL};
    PGresult *res = db_exec(r, DB_NONE,
                            "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                            " before, after, request_id)"
                            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)",
                            7, p);
    free(b);
    free(a);
    if (!res)
        return -1;
    PQclear(res);
    return feed_change(r, action, entity, entity_id, before, after);
}

int ej_audit_key(struct ej_req *r, const char *action, const char *entity, const char *key,
                 const json_t *before, const json_t *after)
{
    if (!r->in_tx)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                          r->request_id);
    char actor[24];
    char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
    const char *p[] = {r->authenticated ? db_i64(actor, r->who.user_id) : NULL,
                       action, entity, key, b, a, r->request_id[0] ? r->request_id : NULL};
    PGresult *res = db_exec(r, DB_NONE,
                            "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                            " before, after, request_id)"
                            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)",
                            7, p);
    free(b);
    free(a);
    if (!res)
        return -1;
    PQclear(res);
    /* In the feed without an id of its own: the key is in the data. */
    return feed_change(r, action, entity, 0, before, after);
}

int ej_audit_read(struct ej_req *r, const char *operation)
{
    char actor[24];
    const char *p[] = {db_i64(actor, r->who.user_id), operation,
                       r->nparams ? r->params[0] : NULL, r->path, r->query,
                       r->request_id};
    PGresult *res = db_exec(r, DB_NONE,
                            "INSERT INTO audit_log (actor_id, action, entity, entity_id, after,"
                            " request_id) VALUES ($1, 'read', $2, $3,"
                            " jsonb_build_object('path', $4::text, 'query', $5::text), $6)",
                            6, p);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}
