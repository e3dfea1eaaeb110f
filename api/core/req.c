#include "core/req.h"

#include "core/alloc.h"
#include "core/utf8.h"
#include "rules/calendar.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void ej_req_init(struct ej_req *r)
{
    memset(r, 0, sizeof *r);
    r->route_index = -1;
    r->status = 0;
    r->started = ej_now();
    r->db.request_id = r->request_id;
}

void ej_req_cleanup(struct ej_req *r)
{
    for (size_t i = 0; i < r->nparams; i++)
        free((void *)r->params[i]);
    free(r->body_text);
    json_decref(r->body);
    json_decref(r->out);
    free(r->out_text);
    memset(r, 0, sizeof *r);
}

const char *ej_req_header(const struct ej_req *r, const char *name)
{
    return r->header ? r->header(r->conn, name) : NULL;
}

static void reply_reset(struct ej_req *r)
{
    json_decref(r->out);
    r->out = NULL;
    free(r->out_text);
    r->out_text = NULL;
    r->out_len = 0;
    r->out_type = NULL;
}

void ej_reply(struct ej_req *r, int status, json_t *body)
{
    reply_reset(r);
    r->status = status;
    r->out = body;
}

void ej_reply_empty(struct ej_req *r, int status)
{
    reply_reset(r);
    r->status = status;
}

void ej_reply_text(struct ej_req *r, int status, const char *type, const char *text, size_t len)
{
    reply_reset(r);
    r->status = status;
    r->out_type = type;
    r->out_text = ej_xmalloc(len + 1);
    memcpy(r->out_text, text, len);
    r->out_text[len] = '\0';
    r->out_len = len;
}

static const char *status_title(int status)
{
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
    }
}

int ej_problem(struct ej_req *r, int status, const char *code, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    ej_utf8_truncate(detail, sizeof detail - 1); /* a character vsnprintf cut goes whole */

    char type[160];
    snprintf(type, sizeof type, "https://ejournal.example/problems/%s", code);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", status_title(status),
                          "status", status, "detail", detail, "code", code);
    if (!p) /* never a problem without a body: say it without the detail that did not pack */
        p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", status_title(status),
                      "status", status, "detail", status_title(status), "code", code);
    /* An error is no version of the resource: an ETag a handler set before it failed (e.g. of
     * the row it read before a stale If-Match) is not sent with it. */
    r->etag[0] = '\0';
    ej_reply(r, status, p);
    return -1;
}

static json_t *problem_errors(struct ej_req *r)
{
    if (!r->out)
        return NULL;
    json_t *errors = json_object_get(r->out, "errors");
    if (!errors) {
        errors = json_array();
        json_object_set_new(r->out, "errors", errors);
    }
    return errors;
}

void ej_problem_field(struct ej_req *r, const char *field, const char *message)
{
    json_t *errors = problem_errors(r);
    if (errors)
        json_array_append_new(errors, json_pack("{s:s, s:s}", "field", field, "message", message));
}

void ej_problem_row(struct ej_req *r, long row, const char *field, const char *message)
{
    json_t *errors = problem_errors(r);
    if (errors)
        json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field",
                                                field, "message", message));
}

/* A positive decimal id of at most 18 digits. */
static int parse_id(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return -1;
    long long v = strtoll(s, NULL, 10);
    if (v <= 0)
        return -1;
    *out = v;
    return 0;
}

int ej_problem_db(struct ej_req *r, enum ej_err e)
{
    const struct ej_db *db = &r->db;
    switch (e) {
    case EJ_ERR_NOT_FOUND: return ej_problem(r, 404, "not_found", "No such resource.");
    case EJ_ERR_CONFLICT:
        return ej_problem(r, 409, "conflict", "This conflicts with an existing record.");
    case EJ_ERR_INVALID:
        if (!db->column[0])
            return ej_problem(r, 422, "validation_failed",
                              strcmp(db->sqlstate, "23503") == 0
                                  ? "A value refers to a record that does not exist."
                                  : "A value is out of range or invalid.");
        ej_problem(r, 422, "validation_failed", "Field %s refers to a record that does not exist.",
                   db->column);
        ej_problem_field(r, db->column, "refers to a record that does not exist");
        return -1;
    case EJ_ERR_STALE:
        return ej_problem(r, 412, "precondition_failed",
                          "The record was changed by someone else; reload and try again.");
    case EJ_ERR_BUSY:
        r->retry_after = 1;
        return ej_problem(r, 503, "database_busy", "The database is busy; try again.");
    case EJ_ERR_UNAVAILABLE:
        r->retry_after = 2;
        return ej_problem(r, 503, "database_unavailable",
                          "The database is not reachable right now; try again shortly.");
    case EJ_OK:
    case EJ_ERR_INTERNAL: break;
    }
    return ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
}

int ej_invalid(struct ej_req *r, const char *field, const char *msg)
{
    ej_problem(r, 422, "validation_failed", "Field '%s' %s.", field, msg);
    ej_problem_field(r, field, msg);
    return -1;
}

