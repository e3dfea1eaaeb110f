#define _GNU_SOURCE /* strcasestr */
#include "pipeline.h"

#include "auth/authn.h"
#include "auth/password.h"
#include "core/budget.h"
#include "core/client_addr.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"
#include "queries.h"
#include "router.h"
#include "store/audit.h"
#include "store/idempotency.h"
#include "store/store.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int preflight(struct ej_req *r, const char *allow)
{
    const char *origin = ej_req_header(r, "Origin");
    snprintf(r->allow, sizeof r->allow, "%s", allow);
    if (!origin || !ej_config_cors_allowed(origin))
        return ej_problem(r, 403, "cors_origin_not_allowed",
                          "This origin may not call the API from a browser.");
    r->preflight = true;
    ej_reply_empty(r, 204);
    return 0;
}

static int route(struct ej_req *r)
{
    char allow[96];
    int i = ej_route_match(ej_routes, ej_route_count, r->method, r->path, r, allow, sizeof allow);
    if (i == -1)
        return ej_problem(r, 404, "not_found", "No such resource.");
    if (i == -2) {
        if (strcmp(r->method, "OPTIONS") == 0)
            return preflight(r, allow), -1;
        snprintf(r->allow, sizeof r->allow, "%s", allow);
        return ej_problem(r, 405, "method_not_allowed", "Allowed methods: %s.", allow);
    }
    r->route = &ej_routes[i];
    r->route_index = i;
    return 0;
}

/* application/json, optionally with parameters such as charset=utf-8. */
static int is_json(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0)
        return 0;
    ct += n;
    while (*ct == ' ')
        ct++;
    if (*ct == '\0')
        return 1;
    if (*ct != ';')
        return 0;
    const char *cs = strcasestr(ct, "charset=");
    return !cs || strncasecmp(cs + 8, "utf-8", 5) == 0 || strncasecmp(cs + 8, "\"utf-8\"", 7) == 0;
}

static int check_body_headers(struct ej_req *r)
{
    const struct ej_route *rt = r->route;
    if ((rt->flags & EJ_R_BODY_OPTIONAL) && !r->chunked && r->content_length <= 0)
        return 0;
    if (!(rt->flags & (EJ_R_BODY | EJ_R_BODY_OPTIONAL))) {
        if (r->chunked || r->content_length > 0)
            return ej_problem(r, 413, "body_too_large", "This operation takes no body.");
        return 0;
    }
    if (!is_json(ej_req_header(r, "Content-Type")))
        return ej_problem(r, 415, "unsupported_media_type",
                          "Send the body as application/json (UTF-8).");
    if (r->chunked || r->content_length < 0)
        return ej_problem(r, 411, "length_required", "Send the body with a Content-Length.");
    size_t limit = rt->body_limit ? rt->body_limit : EJ_DEFAULT_BODY_LIMIT;
    if ((unsigned long long)r->content_length > limit)
        return ej_problem(r, 413, "body_too_large", "The body is over the limit of %zu bytes.",
                          limit);
    return 0;
}

static int authorize(struct ej_req *r)
{
    const struct ej_route *rt = r->route;
    if (!rt->roles)
        return 0;
    if (ej_authenticate(r) != 0)
        return -1;
    if (r->who.must_change_password && !(rt->flags & EJ_R_PWCHANGE_OK))
        return ej_problem(r, 403, "password_change_required",
                          "Change your one-time password first (POST /api/v1/auth/password).");
    if (!(r->who.roles & rt->roles))
        return ej_problem(r, 403, "forbidden", "Your role may not do this.");
    return 0;
}

/* A usable Idempotency-Key: 1..128 printable ASCII characters. */
static const char *idempotency_key(struct ej_req *r)
{
    const char *k = ej_req_header(r, "Idempotency-Key");
    if (!k || !(r->route->flags & EJ_R_IDEMPOTENT))
        return NULL;
    size_t n = strlen(k);
    if (n == 0 || n > 128)
        return "";
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)k[i]))
            return "";
    return k;
}

/* Employees (§20: "staff" in the rules' sense) and the integration account
 * (SPEC.md "Audit"), whose reads are audited. */
#define EMPLOYEES \
    (EJ_ROLE_SUPERUSER | EJ_ROLE_DIRECTOR | EJ_ROLE_TEACHER | EJ_ROLE_STAFF | EJ_ROLE_INTEGRATION)

/* Looks up what is stored under the Idempotency-Key. True when the request
 * is answered by that (the first response again, or 422 when the key came
 * with another request, or a database error), false when it is to run. */
static bool idempotent_replay(struct ej_req *r, const char *key, const char request_hash[65])
{
    struct ej_idem_stored got;
    if (ej_idem_begin(&r->db, r->who.user_id, key, request_hash, &got) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return true;
    }
    if (!got.found)
        return false;
    if (!got.same_request) {
        ej_problem(r, 422, "idempotency_key_reused",
                   "This Idempotency-Key was used for a different request.");
        return true;
    }
    snprintf(r->location, sizeof r->location, "%s", got.location);
    snprintf(r->etag, sizeof r->etag, "%s", got.etag);
    ej_reply(r, got.status, got.body);
    return true;
}

