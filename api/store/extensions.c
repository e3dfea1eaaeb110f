#include "store/extensions.h"

#include "store/audit.h"
#include "store/db.h"
#include "store/entity.h"
#include "store/journal.h"
#include "store/years.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ej_store_extension_request_create(struct ej_req *r, int64_t lesson_id, const char *reason,
                                      json_t **request)
{
    char l[24], actor[24];
    const char *p[] = {db_i64(l, lesson_id), db_i64(actor, r->who.user_id), reason};
    *request = NULL;
    /* The lesson row is locked by the caller, so no other request for it can
     * appear between this look and the insert. */
    PGresult *res = db_exec(r, DB_OPT,
                            "SELECT id FROM extension_requests WHERE lesson_id = $1"
                            " AND status = 'pending'",
                            1, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        long long id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        ej_problem(r, 409, "extension_request_pending",
                   "This lesson already has a pending extension request (id %lld); the "
                   "superuser decides it.",
                   id);
        if (r->out)
            json_object_set_new(r->out, "request_id", json_integer(id));
        return -1;
    }
    PQclear(res);
    return ej_store_create(r, "extension_request", "extension_request.create",
                           "INSERT INTO extension_requests AS x (lesson_id, requested_by, reason)"
                           " VALUES ($1, $2, $3) RETURNING extension_request_json(x)",
                           3, p, request);
}

int ej_store_extension_request_list(struct ej_req *r, const struct ej_extension_request_filter *f,
                                    json_t **items)
{
    char lim[24], aft[24], by[24], les[24];
    const char *p[] = {db_i64(lim, f->limit), db_i64(aft, f->after),
                       f->requested_by ? db_i64(by, f->requested_by) : NULL, f->status,
                       f->lesson_id ? db_i64(les, f->lesson_id) : NULL};
    return db_json(r, items,
                   "SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM ("
                   " SELECT x.id, extension_request_json(x) AS j FROM extension_requests x"
                   " WHERE ($3::bigint IS NULL OR x.requested_by = $3)"
                   " AND ($4::text IS NULL OR x.status = $4)"
                   " AND ($5::bigint IS NULL OR x.lesson_id = $5)"
                   " AND x.id > $2 ORDER BY x.id LIMIT $1) s",
                   5, p);
}

int ej_store_extension_request_get(struct ej_req *r, int64_t id, int64_t requested_by,
                                   json_t **request)
{
    char i[24], by[24];
    const char *p[] = {db_i64(i, id), requested_by ? db_i64(by, requested_by) : NULL};
    return ej_store_get(r, "extension request",
                        "SELECT extension_request_json(x) FROM extension_requests x"
                        " WHERE x.id = $1 AND ($2::bigint IS NULL OR x.requested_by = $2)",
                        2, p, request);
}

/* Locks a request that must still be pending (the lesson first, as entry
 * writers and requesters lock it, then the request). *lesson_id, *before. */
static int lock_pending(struct ej_req *r, const char *id, int64_t *lesson_id, json_t **before)
{
    const char *p[] = {id};
    *before = NULL;
    PGresult *res = db_exec(r, DB_OPT,
                            "SELECT l.id, y.closed_at IS NOT NULL"
                            " FROM extension_requests x JOIN lessons l ON l.id = x.lesson_id"
                            " JOIN groups g ON g.id = l.group_id"
                            " JOIN school_years y ON y.id = g.school_year_id"
                            " WHERE x.id = $1 FOR NO KEY UPDATE OF l",
                            1, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return ej_problem(r, 404, "not_found", "No such extension request.");
    }
    *lesson_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    bool closed = PQgetvalue(res, 0, 1)[0] == 't';
    PQclear(res);
    /* A decision is a write into the lesson's journal too: not once its year is closed. */
    if (closed)
        return ej_year_closed(r);
    res = db_exec(r, DB_ONE,
                  "SELECT extension_request_json(x), x.status FROM extension_requests x"
                  " WHERE x.id = $1 FOR UPDATE",
                  1, p);
    if (!res)
        return -1;
    int rc = 0;
    if (strcmp(PQgetvalue(res, 0, 1), "pending") != 0) {
        rc = ej_problem(r, 409, "extension_request_not_pending", "The request was already %s.",
                        PQgetvalue(res, 0, 1));
        if (r->out)
            /* Not "status": that is the problem's HTTP status (RFC 9457). */
            json_object_set_new(r->out, "request_status", json_string(PQgetvalue(res, 0, 1)));
    } else {
        *before = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
        if (!*before)
            rc = ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                            r->request_id);
    }
    PQclear(res);
    return rc;
}

/* Writes the decision (sql with $1 id, $2 actor, $3 until or note), audits it. */
static int decide(struct ej_req *r, int64_t id, const char *action, const json_t *before,
                  const char *sql, const char *arg, json_t **request)
{
    char i[24], actor[24];
    const char *p[] = {db_i64(i, id), db_i64(actor, r->who.user_id), arg};
    int rc = db_json(r, request, sql, 3, p);
    if (rc == 0 && !*request)
        rc = ej_problem(r, 404, "not_found", "No such extension request.");
    if (rc == 0)
        rc = ej_audit(r, action, "extension_request", id, before, *request);
    if (rc == 0)
        ej_store_etag(r, *request);
    return rc;
}

int ej_store_extension_request_grant(struct ej_req *r, int64_t id, const char *until,
                                     json_t **request)
{
    char i[24];
    int64_t lesson_id = 0;
    json_t *before = NULL, *lesson = NULL;
    *request = NULL;
    int rc = lock_pending(r, db_i64(i, id), &lesson_id, &before);
    if (rc == 0)
        rc = ej_store_extension_grant(r, lesson_id,
                                      until, json_string_value(json_object_get(before, "reason")),
                                      &lesson);
    if (rc == 0)
        rc = decide(r, id, "extension_request.grant", before,
                    "UPDATE extension_requests x SET status = 'granted', until = $3::timestamptz,"
                    " decided_by = $2, decided_at = now(), version = version + 1,"
                    " updated_at = now() WHERE id = $1 RETURNING extension_request_json(x)",
                    until, request);
    json_decref(lesson);
    json_decref(before);
    return rc;
}

int ej_store_extension_request_decline(struct ej_req *r, int64_t id, const char *note,
                                       json_t **request)
{
    char i[24];
    int64_t lesson_id = 0;
    json_t *before = NULL;
    *request = NULL;
    int rc = lock_pending(r, db_i64(i, id), &lesson_id, &before);
    if (rc == 0)
        rc = decide(r, id, "extension_request.decline", before,
                    "UPDATE extension_requests x SET status = 'declined', decision_note = $3,"
                    " decided_by = $2, decided_at = now(), version = version + 1,"
                    " updated_at = now() WHERE id = $1 RETURNING extension_request_json(x)",
                    note, request);
    json_decref(before);
    return rc;
}
