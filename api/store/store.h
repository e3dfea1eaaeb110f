/* What the rest of the server needs from the store besides resource queries:
 * transactions, health, and the pool of connections. No libpq types here. */
#ifndef EJ_STORE_STORE_H
#define EJ_STORE_STORE_H

#include "core/dbctx.h"

/* BEGIN on the request's pooled connection (borrowed, and opened, now). The BEGIN itself
 * is sent with the transaction's first statement, in one round trip (store/db.c). */
enum ej_err ej_db_begin(struct ej_db *db);
/* COMMIT; an error means the changes are lost (a COMMIT answered ROLLBACK
 * is EJ_ERR_INTERNAL). */
enum ej_err ej_db_commit(struct ej_db *db);
/* ROLLBACK (best effort, never fails the request twice). */
void ej_db_rollback(struct ej_db *db);
/* SELECT 1: EJ_OK if the database answers. */
enum ej_err ej_db_ping(struct ej_db *db);
/* Gives the request's pooled connection back (ROLLBACK first if a
 * transaction is still open). Call when the pipeline is done and before the
 * reply is written; a later statement borrows again. No-op if none is held. */
void ej_db_release(struct ej_db *db);
/* Gives back a connection this thread still holds (worker thread exit). */
void ej_db_thread_cleanup(void);
/* Closes the pool's connections (server stop, after the workers). */
void ej_db_pool_close(void);
/* 1 if the last connection attempt or statement on any connection succeeded. */
int ej_db_up(void);
/* Number of open database connections (at most EJ_DB_CONNECTIONS). */
long ej_db_open_connections(void);

#endif
