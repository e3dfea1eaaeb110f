#include "store/audit.h"

#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return 0;
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
    return 0;
}

int ej_audit_read(struct ej_req *r, const char *operation)
{
    char actor[24];
    const char *p[] = {db_i64(actor, r->who.user_id), operation,
                       r->nparams ? r->params[0] : NULL, r->path, r->query,
                       r->request_id};
    /* Outside a transaction (a read route: the record is the request's only
     * write) the record is committed without waiting for its WAL to reach the
     * disk: set_config(..., true) holds for this statement's own transaction
     * only. That is safe for a read's record: the insert itself succeeded, so
     * every later statement sees it, and it is on disk within a few hundred
     * milliseconds (wal_writer_delay); only a crash of PostgreSQL itself in
     * that moment could lose it, together with nothing else, as a read
     * changed nothing. Writes keep their full commit. The wait was most of a
     * read's time on a busy disk (issue 13). */
    PGresult *res = db_exec(r, DB_NONE,
                            r->in_tx ? "INSERT INTO audit_log (actor_id, action, entity, entity_id,"
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
        return -1;
    PQclear(res);
    return 0;
}

int ej_audit_read_in(struct ej_req *r, char *sql, size_t cap, const char *when, const char **p,
                     int n, struct ej_audit_read_bufs *bufs)
{
    if (!r->read_audit || r->in_tx)
        return n;
    p[n] = db_i64(bufs->actor, r->who.user_id);
    p[n + 1] = r->read_audit;
    p[n + 2] = r->nparams ? r->params[0] : NULL;
    p[n + 3] = r->path;
    p[n + 4] = r->query;
    p[n + 5] = r->request_id;
    size_t len = strlen(sql);
    /* As ej_audit_read outside a transaction: no wait for the WAL flush. */
    snprintf(sql + len, cap - len,
             ", audit_read AS (INSERT INTO audit_log (actor_id, action, entity, entity_id, after,"
             " request_id) SELECT $%d::bigint, 'read', $%d::text, $%d::text,"
             " jsonb_build_object('path', $%d::text, 'query', $%d::text), $%d::text"
             " FROM (SELECT set_config('synchronous_commit', 'off', true) AS sc) c"
             " WHERE c.sc = 'off' AND %s)",
             n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, when);
    r->read_audit = NULL;
    return n + 6;
}
