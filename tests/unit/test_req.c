/* core/req (api/core/req.c): query parsing and its typed forms, pagination, the request
 * target check, canonical path ids, the list of parameters an operation takes (unknown and
 * duplicate names), If-Match, Accept, the problem reply itself (always a body, UTF-8 kept whole)
 * and ej_problem_db, the one mapping of every enum ej_err onto a problem. */
#include "check.h"
#include "core/json.h"
#include "core/req.h"

#include <stdlib.h>
#include <string.h>

static const char *code_of(const struct ej_req *r)
{
    return json_string_value(json_object_get(r->out, "code"));
}

/* A header callback over one fixed header (name, value). */
static const char *hdr_name, *hdr_value;
static const char *one_header(void *conn, const char *name)
{
    (void)conn;
    return hdr_name && strcmp(name, hdr_name) == 0 ? hdr_value : NULL;
}

static void with_header(struct ej_req *r, const char *name, const char *value)
{
    ej_req_init(r);
    r->header = one_header;
    hdr_name = name;
    hdr_value = value;
}

static void test_query(void)
{
    struct ej_req r;
    char v[16];
    ej_req_init(&r);
    r.query = "q=J%C4%81nis+O&limit=5&empty&bad=%zz";
    CHECK(ej_query(&r, "q", v, sizeof v) == 1);
    CHECK_STR(v, "J\xc4\x81nis O");
    CHECK(ej_query(&r, "empty", v, sizeof v) == 1 && v[0] == '\0');
    CHECK(ej_query(&r, "missing", v, sizeof v) == 0);
    CHECK(ej_query(&r, "bad", v, sizeof v) == -1 && r.status == 400);
    ej_req_cleanup(&r);

    ej_req_init(&r);
    int limit;
    int64_t after;
    r.query = "limit=501";
    CHECK(ej_page_params(&r, &limit, &after) == -1 && r.status == 400);
    ej_req_cleanup(&r);
    ej_req_init(&r);
    int64_t id;
    const char *date;
    char buf[16];
    r.query = "group_id=12&teacher_id=x&from=2024-02-29&to=2023-02-29";
    CHECK(ej_query_id(&r, "group_id", &id) == 0 && id == 12);
    CHECK(ej_query_id(&r, "absent", &id) == 0 && id == 0);
    CHECK(ej_query_date(&r, "from", buf, sizeof buf, &date) == 0 && date == buf);
    CHECK(ej_query_date(&r, "none", buf, sizeof buf, &date) == 0 && date == NULL);
    CHECK(ej_query_id(&r, "teacher_id", &id) == -1 && r.status == 400);
    ej_req_cleanup(&r);
    ej_req_init(&r);
    r.query = "to=2023-02-29";
    CHECK(ej_query_date(&r, "to", buf, sizeof buf, &date) == -1 && r.status == 400);
    CHECK(ej_blank("  \t") && !ej_blank(NULL) && !ej_blank(" x "));
    CHECK(ej_invalid(&r, "f", "is wrong") == -1 && r.status == 422);
    ej_req_cleanup(&r);

    ej_req_init(&r);
    r.query = "limit=2&after=17";
    CHECK(ej_page_params(&r, &limit, &after) == 0 && limit == 2 && after == 17);
    ej_req_cleanup(&r);
}

/* Issue 9 #8, #11: escapes in the path, and bad escapes or invalid UTF-8 in
 * any query parameter, are refused; ids only in canonical form. */
