#include "store/idempotency.h"

#include "core/alloc.h"
#include "core/digest.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 of method, path, query and body: the same key must come with the
 * same request. */
void ej_idem_request_hash(const char *method, const char *path, const char *query, const char *body,
                          size_t body_len, char out[65])
{
    if (!query)
        query = "";
    size_t m = strlen(method) + 1, p = strlen(path) + 1, q = strlen(query) + 1;
    char *buf = ej_xmalloc(m + p + q + body_len + 1);
    memcpy(buf, method, m);
    memcpy(buf + m, path, p);
    memcpy(buf + m + p, query, q);
    if (body_len)
        memcpy(buf + m + p + q, body, body_len);
    ej_sha256_hex(buf, m + p + q + body_len, out);
    free(buf);
}

enum ej_err ej_idem_begin(struct ej_db *db, int64_t user_id, const char *key,
                          const char request_hash[65], struct ej_idem_stored *out)
{
    memset(out, 0, sizeof *out);
    char uid[24];
    const char *p[] = {db_i64(uid, user_id), key};
    PGresult *res = db_exec(
        db, DB_NONE, "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 7310002))", 2,
        p);
    if (!res)
        return db->err;
    PQclear(res);
    res = db_exec(db, DB_OPT,
                  "SELECT request_hash, status, response::text, coalesce(location, ''),"
                  " coalesce(etag, '')"
                  " FROM idempotency_keys WHERE user_id = $1 AND key = $2"
                  " AND created_at > now() - interval '24 hours'",
                  2, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        out->found = true;
        out->same_request = strcmp(PQgetvalue(res, 0, 0), request_hash) == 0;
    }
    if (out->same_request) {
        out->status = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
        out->body = PQgetisnull(res, 0, 2) ? NULL : json_loads(PQgetvalue(res, 0, 2), 0, NULL);
        snprintf(out->location, sizeof out->location, "%s", PQgetvalue(res, 0, 3));
        snprintf(out->etag, sizeof out->etag, "%s", PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_idem_finish(struct ej_db *db, int64_t user_id, const char *key,
                           const char request_hash[65], int status, const json_t *body,
                           const char *location, const char *etag)
{
    char uid[24], code[12];
    snprintf(code, sizeof code, "%d", status);
    /* One-time secrets are shown once: a replay gets the record without them. */
    json_t *copy = body ? json_deep_copy(body) : NULL;
    if (json_is_object(copy)) {
        json_object_del(copy, "initial_password");
        json_object_del(copy, "access_token");
        json_object_del(copy, "refresh_token");
    }
    char *text = copy ? json_dumps(copy, JSON_COMPACT) : NULL;
    json_decref(copy);
    const char *p[] = {db_i64(uid, user_id),
                       key,
                       request_hash,
                       code,
                       text,
                       location && location[0] ? location : NULL,
                       etag && etag[0] ? etag : NULL};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO idempotency_keys (user_id, key, request_hash, status,"
                            " response, location, etag)"
                            " VALUES ($1, $2, $3, $4::int, $5::jsonb, $6, $7)"
                            " ON CONFLICT (user_id, key) DO UPDATE SET request_hash = $3,"
                            " status = $4::int, response = $5::jsonb, location = $6, etag = $7,"
                            " created_at = now()",
                            7, p);
    free(text);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

int ej_idem_prune(struct pg_conn *conn, long *deleted)
{
    *deleted = 0;
    /* The lookup ignores keys older than 24 hours; keep an hour more so a
     * request that began just before the cut-off still finds its own key. */
    return db_cli_delete_batches(conn,
                                 "DELETE FROM idempotency_keys WHERE (user_id, key) IN"
                                 " (SELECT user_id, key FROM idempotency_keys WHERE"
                                 " created_at < now() - interval '25 hours' LIMIT 5000)",
                                 NULL, deleted);
}
