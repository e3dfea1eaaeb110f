/* What the rest of the server needs from the store besides resource queries:
 * transactions, health, and thread lifecycle. No libpq types here. */
#ifndef EJ_STORE_STORE_H
#define EJ_STORE_STORE_H

#include "core/req.h"

/* BEGIN on this thread's connection. Returns 0, or -1 with 503 set. */
int ej_db_begin(struct ej_req *r);
/* COMMIT; -1 with a problem set if it fails (the changes are lost). */
int ej_db_commit(struct ej_req *r);
/* ROLLBACK (best effort, never fails the request twice). */
void ej_db_rollback(struct ej_req *r);
/* SELECT 1: 0 if the database answers, -1 with 503 set. */
int ej_db_ping(struct ej_req *r);
/* Closes this thread's connection (worker thread exit). */
void ej_db_thread_cleanup(void);
/* 1 if the last connection attempt or statement on any thread succeeded. */
int ej_db_up(void);
/* Number of open connections across threads. */
long ej_db_open_connections(void);

#endif
