#include "store/audit.h"

#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum ej_err internal(struct ej_db *db)
{
    return db->err = EJ_ERR_INTERNAL;
}

/* ---- the change feed (GET /changes; 0012_changes.sql) ---- */

/* Audit entities whose changes the feed carries, under the same name. Others
 * (extension requests, sessions) are the service's own business. */
static const char *const feed_entities[] = {
    "user",   "student",        "program",        "group",       "enrollment", "schedule_slot",
    "lesson", "absence_report", "calendar_entry", "school_year", "settings",   "absence_reason",
};

static bool feed_carries(const char *entity)
{
    for (size_t i = 0; i < sizeof feed_entities / sizeof *feed_entities; i++)
        if (strcmp(entity, feed_entities[i]) == 0)
            return true;
    return false;
}

/* One feed row: change number ++feed_n of this transaction. */
static enum ej_err feed_row(struct ej_db *db, const char *entity, int64_t id, bool deleted,
                            const json_t *data)
{
    char n[24], idb[24];
    char *d = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!d)
        return internal(db);
    const char *p[] = {db_i64(n, db->feed_n + 1), entity, id ? db_i64(idb, id) : NULL,
                       deleted ? "delete" : "upsert", d};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO changes (n, entity, entity_id, op, data)"
                            " VALUES ($1, $2, $3, $4, $5::json)",
                            5, p);
    free(d);
    if (!res)
        return db->err;
    PQclear(res);
    db->feed_n++;
    return EJ_OK;
}

/* The lessons an operation changed besides its own entity (lessons a
 * schedule made, attendance an absence report gave reasons to): one upsert
 * each with its current representation. ids: a json array of ids. */
static enum ej_err feed_lessons(struct ej_db *db, const json_t *ids)
{
    if (!json_array_size(ids))
        return EJ_OK;
    char n[24];
    char *doc = json_dumps(ids, JSON_COMPACT);
    const char *p[] = {db_i64(n, db->feed_n), doc};
    PGresult *res = db_exec(db, DB_MANY,
                            "INSERT INTO changes (n, entity, entity_id, op, data)"
                            " SELECT $1::int + row_number() OVER (ORDER BY l.id), 'lesson', l.id,"
                            " 'upsert', lesson_json(l) FROM lessons l"
                            " WHERE l.id IN (SELECT DISTINCT x::bigint"
                            "   FROM jsonb_array_elements_text($2::jsonb) x)"
                            " RETURNING 1",
                            2, p);
    free(doc);
    if (!res)
        return db->err;
    db->feed_n += PQntuples(res);
    PQclear(res);
    return EJ_OK;
}

/* A guardian link has no id and no GET of its own: its representation is
 * both ends with their external ids (read through to_jsonb so it works
 * before and after the external_id columns exist). */
static enum ej_err feed_guardian_link(struct ej_db *db, const json_t *link, bool deleted)
{
    char s[24], g[24];
    const char *p[] = {db_i64(s, json_integer_value(json_object_get(link, "student_id"))),
                       db_i64(g, json_integer_value(json_object_get(link, "guardian_id")))};
    json_t *data = NULL;
    if (db_json(db, &data,
                "SELECT jsonb_build_object('student_id', s.id, 'guardian_id', u.id,"
                " 'student_external_id', to_jsonb(s)->'external_id',"
                " 'guardian_external_id', to_jsonb(u)->'external_id')"
                " FROM students s, users u WHERE s.id = $1 AND u.id = $2",
                2, p) != EJ_OK)
        return db->err;
    if (!data)
        return internal(db);
    enum ej_err rc = feed_row(db, "guardian_link", 0, deleted, data);
    json_decref(data);
    return rc;
}

static enum ej_err feed_change(struct ej_db *db, const char *action, const char *entity,
                               int64_t entity_id, const json_t *before, const json_t *after)
{
    if (strcmp(action, "student.guardian_link") == 0)
        return feed_guardian_link(db, after, false);
    if (strcmp(action, "student.guardian_unlink") == 0)
        return feed_guardian_link(db, before, true);
    if (!feed_carries(entity) || (!before && !after))
        return EJ_OK; /* e.g. a password change: nothing the feed shows changed */
    if (strcmp(action, "schedule.create") == 0 || strcmp(action, "schedule.generate") == 0) {
        /* after: {slot, lesson_ids} */
        if (feed_row(db, entity, entity_id, false, json_object_get(after, "slot")) != 0)
            return db->err;
        return feed_lessons(db, json_object_get(after, "lesson_ids"));
    }
    if (strcmp(action, "absence_report.apply") == 0) {
        /* after: {applied: [{lesson_id, ...}], kept, report} */
        if (feed_row(db, entity, entity_id, false, json_object_get(after, "report")) != 0)
            return db->err;
        json_t *ids = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(after, "applied"), i, a)
            json_array_append(ids, json_object_get(a, "lesson_id"));
        enum ej_err rc = feed_lessons(db, ids);
        json_decref(ids);
        return rc;
    }
    return feed_row(db, entity, entity_id, !after, after ? after : before);
}

