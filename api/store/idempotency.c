#include "store/idempotency.h"

#include "core/digest.h"
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 of method, path, query and body: the same key must come with the
 * same request. */
static void request_hash(const struct ej_req *r, char out[65])
{
    const char *query = r->query ? r->query : "";
    size_t m = strlen(r->method) + 1, p = strlen(r->path) + 1, q = strlen(query) + 1;
    char *buf = malloc(m + p + q + r->body_len + 1);
    if (!buf)
        abort();
    memcpy(buf, r->method, m);
    memcpy(buf + m, r->path, p);
    memcpy(buf + m + p, query, q);
    if (r->body_len)
        memcpy(buf + m + p + q, r->body_text, r->body_len);
    ej_sha256_hex(buf, m + p + q + r->body_len, out);
    free(buf);
}

int ej_idem_begin(struct ej_req *r, const char *key, bool *replayed)
{
    char uid[24], hash[65];
    *replayed = false;
    db_i64(uid, r->who.user_id);
    request_hash(r, hash);
    const char *p[] = {uid, key};
    PGresult *res = db_exec(r, DB_NONE,
                            "SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 7310002))",
                            2, p);
    if (!res)
        return -1;
    PQclear(res);
    res = db_exec(r, DB_OPT,
                  "SELECT request_hash, status, response::text, coalesce(location, ''),"
                  " coalesce(etag, '')"
                  " FROM idempotency_keys WHERE user_id = $1 AND key = $2"
                  " AND created_at > now() - interval '24 hours'",
                  2, p);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 0;
    }
    if (strcmp(PQgetvalue(res, 0, 0), hash) != 0) {
        PQclear(res);
        return ej_problem(r, 422, "idempotency_key_reused",
                          "This Idempotency-Key was used for a different request.");
    }
    int status = (int)strtol(PQgetvalue(res, 0, 1), NULL, 10);
    json_t *body = PQgetisnull(res, 0, 2) ? NULL : json_loads(PQgetvalue(res, 0, 2), 0, NULL);
    snprintf(r->location, sizeof r->location, "%s", PQgetvalue(res, 0, 3));
    snprintf(r->etag, sizeof r->etag, "%s", PQgetvalue(res, 0, 4));
    PQclear(res);
    ej_reply(r, status, body);
    *replayed = true;
    return 0;
}

int ej_idem_finish(struct ej_req *r, const char *key)
{
    char uid[24], hash[65], status[12];
    db_i64(uid, r->who.user_id);
    request_hash(r, hash);
    snprintf(status, sizeof status, "%d", r->status);
    /* One-time secrets are shown once: a replay gets the record without them. */
    json_t *copy = r->out ? json_deep_copy(r->out) : NULL;
    if (json_is_object(copy)) {
        json_object_del(copy, "initial_password");
        json_object_del(copy, "access_token");
        json_object_del(copy, "refresh_token");
    }
    char *body = copy ? json_dumps(copy, JSON_COMPACT) : NULL;
    json_decref(copy);
    const char *p[] = {uid, key, hash, status, body, r->location[0] ? r->location : NULL,
                       r->etag[0] ? r->etag : NULL};
    PGresult *res = db_exec(r, DB_NONE,
                            "INSERT INTO idempotency_keys (user_id, key, request_hash, status,"
                            " response, location, etag)"
                            " VALUES ($1, $2, $3, $4::int, $5::jsonb, $6, $7)"
                            " ON CONFLICT (user_id, key) DO UPDATE SET request_hash = $3,"
                            " status = $4::int, response = $5::jsonb, location = $6, etag = $7,"
                            " created_at = now()",
                            7, p);
    free(body);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int ej_idem_prune(struct pg_conn *conn, long *deleted)
{
    *deleted = 0;
    /* The lookup ignores keys older than 24 hours; keep an hour more so a
     * request that began just before the cut-off still finds its own key. */
    for (;;) {
        PGresult *res = PQexec(conn, "DELETE FROM idempotency_keys WHERE (user_id, key) IN"
                                     " (SELECT user_id, key FROM idempotency_keys WHERE"
                                     " created_at < now() - interval '25 hours' LIMIT 5000)");
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "ejournal: %s", PQerrorMessage(conn));
            PQclear(res);
            return -1;
        }
        long n = strtol(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        *deleted += n;
        if (n == 0)
            return 0;
    }
}
