/* The HTTP server: CivetWeb glue. The only module that includes civetweb.h.
 *
 * It depends on core/ alone: what it needs from the layers above (the
 * pipeline, the database pool, randomness, the route table) main.c passes in
 * as hooks, so the HTTP layer never includes them. */
#ifndef EJ_HTTP_SERVER_H
#define EJ_HTTP_SERVER_H

#include "core/req.h"

#include <stddef.h>

struct ej_server_hooks {
    /* Runs a request the HTTP layer accepted (framing, request target) and
     * static files did not answer, to a reply: the pipeline. */
    void (*run)(struct ej_req *r);
    /* Gives a request's database connection back to the pool: called before
     * a body is read outside a transaction and before every reply is written,
     * so a slow sender or reader holds none. */
    void (*release_db)(struct ej_db *db);
    /* Fills buf with n random bytes for a request id; returns 0 (anything
     * else aborts: randomness does not fail on a working kernel). */
    int (*random_bytes)(void *buf, size_t n);
    /* The name of the request's route in the request log (its path pattern),
     * or NULL for none matched. */
    const char *(*route_name)(const struct ej_req *r);
    /* A worker thread ends: frees what the thread holds (its connection). */
    void (*thread_exit)(void);
    /* The server stopped (every worker gone): closes the database pool. */
    void (*stopped)(void);
};

/* Serves until SIGTERM/SIGINT, then finishes requests in flight. Returns the
 * process exit code (0 on a clean stop, 1 if it could not start). Every hook
 * must be set; they are called from the worker threads. */
int ej_server_run(const struct ej_server_hooks *hooks);

#endif
