#define _GNU_SOURCE /* gettid, SIGEV_THREAD_ID */
#include "http/server.h"

#include "core/alloc.h"
#include "core/config.h"
#include "core/html.h"
#include "core/log.h"
#include "core/req.h"
#include "http/metrics.h"
#include "http/static.h"

#include <civetweb.h>
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* CivetWeb's buffer for the request line and headers: large enough that it
 * hands us oversized requests to refuse properly (a 150 KiB token gets 401,
 * 64 KiB of other headers 431) instead of its own bare 400. Heap, per thread. */
#define CIVETWEB_REQUEST_BUFFER "262144"
/* Our own limit on the header block, not counting Authorization (whose token
 * is bounded by the token module). */
#define MAX_HEADER_BYTES 16384
/* On SIGTERM, requests in flight get this long to finish before the server
 * stops (CivetWeb's mg_stop would cut their replies off). */
#define DRAIN_SECONDS 10

/* While a body is being read past its deadline, this signal is sent to the
 * reading thread every DEADLINE_TICK_MS until the read returns. */
#define DEADLINE_SIGNAL SIGRTMIN
#define DEADLINE_TICK_MS 50

/* main.c's, set before the workers start and only read afterwards. */
static const struct ej_server_hooks *hooks;

static atomic_int in_flight; /* requests inside on_request */
static atomic_int draining;  /* SIGTERM seen: answer, but close connections */

/* A worker thread serves one connection at a time. When it began waiting for
 * its current request (the connection was taken, or the previous response on
 * it was sent), and how many requests that connection has had. */
static __thread double tl_wait_started;
static __thread int tl_conn_requests;
static __thread timer_t tl_timer;
static __thread bool tl_have_timer;

static const char *conn_header(void *conn, const char *name)
{
    return mg_get_header((const struct mg_connection *)conn, name);
}

static void on_deadline_signal(int sig)
{
    (void)sig;
}

/* Arms this thread's timer: the deadline signal in `seconds`, then every
 * DEADLINE_TICK_MS (a tick that lands just before mg_read blocks in poll(2)
 * is followed by another); seconds <= 0 disarms. */
static void deadline_timer(double seconds)
{
    if (!tl_have_timer) {
        if (seconds <= 0)
            return;
        struct sigevent ev;
        memset(&ev, 0, sizeof ev);
        ev.sigev_notify = SIGEV_THREAD_ID;
        ev.sigev_signo = DEADLINE_SIGNAL;
        ev._sigev_un._tid = gettid();
        if (timer_create(CLOCK_MONOTONIC, &ev, &tl_timer) != 0)
            abort(); /* only fails without memory or with a bad argument */
        tl_have_timer = true;
    }
    struct itimerspec t;
    memset(&t, 0, sizeof t);
    if (seconds > 0) {
        t.it_value.tv_sec = (time_t)seconds;
        t.it_value.tv_nsec = (long)((seconds - (double)t.it_value.tv_sec) * 1e9) + 1;
        t.it_interval.tv_nsec = DEADLINE_TICK_MS * 1000000L;
    }
    timer_settime(tl_timer, 0, &t, NULL);
}

/* The request's deadline (EJ_REQUEST_TIMEOUT_MS from when the server began
 * waiting for it) covers the body too. CivetWeb's own timeout cannot: mg_read
 * keeps waiting as long as each byte comes within request_timeout_ms of the
 * last, so a byte every few seconds held a worker for hours. Our timer's
 * signal interrupts the poll(2) inside mg_read at the deadline (CivetWeb
 * treats the EINTR as a failed read and returns), and the loop stops. */
static int read_body(struct ej_req *r)
{
    struct mg_connection *conn = r->conn;
    size_t want = (size_t)r->content_length, got = 0;
    /* A slow sender holds no database connection while it sends (the
     * pipeline reads the body after authentication, before any transaction). */
    if (!r->db.in_tx)
        hooks->release_db(&r->db);
    r->body_text = ej_xmalloc(want + 1);
    double deadline = tl_wait_started + ej_cfg()->request_timeout_ms / 1000.0;
    bool late = false;
    deadline_timer(deadline - ej_now());
    while (got < want) {
        if (ej_now() >= deadline) {
            late = true;
            break;
        }
        int n = mg_read(conn, r->body_text + got, want - got);
        if (n <= 0) {
            late = ej_now() >= deadline;
            break;
        }
        got += (size_t)n;
    }
    deadline_timer(0);
    r->body_text[got] = '\0';
    r->body_len = got;
    r->body_read = true;
    if (got < want) {
        r->close_connection = true;
        if (late)
            return ej_problem(r, 408, "request_timeout", "The request did not arrive within %d ms.",
                              ej_cfg()->request_timeout_ms);
        return ej_problem(r, 400, "incomplete_body",
                          "The body ended before Content-Length bytes arrived.");
    }
    return 0;
}