enum ej_err ej_audit(struct ej_db *db, const char *action, const char *entity, int64_t entity_id,
                     const json_t *before, const json_t *after)
{
    if (!db->in_tx)
        return internal(db);
    char actor[24], id[24];
    char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
    const char *p[] = {db->who ? db_i64(actor, db->who->user_id) : NULL, action, entity,
                       entity_id ? db_i64(id, entity_id) : NULL,         b,      a,
                       db->request_id[0] ? db->request_id : NULL};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                            " before, after, request_id)"
                            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)",
                            7, p);
    free(b);
    free(a);
    if (!res)
        return db->err;
    PQclear(res);
    return feed_change(db, action, entity, entity_id, before, after);
}

enum ej_err ej_audit_key(struct ej_db *db, const char *action, const char *entity, const char *key,
                         const json_t *before, const json_t *after)
{
    if (!db->in_tx)
        return internal(db);
    char actor[24];
    char *b = before ? json_dumps(before, JSON_COMPACT) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT) : NULL;
    const char *p[] = {db->who ? db_i64(actor, db->who->user_id) : NULL, action, entity, key, b, a,
                       db->request_id[0] ? db->request_id : NULL};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                            " before, after, request_id)"
                            " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)",
                            7, p);
    free(b);
    free(a);
    if (!res)
        return db->err;
    PQclear(res);
    /* In the feed without an id of its own: the key is in the data. */
    return feed_change(db, action, entity, 0, before, after);
}

/* The audit records of many changes in one statement: one each (rows:
 * [{id, before, after}], doc its text), entity_id the id, in id order. */
