#include "store/audit.h"

#include "store/db.h"

#include <stdlib.h>

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
