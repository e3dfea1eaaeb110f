/* Idempotency-Key for POST (SPEC.md): a retry with the same key and the same
 * request (method, path, query and body: ej_idem_request_hash) gets the first
 * response and changes nothing again; the same key with another request is
 * refused (api/pipeline.c answers 422 idempotency_key_reused). Keys live 24
 * hours, per user. */
#ifndef EJ_STORE_IDEMPOTENCY_H
#define EJ_STORE_IDEMPOTENCY_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a request is, for the comparison: the SHA-256 (hex) of its method,
 * path, query (NULL = none) and body, each but the body NUL-terminated. */
void ej_idem_request_hash(const char *method, const char *path, const char *query, const char *body,
                          size_t body_len, char out[65]);

/* The response stored under a key. */
struct ej_idem_stored {
    bool found;        /* a response is stored under the key (within 24 hours) */
    bool same_request; /* ...for a request with the same hash */
    int status;
    json_t *body; /* owned by the caller when found and same_request; else NULL */
    char location[160];
    char etag[48];
};

/* Inside the request's transaction: serialises requests of user_id with this
 * key (until the transaction ends) and looks for a stored response. */
enum ej_err ej_idem_begin(struct ej_db *db, int64_t user_id, const char *key,
                          const char request_hash[65], struct ej_idem_stored *out);

/* Stores a successful reply (status, body borrowed or NULL, location and etag
 * "" for none) under key, in the same transaction. One-time secrets in the
 * body (initial_password, access_token, refresh_token) are not stored: a
 * replay gets the record without them. */
enum ej_err ej_idem_finish(struct ej_db *db, int64_t user_id, const char *key,
                           const char request_hash[65], int status, const json_t *body,
                           const char *location, const char *etag);

/* Command line (`ejournal prune`): deletes the keys past their 24 hours (and
 * the hour of grace) on connection conn (a PGconn), in batches. *deleted gets
 * how many. Returns 0, or -1 with the error on stderr. */
struct pg_conn;
int ej_idem_prune(struct pg_conn *conn, long *deleted);

#endif