/* A client's X-Request-Id is kept if it is 1..64 of [A-Za-z0-9._:-]. */
static void set_request_id(struct ej_req *r)
{
    const char *given = mg_get_header(r->conn, "X-Request-Id");
    if (given) {
        size_t n = strlen(given), i = 0;
        while (i < n && (isalnum((unsigned char)given[i]) || strchr("._:-", given[i])))
            i++;
        if (n > 0 && n <= EJ_REQUEST_ID_MAX && i == n) {
            memcpy(r->request_id, given, n + 1);
            return;
        }
    }
    unsigned char raw[12];
    if (hooks->random_bytes(raw, sizeof raw) != 0)
        abort(); /* getrandom(2) does not fail on a working kernel */
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(r->request_id + 2 * i, 3, "%02x", raw[i]);
}

/* Refuses oversized headers, and ambiguous or malformed message framing,
 * before anything else
 * (request smuggling): CivetWeb itself would read "3abc" as 3 and prefer
 * chunked when both headers are present. */
static int check_framing(struct ej_req *r, const struct mg_request_info *ri)
{
    int cl_count = 0, te_count = 0;
    size_t header_bytes = strlen(ri->request_uri ? ri->request_uri : "");
    const char *cl = NULL;
    for (int i = 0; i < ri->num_headers; i++) {
        if (strcasecmp(ri->http_headers[i].name, "Authorization") != 0)
            header_bytes += strlen(ri->http_headers[i].name) + strlen(ri->http_headers[i].value) +
                            4;
        if (strcasecmp(ri->http_headers[i].name, "Content-Length") == 0) {
            cl_count++;
            cl = ri->http_headers[i].value;
        } else if (strcasecmp(ri->http_headers[i].name, "Transfer-Encoding") == 0) {
            te_count++;
        }
    }
    r->content_length = -1;
    if (header_bytes > MAX_HEADER_BYTES) {
        r->close_connection = true;
        return ej_problem(r, 431, "headers_too_large", "The request headers are over %d bytes.",
                          MAX_HEADER_BYTES);
    }
    if ((cl_count && te_count) || cl_count > 1 || te_count > 1) {
        r->close_connection = true;
        return ej_problem(r, 400, "ambiguous_framing",
                          "Send exactly one of Content-Length or Transfer-Encoding.");
    }
    if (te_count) {
        r->chunked = true;
        r->close_connection = true;
        return 0;
    }
    if (cl) {
        size_t n = strlen(cl);
        int ok = n > 0 && n <= 15;
        for (size_t i = 0; ok && i < n; i++)
            ok = isdigit((unsigned char)cl[i]) != 0;
        if (!ok) {
            r->close_connection = true;
            return ej_problem(r, 400, "invalid_content_length",
                              "Content-Length must be a decimal number of bytes.");
        }
        r->content_length = strtoll(cl, NULL, 10);
    }
    return 0;
}

static void add_header(struct mg_connection *conn, const char *name, const char *value)
{
    mg_response_header_add(conn, name, value, -1);
}

/* Whether CivetWeb will keep this connection open after the reply, as far as
 * the request decides it: HTTP/1.1 and no "Connection: close". */
static bool keeps_alive(const struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *h = mg_get_header(conn, "Connection");
    return ri->http_version && strcmp(ri->http_version, "1.1") == 0 &&
           !(h && strcasestr(h, "close"));
}

/* RFC 6750 §3: a refused Bearer token says error="invalid_token", with a
 * description that tells "refresh" (token_expired) from "sign in again"
 * (invalid_token); no token at all, or a refused password or refresh token,
 * gets the bare challenge. */