static enum ej_err audit_many(struct ej_db *db, const char *action, const char *entity,
                              const char *doc)
{
    char actor[24];
    const char *p[] = {db->who ? db_i64(actor, db->who->user_id) : NULL, action, entity, doc,
                       db->request_id[0] ? db->request_id : NULL};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                            " before, after, request_id)"
                            " SELECT $1::bigint, $2, $3, t.x->>'id', t.x->'before', t.x->'after',"
                            " $5 FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS t(x, ord)"
                            " ORDER BY (t.x->>'id')::bigint, t.ord",
                            5, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

/* The rows of ej_audit_many ($2) as a derived table: id, ord, op and data
 * (the representation: `after`, or `before` for a delete). */
#define FEED_ROWS                                                                               \
    " (SELECT (t.x->>'id')::bigint AS id, t.ord,"                                               \
    " CASE WHEN jsonb_typeof(t.x->'after') = 'object' THEN 'upsert' ELSE 'delete' END AS op,"   \
    " CASE WHEN jsonb_typeof(t.x->'after') = 'object' THEN t.x->'after' ELSE t.x->'before' END" \
    " AS data FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(x, ord)) r"

/* Feed rows numbered by row_number, so that n has no holes whatever a
 * statement leaves out; $1 is feed_n, $3 the entity. */
static const char feed_many_sql[] = "INSERT INTO changes (n, entity, entity_id, op, data)"
                                    " SELECT $1::int + row_number() OVER (ORDER BY r.id, r.ord),"
                                    " $3, r.id, r.op, r.data::json FROM" FEED_ROWS
                                    " WHERE jsonb_typeof(r.data) = 'object' RETURNING 1";
/* A guardian link's feed row is both ends with their external ids, as
 * feed_guardian_link writes it. */
static const char feed_links_sql[] =
    "INSERT INTO changes (n, entity, entity_id, op, data)"
    " SELECT $1::int + row_number() OVER (ORDER BY r.id, r.ord), 'guardian_link', NULL, r.op,"
    " json_build_object('student_id', s.id, 'guardian_id', u.id,"
    " 'student_external_id', to_jsonb(s)->'external_id',"
    " 'guardian_external_id', to_jsonb(u)->'external_id') FROM" FEED_ROWS
    " JOIN students s ON s.id = (r.data->>'student_id')::bigint"
    " JOIN users u ON u.id = (r.data->>'guardian_id')::bigint RETURNING 1";
#undef FEED_ROWS

/* The feed rows of many changes in one statement, numbered on from feed_n in
 * id order (doc: [{id, before, after}]), as feed_change writes one: an
 * upsert with `after` or a delete with `before`; guardian links. */
static enum ej_err feed_many(struct ej_db *db, const char *action, const char *entity,
                             const char *doc)
{
    bool link = strcmp(action, "student.guardian_link") == 0 ||
                strcmp(action, "student.guardian_unlink") == 0;
    if (!link && !feed_carries(entity))
        return EJ_OK;
    char n[24];
    const char *p[] = {db_i64(n, db->feed_n), doc, entity};
    PGresult *res = db_exec(db, DB_MANY, link ? feed_links_sql : feed_many_sql, link ? 2 : 3, p);
    if (!res)
        return db->err;
    db->feed_n += PQntuples(res);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_audit_many(struct ej_db *db, const char *action, const char *entity,
                          const json_t *rows)
{
    if (!db->in_tx)
        return internal(db);
    if (!json_array_size(rows))
        return EJ_OK;
    char *doc = json_dumps(rows, JSON_COMPACT);
    if (!doc)
        return internal(db);
    enum ej_err e = audit_many(db, action, entity, doc);
    if (e == EJ_OK)
        e = feed_many(db, action, entity, doc);
    free(doc);
    return e;
}

enum ej_err ej_audit_lessons(struct ej_db *db, const char *action, const json_t *rows)
{
    if (!db->in_tx)
        return internal(db);
    if (!json_array_size(rows))
        return EJ_OK;
    char *doc = json_dumps(rows, JSON_COMPACT);
    if (!doc)
        return internal(db);
    enum ej_err e = audit_many(db, action, "lesson", doc);
    free(doc);
    if (e != EJ_OK)
        return e;
    /* In the feed with each lesson's representation as it is now. */
    json_t *ids = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        json_array_append(ids, json_object_get(row, "id"));
    e = feed_lessons(db, ids);
    json_decref(ids);
    return e;
}

enum ej_err ej_audit_read(struct ej_db *db, const char *operation)
{
    char actor[24];
    const char *p[] = {db->who ? db_i64(actor, db->who->user_id) : NULL,
                       operation,
                       db->read_target.path_id,
                       db->read_target.path,
                       db->read_target.query,
                       db->request_id};
    /* Outside a transaction (a read route: the record is the request's only
     * write) the record is committed without waiting for its WAL to reach the
     * disk: set_config(..., true) holds for this statement's own transaction
     * only. That is safe for a read's record: the insert itself succeeded, so
     * every later statement sees it, and it is on disk within a few hundred
     * milliseconds (wal_writer_delay); only a crash of PostgreSQL itself in
     * that moment could lose it, together with nothing else, as a read
     * changed nothing. Writes keep their full commit. The wait was most of a
     * read's time on a busy disk (issue 13). */
    PGresult *res = db_exec(db, DB_NONE,
                            db->in_tx
                                ? "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                                  " after, request_id) VALUES ($1, 'read', $2, $3,"
                                  " jsonb_build_object('path', $4::text, 'query', $5::text),"
                                  " $6)"
                                : "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
                                  " after, request_id) SELECT $1, 'read', $2, $3,"
                                  " jsonb_build_object('path', $4::text, 'query', $5::text),"
                                  " $6 FROM (SELECT set_config('synchronous_commit', 'off',"
                                  " true) AS sc) c WHERE c.sc = 'off'",
                            6, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

int ej_audit_read_in(struct ej_db *db, char *sql, size_t cap, const char *when, const char **p,
                     int n, struct ej_audit_read_bufs *bufs)
{
    if (!db->read_audit || db->in_tx)
        return n;
    p[n] = db->who ? db_i64(bufs->actor, db->who->user_id) : NULL;
    p[n + 1] = db->read_audit;
    p[n + 2] = db->read_target.path_id;
    p[n + 3] = db->read_target.path;
    p[n + 4] = db->read_target.query;
    p[n + 5] = db->request_id;
    size_t len = strlen(sql);
    /* As ej_audit_read outside a transaction: no wait for the WAL flush. */
    snprintf(sql + len, cap - len,
             ", audit_read AS (INSERT INTO audit_log (actor_id, action, entity, entity_id, after,"
             " request_id) SELECT $%d::bigint, 'read', $%d::text, $%d::text,"
             " jsonb_build_object('path', $%d::text, 'query', $%d::text), $%d::text"
             " FROM (SELECT set_config('synchronous_commit', 'off', true) AS sc) c"
             " WHERE c.sc = 'off' AND %s)",
             n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, when);
    db->read_audit = NULL;
    return n + 6;
}