static void test_target(void)
{
    static const struct {
        const char *path, *query;
        int status;
    } cases[] = {
        {"/api/v1/users", "q=J%C4%81nis+O&limit=5&flag", 0},
        {"/api/v1/users", "q=\xc4\x81", 0}, /* raw UTF-8 */
        {"/api/v1/users", NULL, 0},
        {"/%6detrics", NULL, 400},
        {"/api/v1/me%2Flogins", NULL, 400},
        {"/metrics%00.png", NULL, 400},
        {"/api/v1/\xff", NULL, 400},
        {"/api/v1/\xc0\xaf", NULL, 400}, /* overlong '/' */
        {"/api/v1/users", "q=%ff", 400},
        {"/api/v1/users", "unused=%ed%a0%80", 400}, /* a surrogate */
        {"/api/v1/users", "q=%f4%90%80%80", 400},   /* above U+10FFFF */
        {"/api/v1/users", "q=%e2%82", 400},         /* truncated */
        {"/api/v1/users", "q=a%00b", 400},
        {"/api/v1/users", "q=%g1", 400},
        {"/api/v1/users", "q=%4", 400},
        {"/api/v1/users", "%ff=1", 400}, /* names too */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ej_req r;
        ej_req_init(&r);
        r.path = cases[i].path;
        r.query = cases[i].query;
        int rc = ej_target_check(&r);
        CHECK(cases[i].status ? rc == -1 && r.status == 400 : rc == 0 && r.status == 0);
        ej_req_cleanup(&r);
    }

    static const struct {
        const char *param;
        int ok;
    } ids[] = {{"1", 1},  {"42", 1},  {"999999999999999999", 1},  {"01", 0}, {"0", 0}, {"+1", 0},
               {"-1", 0}, {"1e3", 0}, {"9999999999999999999", 0}, {"", 0}};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct ej_req r;
        int64_t id = 0;
        ej_req_init(&r);
        r.params[0] = strdup(ids[i].param);
        r.nparams = 1;
        int rc = ej_param_id(&r, 0, &id);
        CHECK(ids[i].ok ? rc == 0 && id > 0 : rc == -1 && r.status == 404);
        ej_req_cleanup(&r);
    }
}

/* SPEC.md "Lists" (README, Queries): an operation names the parameters it takes; anything else
 * is 400 unknown_parameter (naming it and the allowed list), a name given twice 400
 * duplicate_parameter. */
static void test_query_only(void)
{
    static const char *const allowed[] = {"limit", "after", "group_id", NULL};
    static const struct {
        const char *query;
        const char *code; /* NULL: accepted */
        const char *parameter;
    } cases[] = {
        {NULL, NULL, NULL},
        {"", NULL, NULL},
        {"limit=5&after=3", NULL, NULL},
        {"a", "unknown_parameter", "a"},
        {"limit=5&&group_id=2&", NULL, NULL}, /* empty segments skipped */
        {"limit", NULL, NULL},                /* a name without a value is still that name */
        {"limits=5", "unknown_parameter", "limits"},
        {"lim=5", "unknown_parameter", "lim"},
        {"limit=1&limit=2", "duplicate_parameter", "limit"},
        {"limit=1&after=2&limit", "duplicate_parameter", "limit"},
        {"x%41=1", "unknown_parameter", "x%41"},   /* shown as sent, not decoded */
        {"\xc4\x81=1", "unknown_parameter", "??"}, /* non-ASCII shown as '?' */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ej_req r;
        ej_req_init(&r);
        r.query = cases[i].query;
        int rc = ej_query_only(&r, allowed);
        if (!cases[i].code) {
            CHECK(rc == 0 && r.status == 0);
        } else {
            CHECK(rc == -1 && r.status == 400);
            CHECK_STR(code_of(&r), cases[i].code);
            CHECK_STR(json_string_value(json_object_get(r.out, "parameter")), cases[i].parameter);
            CHECK(json_array_size(json_object_get(r.out, "errors")) == 1);
        }
        if (cases[i].code && strcmp(cases[i].code, "unknown_parameter") == 0) {
            json_t *names = json_object_get(r.out, "allowed");
            CHECK(json_array_size(names) == 3);
            CHECK_STR(json_string_value(json_array_get(names, 2)), "group_id");
        }
        ej_req_cleanup(&r);
    }

    /* An operation that takes none says so. */
    struct ej_req r;
    ej_req_init(&r);
    r.query = "limit=5";
    CHECK(ej_query_only(&r, NULL) == -1);
    CHECK(strstr(json_string_value(json_object_get(r.out, "detail")), "takes none") != NULL);
    CHECK(json_array_size(json_object_get(r.out, "allowed")) == 0);
    ej_req_cleanup(&r);

    /* A very long unknown name is cut to 40 characters and "..." in the reply. */
    ej_req_init(&r);
    char q[200];
    memset(q, 'n', 120);
    memcpy(q + 120, "=1", 3);
    r.query = q;
    CHECK(ej_query_only(&r, allowed) == -1);
    const char *shown = json_string_value(json_object_get(r.out, "parameter"));
    CHECK(shown && strlen(shown) == 43 && strcmp(shown + 40, "...") == 0);
    ej_req_cleanup(&r);
}