static const char *www_authenticate(const struct ej_req *r)
{
    const char *code = json_string_value(json_object_get(r->out, "code"));
    if (code && strcmp(code, "token_expired") == 0)
        return "Bearer realm=\"ejournal\", error=\"invalid_token\", "
               "error_description=\"The access token expired\"";
    if (code && strcmp(code, "invalid_token") == 0)
        return "Bearer realm=\"ejournal\", error=\"invalid_token\", "
               "error_description=\"The access token is invalid\"";
    return "Bearer realm=\"ejournal\"";
}

static void send_reply(struct mg_connection *conn, struct ej_req *r)
{
    char *text = NULL;
    size_t len = 0;
    const char *type = NULL;
    if (r->out) {
        /* 15 significant digits: a decimal such as 1.33 (academic hours) comes out as
         * written, not as the 17 digits of its nearest double (1.3300000000000001). */
        text = json_dumps(r->out, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        len = text ? strlen(text) : 0;
        type = r->status >= 400 ? "application/problem+json" : "application/json";
    } else if (r->out_text) {
        len = r->out_len;
        type = r->out_type;
    }
    char num[32], date[40];
    /* Our own Date: CivetWeb's uses gmtime(), which races between workers
     * (found with the TSan build). */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    mg_response_header_start(conn, r->status);
    add_header(conn, "Date", date);
    if (type)
        add_header(conn, "Content-Type", type);
    snprintf(num, sizeof num, "%zu", len);
    add_header(conn, "Content-Length", num);
    add_header(conn, "X-Request-Id", r->request_id);
    add_header(conn, "Cache-Control", "no-store");
    add_header(conn, "X-Content-Type-Options", "nosniff");
    if (r->etag[0])
        add_header(conn, "ETag", r->etag);
    if (r->location[0])
        add_header(conn, "Location", r->location);
    /* A page may load and run nothing: its handler's own policy, else, for
     * any text/html reply, core/html.h's (its page style allowed by hash). */
    bool html = type && strncmp(type, "text/html", 9) == 0;
    if (r->out_text && (r->csp || html))
        add_header(conn, "Content-Security-Policy", r->csp ? r->csp : EJ_HTML_CSP);
    if (r->out_text && html)
        add_header(conn, "X-Frame-Options", "DENY");
    if (r->allow[0])
        add_header(conn, "Allow", r->allow);
    if (r->retry_after > 0) {
        snprintf(num, sizeof num, "%d", r->retry_after);
        add_header(conn, "Retry-After", num);
    }
    if (r->status == 401)
        add_header(conn, "WWW-Authenticate", www_authenticate(r));
    const char *origin = mg_get_header(conn, "Origin");
    if (origin && ej_config_cors_allowed(origin)) {
        add_header(conn, "Access-Control-Allow-Origin", origin);
        add_header(conn, "Vary", "Origin");
        if (r->preflight) {
            add_header(conn, "Access-Control-Allow-Methods", r->allow);
            add_header(conn, "Access-Control-Allow-Headers",
                       "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-Id");
            add_header(conn, "Access-Control-Max-Age", "600");
        } else {
            add_header(conn, "Access-Control-Expose-Headers",
                       "ETag, Location, Retry-After, X-Request-Id");
        }
    }
    /* An unread body cannot be skipped safely: close instead of keeping alive.
     * The header alone does not close: CivetWeb decides from the request
     * (its Connection header, HTTP version, whether the Content-Length
     * bytes were consumed or are buffered) and would go on to parse the rest
     * of the stream as the next request, e.g. a request smuggled behind a
     * refused Content-Length + Transfer-Encoding one. So also tell CivetWeb
     * to close (its must_close flag, checked before anything else). */
    if (r->close_connection || atomic_load(&draining) || (r->content_length > 0 && !r->body_read)) {
        mg_disable_connection_keep_alive(conn);
        add_header(conn, "Connection", "close");
    } else if (keeps_alive(conn)) {
        /* Clients close an idle connection before we do (no race on reuse). */
        snprintf(num, sizeof num, "timeout=%d", ej_cfg()->keep_alive_timeout_ms / 1000);
        add_header(conn, "Keep-Alive", num);
    }
    mg_response_header_send(conn);
    if (len)
        mg_write(conn, text ? text : r->out_text, len);
    free(text);
}

static void log_request(const struct ej_req *r, bool from_static)
{
    const char *route = from_static ? "static" : hooks->route_name(r);
    if (!route)
        route = "unmatched";
    /* Milliseconds to the microsecond: what the clock can tell, not 17 digits. */
    double ms = round((ej_now() - r->started) * 1e6) / 1e3;
    json_t *f = json_pack("{s:s, s:s, s:i, s:f, s:s, s:s}", "method", r->method, "route", route,
                          "status", r->status, "duration_ms", ms, "request_id", r->request_id,
                          "remote", r->remote_addr ? r->remote_addr : "");
    if (r->authenticated)
        json_object_set_new(f, "user_id", json_integer(r->who.user_id));
    if (r->status >= 400 && json_is_object(r->out))
        json_object_set(f, "code", json_object_get(r->out, "code"));
    ej_log_event(r->status >= 500 ? EJ_LOG_ERROR : EJ_LOG_INFO, "request", f);
}

static int on_request(struct mg_connection *conn)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    atomic_fetch_add(&in_flight, 1);
    struct ej_req *r = ej_xmalloc(sizeof *r); /* off the 100 KiB worker stack */
    ej_req_init(r);
    r->conn = conn;
    r->header = conn_header;
    r->read_body = read_body;
    r->method = ri->request_method;
    /* The path as sent (decode_url is off): routing on a decoded path let
     * /%6detrics or /api/v1/me%2Flogins through a proxy's path rules. */
    r->path = ri->local_uri_raw ? ri->local_uri_raw : ri->request_uri;
    r->query = ri->query_string;
    r->remote_addr = ri->remote_addr;
    set_request_id(r);
    /* Static files first (http/static.c): it answers GET/HEAD outside the API
     * itself, or refuses with 404 set in r; everything else is the API's. */
    bool served = false, from_static = false;
    if (check_framing(r, ri) == 0) {
        served = ej_static_serve(r);
        from_static = served || r->status != 0;
        if (!from_static && ej_target_check(r) == 0)
            hooks->run(r);
    }
    /* Before the reply is written: a slow reader holds no database connection. */
    hooks->release_db(&r->db);
    if (r->status == 0)
        ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
    if (!served)
        send_reply(conn, r);
    log_request(r, from_static);
    ej_metrics_record(r->route_index, r->status, ej_now() - r->started);
    int status = r->status;
    ej_req_cleanup(r);
    free(r);
    tl_conn_requests++;
    tl_wait_started = ej_now(); /* the next request on this connection */
    atomic_fetch_sub(&in_flight, 1);
    return status;
}