int ej_param_id(struct ej_req *r, size_t i, int64_t *out)
{
    /* Only the canonical spelling names a resource: /students/01 is not
     * /students/1 (one URL per resource; a proxy's rules see the same). */
    if (i >= r->nparams || r->params[i][0] == '0' || parse_id(r->params[i], out) != 0)
        return ej_problem(r, 404, "not_found", "No such resource.");
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* True if [s, s+n) is well-formed UTF-8 (Unicode Table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return 0;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k < len; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return 0;
        i += len;
    }
    return 1;
}

/* Percent-decodes [s, s+n) into out; '+' is a space. -1 if malformed, too
 * long, or not UTF-8 once decoded. */
static int url_decode(const char *s, size_t n, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (c == 0 || o + 1 >= outlen)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return utf8_valid((const unsigned char *)out, o) ? 0 : -1;
}

int ej_target_check(struct ej_req *r)
{
    const char *p = r->path ? r->path : "";
    /* No route segment needs an escape (ids are digits, dates YYYY-MM-DD,
     * the rest fixed ASCII words), and an escape is how %2F or %00 would
     * hide inside a segment: refused rather than decoded. */
    if (strchr(p, '%'))
        return ej_problem(r, 400, "invalid_path",
                          "The path may not contain percent-escapes; no resource name needs one.");
    if (!utf8_valid((const unsigned char *)p, strlen(p)))
        return ej_problem(r, 400, "invalid_path", "The path is not valid UTF-8.");
    /* Every parameter, whether or not the operation reads it, so nothing
     * invalid ever reaches a handler or the database. */
    for (const char *q = r->query; q && *q;) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        char *out = ej_xmalloc(len + 1);
        int bad = url_decode(q, len, out, len + 1) != 0;
        free(out);
        if (bad)
            return ej_problem(r, 400, "invalid_query",
                              "The query string has a malformed escape, a NUL byte or "
                              "invalid UTF-8.");
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

int ej_query(struct ej_req *r, const char *name, char *out, size_t outlen)
{
    const char *q = r->query;
    size_t nlen = strlen(name);
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == '=') {
            if (url_decode(q + nlen + 1, len - nlen - 1, out, outlen) != 0) {
                ej_problem(r, 400, "invalid_query",
                           "Query parameter '%s' is malformed or too long.", name);
                return -1;
            }
            return 1;
        }
        if (len == nlen && strncmp(q, name, nlen) == 0) {
            out[0] = '\0';
            return 1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

int ej_query_id(struct ej_req *r, const char *name, int64_t *out)
{
    char v[24];
    *out = 0;
    int got = ej_query(r, name, v, sizeof v);
    if (got <= 0)
        return got;
    if (parse_id(v, out) != 0)
        return ej_problem(r, 400, "invalid_query", "%s must be a positive id.", name);
    return 0;
}

int ej_query_date(struct ej_req *r, const char *name, char *buf, size_t len, const char **out)
{
    *out = NULL;
    int got = ej_query(r, name, buf, len);
    if (got <= 0)
        return got;
    ej_day day;
    if (!ej_date_parse(buf, &day))
        return ej_problem(r, 400, "invalid_query", "%s must be a real date YYYY-MM-DD.", name);
    *out = buf;
    return 0;
}

int ej_if_match(struct ej_req *r, int64_t *version)
{
    const char *h = ej_req_header(r, "If-Match");
    *version = -1;
    if (!h)
        return 0;
    while (*h == ' ')
        h++;
    if (strcmp(h, "*") == 0)
        return 0;
    char digits[24];
    size_t n = strlen(h);
    if (n >= 4 && n < sizeof digits + 3 && h[0] == '"' && h[1] == 'v' && h[n - 1] == '"') {
        memcpy(digits, h + 2, n - 3);
        digits[n - 3] = '\0';
        /* ETags compare as strings (RFC 9110 8.8.3.2): "v01" is not "v1". */
        if (digits[0] != '0' && parse_id(digits, version) == 0)
            return 0;
        *version = -1;
    }
    /* A bare v3 (or "3") is the commonest slip: the ETag is sent with its quotes. */
    if ((n >= 2 && h[0] == 'v' && parse_id(h + 1, version) == 0) || parse_id(h, version) == 0) {
        *version = -1;
        return ej_problem(r, 412, "precondition_failed",
                          "If-Match must be the ETag as sent, with its quotes: \"v%s\" (or *).",
                          h[0] == 'v' ? h + 1 : h);
    }
    if (strncmp(h, "W/", 2) == 0)
        return ej_problem(r, 412, "precondition_failed",
                          "If-Match takes the strong ETag \"vN\" (without W/), or *.");
    return ej_problem(r, 412, "precondition_failed",
                      "If-Match does not match the current version of this resource.");
}

void ej_set_etag(struct ej_req *r, int64_t version)
{
    snprintf(r->etag, sizeof r->etag, "\"v%lld\"", (long long)version);
}

double ej_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ej_page_params(struct ej_req *r, int *limit, int64_t *after)
{
    char v[32];
    *limit = 50;
    *after = 0;
    int got = ej_query(r, "limit", v, sizeof v);
    if (got < 0)
        return -1;
    if (got == 1) {
        int64_t n;
        if (parse_id(v, &n) != 0 || n > 500)
            return ej_problem(r, 400, "invalid_query", "limit must be an integer from 1 to 500.");
        *limit = (int)n;
    }
    got = ej_query(r, "after", v, sizeof v);
    if (got < 0)
        return -1;
    if (got == 1 && parse_id(v, after) != 0)
        return ej_problem(r, 400, "invalid_query", "after must be a cursor from a previous page.");
    return 0;
}

json_t *ej_page_wrap(json_t *items, int limit)
{
    json_t *next = json_null();
    size_t n = json_array_size(items);
    if (limit > 0 && n == (size_t)limit) {
        json_t *id = json_object_get(json_array_get(items, n - 1), "id");
        if (json_is_integer(id)) {
            char buf[24];
            snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(id));
            next = json_string(buf);
        }
    }
    return json_pack("{s:o, s:o}", "items", items ? items : json_array(), "next", next);
}

/* A query parameter's name as a problem may show it: printable ASCII only
 * (anything else becomes '?'; the reply must be valid UTF-8), at most 40
 * characters, "..." when cut. */
static void shown_name(const char *s, size_t n, char out[48])
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (n > 40) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static bool name_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && strncmp(s, name, n) == 0;
}