/* ej_query matches whole names only, takes the first of several, and never overflows. */
static void test_query_names(void)
{
    struct ej_req r;
    char v[8];
    ej_req_init(&r);
    r.query = "fromx=1&from=2026-09-01&from=2";
    CHECK(ej_query(&r, "from", v, sizeof v) == -1 && r.status == 400); /* 10 bytes, buffer 8 */
    ej_req_cleanup(&r);
    ej_req_init(&r);
    r.query = "fromx=1&from=a&from=b";
    CHECK(ej_query(&r, "from", v, sizeof v) == 1);
    CHECK_STR(v, "a");
    CHECK(ej_query(&r, "fro", v, sizeof v) == 0);
    ej_req_cleanup(&r);
    /* the typed forms: 18 digits at most, no sign, no zero */
    static const struct {
        const char *query;
        int rc;
        int64_t id;
    } ids[] = {{"id=7", 0, 7},
               {"id=0", -1, 0},
               {"id=-3", -1, 0},
               {"id=", -1, 0},
               {"id=1234567890123456789", -1, 0},
               {"id=12a", -1, 0},
               {"other=1", 0, 0}};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        int64_t id = 99;
        ej_req_init(&r);
        r.query = ids[i].query;
        int rc = ej_query_id(&r, "id", &id);
        CHECK(rc == ids[i].rc);
        if (rc == 0)
            CHECK(id == ids[i].id);
        else
            CHECK_STR(code_of(&r), "invalid_query");
        ej_req_cleanup(&r);
    }
    /* pagination: limit 1..500, after a cursor */
    static const struct {
        const char *query;
        int rc, limit;
        int64_t after;
    } pages[] = {{NULL, 0, 50, 0},      {"limit=1", 0, 1, 0},    {"limit=500&after=9", 0, 500, 9},
                 {"limit=0", -1, 0, 0}, {"limit=501", -1, 0, 0}, {"after=x", -1, 0, 0},
                 {"limit=%35", 0, 5, 0}};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        int limit;
        int64_t after;
        ej_req_init(&r);
        r.query = pages[i].query;
        int rc = ej_page_params(&r, &limit, &after);
        CHECK(rc == pages[i].rc);
        if (rc == 0)
            CHECK(limit == pages[i].limit && after == pages[i].after);
        else
            CHECK(r.status == 400);
        ej_req_cleanup(&r);
    }
}

