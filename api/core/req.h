/* The request context: everything one request owns, and its reply.
 *
 * The HTTP layer fills the request part, the dispatcher runs the pipeline
 * (route, authenticate, transaction, handler), handlers and the store set the
 * reply. No CivetWeb or libpq type appears here, so every layer may include it.
 * Everything hanging off a request is freed once, by ej_req_cleanup. */
#ifndef EJ_CORE_REQ_H
#define EJ_CORE_REQ_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EJ_MAX_PARAMS 4
#define EJ_REQUEST_ID_MAX 64

struct ej_route;

/* Roles (docs/rules.md §6, §8), as bits. */
enum ej_role {
    EJ_ROLE_SUPERUSER = 1u << 0,
    EJ_ROLE_DIRECTOR = 1u << 1,
    EJ_ROLE_TEACHER = 1u << 2,
    EJ_ROLE_STAFF = 1u << 3,
    EJ_ROLE_STUDENT = 1u << 4,
    EJ_ROLE_GUARDIAN = 1u << 5,
    EJ_ROLE_INTEGRATION = 1u << 6,
};
#define EJ_ROLE_ALL 0x7fu

/* The authenticated caller, loaded from the database on every request. */
struct ej_principal {
    int64_t user_id;
    unsigned roles;
    bool must_change_password;
    int64_t session_id; /* the login (refresh family) this access token belongs to */
    char username[130];
};

/* Reads a request header; implemented by the HTTP layer. Borrowed or NULL. */
typedef const char *(*ej_header_fn)(void *conn, const char *name);

struct ej_req {
    /* request (borrowed from the HTTP layer unless noted) */
    void *conn;
    ej_header_fn header;
    const char *method;
    const char *path;
    const char *query;       /* raw query string or NULL */
    const char *remote_addr; /* the client: after ej_pipeline_run starts, client_addr */
    char client_addr[48];    /* set by the pipeline (core/client_addr.h: trusted proxies) */
    const struct ej_route *route;
    int route_index;
    const char *params[EJ_MAX_PARAMS]; /* path parameters, owned */
    size_t nparams;
    char request_id[EJ_REQUEST_ID_MAX + 1];
    long long content_length; /* -1 if none was given */
    bool chunked;             /* Transfer-Encoding was sent */
    bool body_read;
    /* Reads exactly content_length bytes into body_text; implemented by the
     * HTTP layer. Returns 0, or -1 with a problem set. */
    int (*read_body)(struct ej_req *r);
    char *body_text; /* owned */
    size_t body_len;
    json_t *body; /* owned; parsed JSON body of routes that take one */
    struct ej_principal who;
    bool authenticated;
    double started; /* monotonic seconds */

    /* the store's view: transaction state and the last database failure
     * (core/dbctx.h); resources pass &r->db to the store */
    struct ej_db db;

    /* reply */
    int status;
    json_t *out;    /* owned JSON reply body */
    char *out_text; /* owned non-JSON reply body */
    size_t out_len;
    const char *out_type; /* content type for out_text */
    char etag[48];
    char location[160];
    /* Content-Security-Policy of a page (static or owned by the handler's module), or NULL */
    const char *csp;
    int retry_after; /* seconds, 0 = none */
    char allow[96];  /* for 405 */
    bool www_authenticate;
    bool preflight; /* CORS preflight reply: add the Allow-* headers */
    bool close_connection;
};

/* Initialises storage the caller owns. */
void ej_req_init(struct ej_req *r);
/* Frees everything the request owns. */
void ej_req_cleanup(struct ej_req *r);

/* Reads a request header (borrowed, NULL if absent). */
const char *ej_req_header(const struct ej_req *r, const char *name);

/* Sets a JSON reply; steals `body`. */
void ej_reply(struct ej_req *r, int status, json_t *body);
/* Sets an empty reply (e.g. 204). */
void ej_reply_empty(struct ej_req *r, int status);
/* Sets a non-JSON reply; copies text. */
void ej_reply_text(struct ej_req *r, int status, const char *type, const char *text, size_t len);

/* Sets an application/problem+json reply with a stable snake_case code.
 * Always returns -1 so callers can `return ej_problem(...)`. */