/* A worker takes a new connection: its first request's clock starts. */
static int on_init_connection(const struct mg_connection *conn, void **conn_data)
{
    (void)conn;
    (void)conn_data;
    tl_wait_started = ej_now();
    tl_conn_requests = 0;
    return 0;
}

/* CivetWeb's own errors (before a request reaches us: a header block over
 * max_request_size, an unparsable request line) as problem+json too. The
 * request info may be incomplete here, so the response is written raw. */
static int on_http_error(struct mg_connection *conn, int status, const char *msg)
{
    const char *code = "bad_request", *title = "Bad Request";
    /* CivetWeb answers 400 when the header block is incomplete, whether time
     * ran out (request_timeout_ms for a connection's first request,
     * keep_alive_timeout_ms for the next ones, both counted from when it
     * began waiting) or the bytes were garbage: the elapsed time tells. */
    const struct ej_config *c = ej_cfg();
    int limit_ms = tl_conn_requests > 0 ? c->keep_alive_timeout_ms : c->request_timeout_ms;
    if (status == 400 && tl_wait_started > 0 && (ej_now() - tl_wait_started) * 1000.0 >= limit_ms)
        status = 408;
    if (status == 413 || status == 431) {
        status = 431;
        code = "headers_too_large";
        title = "Request Header Fields Too Large";
    } else if (status == 408) {
        code = "request_timeout";
        title = "Request Timeout";
    } else if (status >= 500) {
        code = "internal_error";
        title = "Internal Server Error";
    } else {
        status = 400;
    }
    char type[96];
    snprintf(type, sizeof type, "https://ejournal.example/problems/%s", code);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", title, "status",
                          status, "detail",
                          status == 431   ? "The request headers are too large."
                          : status == 408 ? "The request headers did not arrive in time."
                                          : "The request could not be parsed.",
                          "code", code);
    char *body = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    size_t len = body ? strlen(body) : 0;
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
              "Content-Length: %zu\r\nCache-Control: no-store\r\n"
              "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
              status, title, len);
    if (len)
        mg_write(conn, body, len);
    free(body);
    ej_log_event(EJ_LOG_INFO, "request",
                 json_pack("{s:s, s:i, s:s, s:s}", "route", "unparsed", "status", status, "code",
                           code, "detail", msg ? msg : ""));
    ej_metrics_record(-1, status, 0);
    return 0;
}

