/* The database layer: a pool of libpq connections (EJ_DB_CONNECTIONS) that
 * requests borrow on their first statement, each opened lazily and reopened
 * after a failure, with its own prepared statements; parameters only; every
 * query declares the shape of result it expects; errors mapped by SQLSTATE
 * onto enum ej_err in the context (core/dbctx.h: class 08 and shutdown states
 * mark the connection broken → EJ_ERR_UNAVAILABLE), which the resource turns
 * into its problem (core/req.h has the one mapping).
 *
 * Only files in api/store/ include this header (and so libpq-fe.h). */
#ifndef EJ_STORE_DB_H
#define EJ_STORE_DB_H

#include "core/req.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

enum db_shape {
    DB_NONE = 0, /* a command; rows, if any, are ignored */
    DB_ONE,      /* exactly one row, else 500 */
    DB_OPT,      /* zero or one row */
    DB_MANY,     /* any number of rows */
};
/* OR into shape: the statement only reads, so it may be retried once on a
 * fresh connection if the old one turns out to be broken. */
#define DB_READ 0x100

/* Runs sql with text parameters (NULL = SQL NULL). Returns the result (caller
 * PQclears) or NULL with db->err (and sqlstate, constraint) set. */
PGresult *db_exec(struct ej_db *db, int shape, const char *sql, int n, const char *const *params);

/* Runs a query whose single row has a single json column. *out gets a new
 * reference, or NULL when there is no row (not an error). */
enum ej_err db_json(struct ej_db *db, json_t **out, const char *sql, int n,
                    const char *const *params);

/* Runs a query that finds at most one row, where no row means the thing
 * asked for is not there (read: 0, or DB_READ for a statement that only
 * reads). Returns EJ_OK with *res the row (caller PQclears); else *res is
 * NULL and the error is in db->err too: EJ_ERR_NOT_FOUND for no row. */
enum ej_err db_row(struct ej_db *db, PGresult **res, int read, const char *sql, int n,
                   const char *const *params);

/* True if the last failed statement had this SQLSTATE (and, if constraint is
 * not NULL, violated that constraint). */
int db_failed_with(const struct ej_db *db, const char *sqlstate, const char *constraint);

/* Escapes \, % and _ in a search string so it matches literally inside
 * ILIKE '%' || $n || '%'. Returns out, or NULL if q is NULL. */
const char *db_like(const char *q, char *out, size_t outlen);

/* Formats an int64 parameter into buf (at least 24 bytes); returns buf. */
const char *db_i64(char *buf, int64_t v);

/* Plain connection for the command-line tools (migrate, create-superuser);
 * exits with a message on failure. */
PGconn *db_connect_cli(void);

/* Command line: runs a DELETE that removes at most one batch (its $1 is arg,
 * if arg is not NULL) until it deletes nothing, each batch its own short
 * transaction so the server's writes never wait long behind it. Adds the
 * rows deleted to *deleted. Returns 0, or -1 with the error on stderr. */
int db_cli_delete_batches(PGconn *c, const char *sql, const char *arg, long *deleted);

#endif