/* If-Match (SPEC.md "Concurrency"): the strong ETag "vN" or *, else 412 saying why. */
static void test_if_match(void)
{
    static const struct {
        const char *value; /* NULL: no header */
        int rc;
        int64_t version;
        const char *says; /* a piece of the 412's detail */
    } cases[] = {
        {NULL, 0, -1, NULL},
        {"*", 0, -1, NULL},
        {" *", 0, -1, NULL},
        {"\"v3\"", 0, 3, NULL},
        {"  \"v42\"", 0, 42, NULL},
        {"\"v999999999999999999\"", 0, 999999999999999999LL, NULL},
        {"v3", -1, -1, "with its quotes: \"v3\""},
        {"3", -1, -1, "with its quotes: \"v3\""},
        {"W/\"v3\"", -1, -1, "without W/"},
        {"\"v0\"", -1, -1, "does not match"},
        {"\"v01\"", -1, -1, "does not match"},
        {"\"3\"", -1, -1, "does not match"},
        {"\"v3\", \"v4\"", -1, -1, "does not match"},
        {"\"v\"", -1, -1, "does not match"},
        {"", -1, -1, "does not match"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ej_req r;
        int64_t version = 7;
        with_header(&r, cases[i].value ? "If-Match" : NULL, cases[i].value);
        int rc = ej_if_match(&r, &version);
        if (rc != cases[i].rc || version != cases[i].version)
            fprintf(stderr, "  If-Match %s: rc %d, version %lld\n", cases[i].value, rc,
                    (long long)version);
        CHECK(rc == cases[i].rc);
        CHECK(version == cases[i].version);
        if (rc != 0) {
            CHECK(r.status == 412);
            CHECK_STR(code_of(&r), "precondition_failed");
            const char *detail = json_string_value(json_object_get(r.out, "detail"));
            CHECK(detail && strstr(detail, cases[i].says));
            if (!detail || !strstr(detail, cases[i].says))
                fprintf(stderr, "  If-Match %s: %s\n", cases[i].value, detail);
        }
        ej_req_cleanup(&r);
    }
}

/* Accept for documents: the first offered type the client names, in the client's order,
 * parameters ignored, q=0 refused; NULL means JSON. */
static void test_accept(void)
{
    static const char *const offered[] = {"text/csv", "text/html", NULL};
    static const struct {
        const char *accept;
        const char *want; /* NULL: JSON */
    } cases[] = {
        {NULL, NULL},
        {"", NULL},
        {"application/json", NULL},
        {"*/*", NULL}, /* no wildcard picks a document */
        {"text/*", NULL},
        {"text/csv", "text/csv"},
        {"TEXT/CSV", "text/csv"},
        {"text/html, text/csv", "text/html"},
        {"application/json, text/csv", "text/csv"},
        {"text/csv;q=0.5, text/html", "text/csv"}, /* the client's order, not q's */
        {"text/csv; charset=utf-8", "text/csv"},
        {"text/csv ;q=0", NULL},
        {"text/csv;q=0, text/html", "text/html"},
        {"text/csv;q=0.000", NULL},
        {"text/csv;q=0.001", "text/csv"},
        {"text/csvx", NULL},
        {"text/cs", NULL},
        {" \t,,text/html", "text/html"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ej_req r;
        with_header(&r, "Accept", cases[i].accept);
        const char *got = ej_accept_pick(&r, offered);
        if (cases[i].want)
            CHECK_STR(got, cases[i].want);
        else
            CHECK(got == NULL);
        if (cases[i].want ? !got || strcmp(got, cases[i].want) : got != NULL)
            fprintf(stderr, "  Accept: %s -> %s\n", cases[i].accept ? cases[i].accept : "(none)",
                    got ? got : "(JSON)");
        ej_req_cleanup(&r);
    }
}

/* ej_problem_db: every value of enum ej_err has its status, code and Retry-After; EJ_OK is a
 * bug and answers 500 (never a success without a body). */
static void test_problem_db(void)
{
    static const struct {
        enum ej_err e;
        const char *sqlstate, *column;
        int status;
        const char *code;
        int retry_after;
        const char *says;
    } cases[] = {
        {EJ_ERR_NOT_FOUND, "", "", 404, "not_found", 0, "No such resource"},
        {EJ_ERR_CONFLICT, "23505", "", 409, "conflict", 0, "conflicts"},
        {EJ_ERR_INVALID, "23503", "group_id", 422, "validation_failed", 0, "Field group_id refers"},
        {EJ_ERR_INVALID, "23503", "", 422, "validation_failed", 0, "does not exist"},
        {EJ_ERR_INVALID, "22003", "", 422, "validation_failed", 0, "out of range"},
        {EJ_ERR_INVALID, "23514", "", 422, "validation_failed", 0, "out of range"},
        {EJ_ERR_STALE, "", "", 412, "precondition_failed", 0, "changed by someone else"},
        {EJ_ERR_BUSY, "57014", "", 503, "database_busy", 1, "busy"},
        {EJ_ERR_UNAVAILABLE, "08006", "", 503, "database_unavailable", 2, "not reachable"},
        {EJ_ERR_INTERNAL, "XX000", "", 500, "internal_error", 0, "request req-1"},
        {EJ_OK, "", "", 500, "internal_error", 0, "request req-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ej_req r;
        ej_req_init(&r);
        snprintf(r.request_id, sizeof r.request_id, "req-1");
        snprintf(r.db.sqlstate, sizeof r.db.sqlstate, "%s", cases[i].sqlstate);
        snprintf(r.db.column, sizeof r.db.column, "%s", cases[i].column);
        snprintf(r.etag, sizeof r.etag, "\"v1\"");
        CHECK(ej_problem_db(&r, cases[i].e) == -1);
        CHECK(r.status == cases[i].status);
        CHECK_STR(code_of(&r), cases[i].code);
        CHECK(r.retry_after == cases[i].retry_after);
        CHECK(r.etag[0] == '\0'); /* an error is no version of anything */
        const char *detail = json_string_value(json_object_get(r.out, "detail"));
        CHECK(detail && strstr(detail, cases[i].says));
        json_t *errors = json_object_get(r.out, "errors");
        if (cases[i].column[0]) {
            CHECK(json_array_size(errors) == 1);
            CHECK_STR(json_string_value(json_object_get(json_array_get(errors, 0), "field")),
                      cases[i].column);
        } else {
            CHECK(errors == NULL);
        }
        ej_req_cleanup(&r);
    }
    /* Every enumerator is in the table above: a new one must be added here and to the mapping. */
    int seen[EJ_ERR_INTERNAL + 1] = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        seen[cases[i].e] = 1;
    for (int e = EJ_OK; e <= EJ_ERR_INTERNAL; e++)
        CHECK(seen[e]);
}

/* issue 14 bug 2: a problem always has a body, and a long detail is cut on a character
 * boundary (the reply stays valid UTF-8). */
static void test_problem_body(void)
{
    struct ej_req r;
    ej_req_init(&r);
    char name[601];
    for (int i = 0; i < 200; i++)
        memcpy(name + 3 * i, "\xe2\x82\xac", 3); /* "€" x 200: 600 bytes */
    name[600] = '\0';
    CHECK(ej_problem(&r, 400, "unknown_field", "Unknown field '%s'.", name) == -1);
    const char *detail = json_string_value(json_object_get(r.out, "detail"));
    CHECK(detail != NULL && strlen(detail) <= 511);
    CHECK(detail && strlen(detail) > 400);
    /* Jansson only packs valid UTF-8, so a detail at all proves the cut was whole. */
    CHECK_STR(json_string_value(json_object_get(r.out, "type")),
              "https://ejournal.example/problems/unknown_field");
    CHECK_STR(json_string_value(json_object_get(r.out, "title")), "Bad Request");
    ej_req_cleanup(&r);

    /* An invalid detail does not pack: the problem still has a body, with the title as detail. */
    ej_req_init(&r);
    CHECK(ej_problem(&r, 409, "conflict", "bad byte \xff here") == -1);
    CHECK(r.out != NULL && r.status == 409);
    CHECK_STR(json_string_value(json_object_get(r.out, "detail")), "Conflict");
    CHECK_STR(code_of(&r), "conflict");
    ej_req_cleanup(&r);

    /* ej_problem_field / ej_problem_row add to errors in order. */
    ej_req_init(&r);
    ej_problem(&r, 422, "validation_failed", "Rows are wrong.");
    ej_problem_row(&r, 3, "name", "is required");
    ej_problem_field(&r, "on", "must be a date");
    json_t *errors = json_object_get(r.out, "errors");
    CHECK(json_array_size(errors) == 2);
    CHECK(json_integer_value(json_object_get(json_array_get(errors, 0), "row")) == 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(errors, 1), "field")), "on");
    ej_req_cleanup(&r);
}

int main(void)
{
    test_query();
    test_target();
    test_query_only();
    test_query_names();
    test_if_match();
    test_accept();
    test_problem_db();
    test_problem_body();
    return check_summary("test_req");
}
