/* The store's narrow view of a request (issue 14): what a store function may
 * know and change besides its arguments. No libpq, CivetWeb or HTTP type: the
 * store speaks facts and errors, resources speak HTTP (core/req.h's
 * ej_problem_db maps the generic errors onto problems).
 *
 * The connection itself is the pool slot the request's thread has borrowed
 * (store/db.c); everything else of it is here. */
#ifndef EJ_CORE_DBCTX_H
#define EJ_CORE_DBCTX_H

#include <stdbool.h>

struct ej_principal;

/* The outcome of a store call. Every store function that can fail returns
 * one; the details of the last failure are in struct ej_db. */
enum ej_err {
    EJ_OK = 0,
    EJ_ERR_NOT_FOUND, /* no such row, or not one the principal may see */
    EJ_ERR_CONFLICT, /* a unique or exclusion constraint said no: sqlstate and constraint name it */
    EJ_ERR_INVALID,  /* a value the database refused: a foreign key (column), check, not null */
    EJ_ERR_STALE,    /* the row's version is not the one the caller expected (If-Match) */
    EJ_ERR_BUSY,     /* lock or statement timeout, serialization, no free connection: retry */
    EJ_ERR_UNAVAILABLE, /* the database is not reachable */
    EJ_ERR_INTERNAL,    /* anything else: logged with the request id */
};

struct ej_db {
    const char *request_id;         /* for logs and the audit trail ("" = none) */
    const struct ej_principal *who; /* the actor of audit records; NULL = not authenticated */

    /* transaction state */
    bool in_tx;
    bool keep_changes; /* commit even though the reply is an error (e.g. login throttling) */
    int feed_n;        /* change-feed rows written in this transaction (store/audit.c) */
    /* §20: the operation of this read of personal data by an employee, to be
     * audited (NULL: none); a store function that writes the record in its
     * own statement clears it (ej_audit_read_in), else the pipeline writes it
     * after the handler. */
    const char *read_audit;
    struct {
        const char *path_id, *path, *query; /* borrowed from the request */
    } read_target;

    /* the last failure */
    enum ej_err err;
    char sqlstate[6];
    char constraint[64]; /* constraint name, "" if none */
    char column[64];     /* for a foreign key <table>_<column>_fkey: the column, else "" */
};

#endif
