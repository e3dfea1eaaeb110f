/* Idempotency-Key for POST (SPEC.md): a retry with the same key and body gets
 * the first response and changes nothing again; the same key with another
 * body is refused (422 idempotency_key_reused). Keys live 24 hours, per user. */
#ifndef EJ_STORE_IDEMPOTENCY_H
#define EJ_STORE_IDEMPOTENCY_H

#include "core/req.h"

#include <stdbool.h>

/* Inside the request's transaction: serialises requests with this key and
 * looks for a stored response. Sets *replayed and the stored reply when
 * found. Returns 0 or -1 (problem set). */
int ej_idem_begin(struct ej_req *r, const char *key, bool *replayed);

/* Stores the request's successful reply under key, in the same transaction. */
int ej_idem_finish(struct ej_req *r, const char *key);

/* Command line (`ejournal prune`): deletes the keys past their 24 hours on
 * connection conn (a PGconn), in batches. *deleted gets how many. Returns 0,
 * or -1 with the error on stderr. */
struct pg_conn;
int ej_idem_prune(struct pg_conn *conn, long *deleted);

#endif
