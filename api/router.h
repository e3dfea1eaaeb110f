/* The route table's row and its matcher. Routing is data: one row per operation,
 * `{method, path, handler, operationId, who may call, flags, body limit}`.
 * The table itself is beside it in api/routes.c; openapi.yaml lists the same
 * operations (tests/api/openapi.test.mjs diffs them). Used by the pipeline
 * (api/pipeline.c) and main.c, which tells the HTTP layer what it needs of
 * the table (metrics labels, the paths static files keep out of): http/ never
 * includes this. */
#ifndef EJ_ROUTER_H
#define EJ_ROUTER_H

#include "core/req.h"

#include <stdbool.h>
#include <stddef.h>

typedef void (*ej_handler)(struct ej_req *r);

enum ej_route_flag {
    EJ_R_BODY = 1u << 0,          /* takes a JSON body */
    EJ_R_TX = 1u << 1,            /* runs in one transaction (writes) */
    EJ_R_PWCHANGE_OK = 1u << 2,   /* allowed while must_change_password */
    EJ_R_IDEMPOTENT = 1u << 3,    /* honours Idempotency-Key (POST) */
    EJ_R_BODY_OPTIONAL = 1u << 4, /* a JSON body may be sent, or none at all */
    EJ_R_HASHES = 1u << 5,        /* hashes a password: shed at once when every slot is busy */
    EJ_R_PERSONAL = 1u << 6, /* reads students' personal data: employees' reads audited (§20) */
};

struct ej_route {
    const char *method;
    const char *path; /* segments; "{name}" matches one non-empty segment */
    ej_handler handler;
    const char *operation_id;
    unsigned roles; /* roles that may call; 0 = public (no token) */
    unsigned flags;
    size_t body_limit; /* bytes; 0 = EJ_DEFAULT_BODY_LIMIT for routes with a body */
};

extern const struct ej_route ej_routes[];
extern const size_t ej_route_count;

#define EJ_DEFAULT_BODY_LIMIT (256 * 1024)
#define EJ_MAX_BODY_LIMIT (8 * 1024 * 1024)

/* Matches method and path against `routes`. On a match returns the index and
 * stores path parameters in r (owned copies). If the path matches but not the
 * method returns -2 and writes the allowed methods ("GET, POST") into allow.
 * If nothing matches returns -1. */
int ej_route_match(const struct ej_route *routes, size_t n, const char *method, const char *path,
                   struct ej_req *r, char *allow, size_t allowlen);

/* Whether any of `routes` matches path, whatever its method. */
bool ej_route_path_exists(const struct ej_route *routes, size_t n, const char *path);

#endif