static void run_handler_now(struct ej_req *r)
{
    const struct ej_route *rt = r->route;
    if (!(rt->flags & EJ_R_TX)) {
        /* §20: an employee's read of students' personal data is in the audit
         * log; if it cannot be recorded, the data is not sent. A handler may
         * write the record in the statement that reads the data. */
        r->db.read_audit = (rt->flags & EJ_R_PERSONAL) && (r->who.roles & EMPLOYEES)
                               ? rt->operation_id
                               : NULL;
        r->db.read_target.path_id = r->nparams ? r->params[0] : NULL;
        r->db.read_target.path = r->path;
        r->db.read_target.query = r->query;
        rt->handler(r);
        if (r->db.read_audit && !ej_failed(r)) {
            /* The reply (JSON, or a page as text) waits aside while the read is recorded. */
            json_t *out = r->out;
            char *text = r->out_text;
            size_t len = r->out_len;
            const char *type = r->out_type;
            int status = r->status;
            r->out = NULL;
            r->out_text = NULL;
            if (ej_audit_read(&r->db, rt->operation_id) == EJ_OK) {
                ej_reply(r, status, out);
                r->out_text = text;
                r->out_len = len;
                r->out_type = type;
            } else {
                json_decref(out);
                free(text);
                ej_problem_db(r, r->db.err);
            }
        }
        return;
    }
    const char *key = idempotency_key(r);
    if (key && !*key) {
        ej_problem(r, 400, "invalid_idempotency_key",
                   "Idempotency-Key must be 1 to 128 printable ASCII characters.");
        return;
    }
    if (ej_db_begin(&r->db) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    char request_hash[65];
    if (key) {
        ej_idem_request_hash(r->method, r->path, r->query, r->body_text, r->body_len, request_hash);
        if (idempotent_replay(r, key, request_hash)) {
            ej_db_rollback(&r->db);
            return;
        }
    }
    rt->handler(r);
    /* A handler that rolled back itself (a dry run) changed nothing, so
     * there is nothing for a retry to replay. */
    if (!ej_failed(r) && key && r->db.in_tx &&
        ej_idem_finish(&r->db, r->who.user_id, key, request_hash, r->status, r->out, r->location,
                       r->etag) != EJ_OK)
        ej_problem_db(r, r->db.err);
    if (ej_failed(r) && !r->db.keep_changes) {
        ej_db_rollback(&r->db);
        return;
    }
    if (!r->db.in_tx)
        return;
    /* Keep the handler's reply unless the commit itself fails. */
    json_t *out = r->out;
    int status = r->status;
    r->out = NULL;
    if (ej_db_commit(&r->db) != EJ_OK) {
        json_decref(out);
        ej_problem_db(r, r->db.err);
        return;
    }
    ej_reply(r, status, out);
}

/* A route that hashes a password first takes a hashing slot for its thread,
 * waiting its turn (FIFO) for at most EJ_HASH_WAIT_MS, and only then begins
 * its transaction: a request waiting for a slot holds no database connection
 * or transaction, and one that got a slot never finds none when it hashes. */
static void run_handler(struct ej_req *r)
{
    if (!(r->route->flags & EJ_R_HASHES)) {
        run_handler_now(r);
        return;
    }
    if (!ej_password_reserve(ej_cfg()->hash_wait_ms)) {
        r->retry_after = EJ_PASSWORD_RETRY_AFTER;
        ej_problem(r, 503, "busy", "The server is busy; try again in a moment.");
        return;
    }
    run_handler_now(r);
    ej_password_unreserve();
}

/* The client's address (trusted proxies, X-Forwarded-For) replaces the TCP
 * peer's for everything after this: throttling, login records, sessions, the
 * log line. */
static void resolve_client(struct ej_req *r, struct ej_addr *addr)
{
    static atomic_long warned_at; /* seconds; at most one warning a minute */
    if (ej_client_addr(&ej_cfg()->trusted_proxies, r->remote_addr,
                       ej_req_header(r, "X-Forwarded-For"), addr,
                       r->client_addr) == EJ_CLIENT_PEER_MALFORMED) {
        /* A trusted proxy sent a chain we cannot read: its clients all count
         * as the proxy. Say so, without flooding the log (or echoing it). */
        long now = (long)ej_now(), last = atomic_load(&warned_at);
        if (now - last >= 60 && atomic_compare_exchange_strong(&warned_at, &last, now))
            ej_log_event(EJ_LOG_WARN,
                         "X-Forwarded-For from a trusted proxy is not a list of IP"
                         " addresses; using the proxy's address",
                         json_pack("{s:s}", "proxy", r->client_addr));
    }
    r->remote_addr = r->client_addr;
}

/* The per-address budget of the routes that hash (issue 9 #3): checked before
 * authentication, a hashing slot or any database work, so an address over it
 * costs almost nothing. */
static int check_budget(struct ej_req *r, const struct ej_addr *addr)
{
    if (!(r->route->flags & EJ_R_HASHES))
        return 0;
    unsigned char key[16];
    int wait = 0;
    ej_addr_budget_key(addr, key);
    if (ej_budget_take(key, ej_now(), &wait))
        return 0;
    r->retry_after = wait;
    return ej_problem(r, 429, "too_many_attempts",
                      "Too many sign-in or password requests from this address; try again in %d"
                      " second%s.",
                      wait, wait == 1 ? "" : "s");
}

void ej_pipeline_run(struct ej_req *r)
{
    struct ej_addr addr;
    resolve_client(r, &addr);
    if (route(r) != 0 || check_body_headers(r) != 0 || check_budget(r, &addr) != 0 ||
        authorize(r) != 0 || ej_query_check_route(r) != 0)
        return;
    if ((r->route->flags & EJ_R_BODY) || r->content_length > 0) {
        if (r->read_body(r) != 0 || ej_json_parse_body(r) != 0)
            return;
    }
    run_handler(r);
}