int ej_problem(struct ej_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds {field, message} to the reply's `errors` array (call after ej_problem). */
void ej_problem_field(struct ej_req *r, const char *field, const char *message);
/* Adds one entry to `errors` with a row number (bulk imports). */
void ej_problem_row(struct ej_req *r, long row, const char *field, const char *message);

/* True once the reply is an error (status >= 400). */
static inline bool ej_failed(const struct ej_req *r)
{
    return r->status >= 400;
}

/* The one mapping of the store's generic errors (core/dbctx.h) onto problems:
 * 404 not_found, 409 conflict (a unique key), 422 validation_failed (a
 * foreign key, naming its field, or a value out of range), 412
 * precondition_failed, 503 database_busy / database_unavailable with
 * Retry-After, 500 internal_error. Resources map the errors whose meaning
 * they know first (a constraint of their own) and leave the rest to this.
 * Always returns -1; EJ_OK is a bug and maps to 500. */
int ej_problem_db(struct ej_req *r, enum ej_err e);

/* 422 validation_failed naming one field. Always returns -1. */
int ej_invalid(struct ej_req *r, const char *field, const char *msg);

/* Checks the request target before routing: 400 invalid_path if the path has
 * a percent-escape or is not UTF-8, 400 invalid_query if a query parameter
 * has a malformed escape, a NUL or is not UTF-8 once decoded. 0 or -1. */
int ej_target_check(struct ej_req *r);

/* Path parameter i as a positive id in canonical form (no leading zero); on
 * anything else sets 404 and returns -1. */
int ej_param_id(struct ej_req *r, size_t i, int64_t *out);

/* Query parameter lookup: copies the decoded value of `name` into out.
 * Returns 1 found, 0 absent, -1 too long / malformed (sets 400). */
int ej_query(struct ej_req *r, const char *name, char *out, size_t outlen);

/* Refuses query parameters an operation does not take (openapi.yaml, "Query parameters"):
 * `allowed` is NULL-terminated, NULL for none. 400 unknown_parameter naming
 * the first name not in it (with `parameter` and `allowed` in the problem),
 * 400 duplicate_parameter for a name given twice (lookups take the first
 * only, so a second would be ignored silently). Empty segments ("a=1&&b=2")
 * are skipped. Returns 0 or -1. */
int ej_query_only(struct ej_req *r, const char *const *allowed);

/* Query parameter as a positive id: 0 with *out = 0 when absent, -1 with 400
 * invalid_query when malformed. */
int ej_query_id(struct ej_req *r, const char *name, int64_t *out);
/* Query parameter as a real date YYYY-MM-DD copied into buf: *out = buf, or
 * NULL when absent; -1 with 400 invalid_query when not a date. */
int ej_query_date(struct ej_req *r, const char *name, char *buf, size_t len, const char **out);

/* If-Match: 0 and *version = -1 when absent; 0 and the version when it is
 * a strong ETag "vN" (or *); -1 with 412 when it cannot match anything. */
int ej_if_match(struct ej_req *r, int64_t *version);
/* Sets the ETag of the reply from a row version. */
void ej_set_etag(struct ej_req *r, int64_t version);

/* Content negotiation for documents (CSV, HTML exports): the first media
 * type of `offered` (NULL-terminated, e.g. {"text/csv", "text/html", NULL})
 * that the Accept header names exactly (parameters ignored, q=0 refused),
 * taking the header's ranges in the client's order; NULL when it names none
 * of them (the caller then answers JSON). */
const char *ej_accept_pick(const struct ej_req *r, const char *const *offered);

/* Monotonic clock in seconds. */
double ej_now(void);

/* Pagination (openapi.yaml, "Lists"): ?limit= (default 50, at most 500) and
 * ?after=CURSOR. Returns 0, or -1 with 400 invalid_query. *after is 0 when
 * absent. Cursors are the id of the last item of the previous page. */
int ej_page_params(struct ej_req *r, int *limit, int64_t *after);
/* Wraps a page of items (stolen) as {"items": [...], "next": cursor|null}. */
json_t *ej_page_wrap(json_t *items, int limit);

#endif