static int on_log_message(const struct mg_connection *conn, const char *message)
{
    ej_log_event(EJ_LOG_WARN, "civetweb", json_pack("{s:s}", "detail", message));
    return 1;
}

static void on_exit_thread(const struct mg_context *ctx, int thread_type, void *ptr)
{
    if (thread_type == 1) {
        hooks->thread_exit();
        if (tl_have_timer) {
            timer_delete(tl_timer);
            tl_have_timer = false;
        }
    }
}

/* Lets requests in flight finish (new ones are still answered, with
 * Connection: close) until none is left, DRAIN_SECONDS pass, or a second
 * signal asks to stop now. */
static void drain(const sigset_t *set)
{
    atomic_store(&draining, 1);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < DRAIN_SECONDS * 100 && atomic_load(&in_flight) > 0; i++)
        if (sigtimedwait(set, NULL, &tick) > 0)
            break;
}

int ej_server_run(const struct ej_server_hooks *h)
{
    hooks = h;
    const struct ej_config *c = ej_cfg();
    char threads[16], request_timeout[16], keep_alive[16];
    snprintf(threads, sizeof threads, "%d", c->threads);
    snprintf(request_timeout, sizeof request_timeout, "%d", c->request_timeout_ms);
    snprintf(keep_alive, sizeof keep_alive, "%d", c->keep_alive_timeout_ms);
    const char *options[] = {
        "listening_ports",
        c->listen,
        "num_threads",
        threads,
        "max_request_size",
        CIVETWEB_REQUEST_BUFFER,
        /* A connection's first request line and headers must be complete
         * within this time of the worker taking the connection, a later
         * one's within keep_alive_timeout_ms of the previous response (so an
         * idle client holds its worker that long); the body's deadline is
         * read_body's. */
        "request_timeout_ms",
        request_timeout,
        "keep_alive_timeout_ms",
        keep_alive,
        "enable_keep_alive",
        "yes",
        /* Headers and body go out as two writes: without this the body waits
         * for the client's delayed ACK (~40 ms per request). */
        "tcp_nodelay",
        "1",
        /* Accepted connections waiting for a free worker, and the kernel's
         * backlog before that. */
        "connection_queue",
        "1024",
        "listen_backlog",
        "1024",
        /* Route on the path as sent; ej_target_check refuses escapes. */
        "decode_url",
        "no",
        /* CivetWeb's CORS defaults to "*": off; CORS is answered by us. */
        "access_control_allow_origin",
        "",
        NULL,
    };
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.begin_request = on_request;
    cb.http_error = on_http_error;
    cb.log_message = on_log_message;
    cb.exit_thread = on_exit_thread;
    cb.init_connection = on_init_connection;

    /* Signals are taken by sigwait below; every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Without SA_RESTART: the point is to interrupt a blocked poll(2). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_deadline_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(DEADLINE_SIGNAL, &sa, NULL);

    mg_init_library(0);
    struct mg_context *ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        fprintf(stderr, "ejournal: cannot listen on %s (EJ_LISTEN)\n", c->listen);
        mg_exit_library();
        return 1;
    }
    ej_log_event(EJ_LOG_INFO, "listening",
                 json_pack("{s:s, s:i, s:i}", "listen", c->listen, "threads", c->threads,
                           "db_connections", c->db_connections));
    int sig = 0;
    sigwait(&set, &sig);
    ej_log_event(EJ_LOG_INFO, "stopping",
                 json_pack("{s:i, s:i}", "signal", sig, "in_flight", atomic_load(&in_flight)));
    drain(&set);
    mg_stop(ctx);
    hooks->stopped();
    mg_exit_library();
    ej_log(EJ_LOG_INFO, "stopped");
    return 0;
}