int ej_query_only(struct ej_req *r, const char *const *allowed)
{
    const char *q = r->query;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        const char *eq = memchr(q, '=', len);
        size_t nlen = eq ? (size_t)(eq - q) : len;
        const char *next = amp ? amp + 1 : NULL;
        if (len == 0) {
            q = next;
            continue;
        }
        bool known = false;
        for (const char *const *a = allowed; a && *a && !known; a++)
            known = name_is(q, nlen, *a);
        char name[48];
        shown_name(q, nlen, name);
        if (!known) {
            char list[256] = "";
            size_t o = 0;
            for (const char *const *a = allowed; a && *a; a++) {
                int w = snprintf(list + o, sizeof list - o, "%s%s", o ? ", " : "", *a);
                if (w < 0 || (size_t)w >= sizeof list - o)
                    break;
                o += (size_t)w;
            }
            if (o)
                ej_problem(r, 400, "unknown_parameter",
                           "Unknown query parameter '%s': this operation takes %s.", name, list);
            else
                ej_problem(r, 400, "unknown_parameter",
                           "Unknown query parameter '%s': this operation takes none.", name);
            if (r->out) {
                json_t *names = json_array();
                for (const char *const *a = allowed; a && *a; a++)
                    json_array_append_new(names, json_string(*a));
                json_object_set_new(r->out, "parameter", json_string(name));
                json_object_set_new(r->out, "allowed", names);
            }
            ej_problem_field(r, name, "is not a parameter of this operation");
            return -1;
        }
        /* Given again later? */
        for (const char *p = next; p && *p;) {
            const char *pamp = strchr(p, '&');
            size_t plen = pamp ? (size_t)(pamp - p) : strlen(p);
            const char *peq = memchr(p, '=', plen);
            size_t pn = peq ? (size_t)(peq - p) : plen;
            if (pn == nlen && strncmp(p, q, nlen) == 0) {
                ej_problem(r, 400, "duplicate_parameter",
                           "Query parameter '%s' is given more than once.", name);
                if (r->out)
                    json_object_set_new(r->out, "parameter", json_string(name));
                ej_problem_field(r, name, "is given more than once");
                return -1;
            }
            p = pamp ? pamp + 1 : NULL;
        }
        q = next;
    }
    return 0;
}

const char *ej_accept_pick(const struct ej_req *r, const char *const *offered)
{
    const char *h = ej_req_header(r, "Accept");
    if (!h)
        return NULL;
    while (*h) {
        h += strspn(h, " \t,");
        size_t range = strcspn(h, ",");
        size_t type = strcspn(h, ";,");
        size_t tlen = type;
        while (tlen > 0 && (h[tlen - 1] == ' ' || h[tlen - 1] == '\t'))
            tlen--;
        /* q=0 means "not this one" (RFC 9110 12.4.2). */
        int refused = 0;
        for (const char *q = h + type; q < h + range; q++)
            if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=' && q[2] == '0' &&
                (q + 3 >= h + range || q[3] == ' ' || q[3] == ';' || q[3] == ',' ||
                 (q[3] == '.' && strspn(q + 4, "0") == strcspn(q + 4, " ;,"))))
                refused = 1;
        for (const char *const *o = offered; !refused && tlen && *o; o++)
            if (strlen(*o) == tlen && strncasecmp(h, *o, tlen) == 0)
                return *o;
        h += range;
    }
    return NULL;
}
