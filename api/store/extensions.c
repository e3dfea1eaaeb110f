#include "store/extensions.h"

#include "core/req.h"
#include "store/audit.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ej_err ej_store_extension_request_pending(struct ej_db *db, int64_t lesson_id,
                                               int64_t *pending_id)
{
    char l[24];
    const char *p[] = {db_i64(l, lesson_id)};
    *pending_id = 0;
    PGresult *res = db_exec(db, DB_OPT,
                            "SELECT id FROM extension_requests WHERE lesson_id = $1"
                            " AND status = 'pending'",
                            1, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1)
        *pending_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_extension_request_create(struct ej_db *db, int64_t lesson_id,
                                              const char *reason, json_t **request)
{
    char l[24], actor[24];
    const char *p[] = {db_i64(l, lesson_id), db->who ? db_i64(actor, db->who->user_id) : NULL,
                       reason};
    *request = NULL;
    if (db_json(db, request,
                "INSERT INTO extension_requests AS x (lesson_id, requested_by, reason)"
                " VALUES ($1, $2, $3) RETURNING extension_request_json(x)",
                3, p) != EJ_OK)
        return db->err;
    if (!*request)
        return db->err = EJ_ERR_INTERNAL;
    if (ej_audit(db, "extension_request.create", "extension_request",
                 json_integer_value(json_object_get(*request, "id")), NULL, *request) != EJ_OK) {
        json_decref(*request);
        *request = NULL;
        return db->err;
    }
    return EJ_OK;
}

enum ej_err ej_store_extension_request_list(struct ej_db *db,
                                            const struct ej_extension_request_filter *f,
                                            json_t **items)
{
    char lim[24], aft[24], by[24], les[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after),
                       f->requested_by ? db_i64(by, f->requested_by) : NULL, f->status,
                       f->lesson_id ? db_i64(les, f->lesson_id) : NULL};
    return db_json(db, items,
                   "SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM ("
                   " SELECT x.id, extension_request_json(x) AS j FROM extension_requests x"
                   " WHERE ($3::bigint IS NULL OR x.requested_by = $3)"
                   " AND ($4::text IS NULL OR x.status = $4)"
                   " AND ($5::bigint IS NULL OR x.lesson_id = $5)"
                   " AND x.id > $2 ORDER BY x.id LIMIT $1) s",
                   5, p);
}

enum ej_err ej_store_extension_request_get(struct ej_db *db, int64_t id, int64_t requested_by,
                                           json_t **request)
{
    char i[24], by[24];
    const char *p[] = {db_i64(i, id), requested_by ? db_i64(by, requested_by) : NULL};
    if (db_json(db, request,
                "SELECT extension_request_json(x) FROM extension_requests x"
                " WHERE x.id = $1 AND ($2::bigint IS NULL OR x.requested_by = $2)",
                2, p) != EJ_OK)
        return db->err;
    return *request ? EJ_OK : (db->err = EJ_ERR_NOT_FOUND);
}

enum ej_err ej_store_extension_request_lock(struct ej_db *db, int64_t id,
                                            struct ej_extension_request_facts *f)
{
    char i[24];
    const char *p[] = {db_i64(i, id)};
    memset(f, 0, sizeof *f);
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT l.id, y.closed_at IS NOT NULL"
                           " FROM extension_requests x JOIN lessons l ON l.id = x.lesson_id"
                           " JOIN groups g ON g.id = l.group_id"
                           " JOIN school_years y ON y.id = g.school_year_id"
                           " WHERE x.id = $1 FOR NO KEY UPDATE OF l",
                           1, p);
    if (e != EJ_OK)
        return e;
    f->lesson_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    f->year_closed = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    res = db_exec(db, DB_ONE,
                  "SELECT extension_request_json(x), x.status FROM extension_requests x"
                  " WHERE x.id = $1 FOR UPDATE",
                  1, p);
    if (!res)
        return db->err;
    snprintf(f->status, sizeof f->status, "%s", PQgetvalue(res, 0, 1));
    f->request = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return f->request ? EJ_OK : (db->err = EJ_ERR_INTERNAL);
}

/* Writes the decision (sql with $1 id, $2 actor, $3 until or note), audits it. */
static enum ej_err decide(struct ej_db *db, int64_t id, const char *action, const json_t *before,
                          const char *sql, const char *arg, json_t **request)
{
    char i[24], actor[24];
    const char *p[] = {db_i64(i, id), db->who ? db_i64(actor, db->who->user_id) : NULL, arg};
    enum ej_err rc = db_json(db, request, sql, 3, p);
    if (rc == EJ_OK && !*request)
        rc = db->err = EJ_ERR_NOT_FOUND;
    if (rc == EJ_OK)
        rc = ej_audit(db, action, "extension_request", id, before, *request);
    if (rc != EJ_OK) {
        json_decref(*request);
        *request = NULL;
    }
    return rc;
}

enum ej_err ej_store_extension_request_grant(struct ej_db *db, int64_t id, const json_t *before,
                                             const char *until, json_t **request)
{
    return decide(db, id, "extension_request.grant", before,
                  "UPDATE extension_requests x SET status = 'granted', until = $3::timestamptz,"
                  " decided_by = $2, decided_at = now(), version = version + 1,"
                  " updated_at = now() WHERE id = $1 RETURNING extension_request_json(x)",
                  until, request);
}

enum ej_err ej_store_extension_request_decline(struct ej_db *db, int64_t id, const json_t *before,
                                               const char *note, json_t **request)
{
    return decide(db, id, "extension_request.decline", before,
                  "UPDATE extension_requests x SET status = 'declined', decision_note = $3,"
                  " decided_by = $2, decided_at = now(), version = version + 1,"
                  " updated_at = now() WHERE id = $1 RETURNING extension_request_json(x)",
                  note, request);
}
