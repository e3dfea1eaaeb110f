/* Unit tests of the request-independent pieces of the HTTP layer and the
 * strict JSON input: route matching (api/router.c: 404/405 + Allow), nesting depth
 * measured without recursion, field checks, query parsing, the request
 * target check and canonical ids. */
#include "check.h"
#include "core/json.h"
#include "core/req.h"
#include "router.h"

#include <stdlib.h>
#include <string.h>

static void noop(struct ej_req *r) { (void)r; }

static const struct ej_route table[] = {
    {"GET", "/api/v1/users", noop, "listUsers", 1, 0, 0},
    {"POST", "/api/v1/users", noop, "createUser", 1, 0, 0},
    {"GET", "/api/v1/users/{id}", noop, "getUser", 1, 0, 0},
    {"PUT", "/api/v1/students/{id}/guardians/{user_id}", noop, "linkGuardian", 1, 0, 0},
};
#define N (sizeof table / sizeof table[0])

static void test_routes(void)
{
    struct ej_req r;
    char allow[96];
    ej_req_init(&r);
    CHECK(ej_route_match(table, N, "GET", "/api/v1/users", &r, allow, sizeof allow) == 0);
    CHECK(ej_route_match(table, N, "GET", "/api/v1/users/42", &r, allow, sizeof allow) == 2);
    CHECK(r.nparams == 1);
    CHECK_STR(r.params[0], "42");
    ej_req_cleanup(&r);

    ej_req_init(&r);
    CHECK(ej_route_match(table, N, "PUT", "/api/v1/students/7/guardians/9", &r, allow,
                         sizeof allow) == 3);
    CHECK(r.nparams == 2);
    CHECK_STR(r.params[1], "9");
    ej_req_cleanup(&r);

    /* 405 with the allowed methods, 404 for unknown paths. */
    ej_req_init(&r);
    CHECK(ej_route_match(table, N, "DELETE", "/api/v1/users", &r, allow, sizeof allow) == -2);
    CHECK_STR(allow, "GET, POST");
    CHECK(ej_route_match(table, N, "GET", "/api/v1/users/", &r, allow, sizeof allow) == -1);
    CHECK(ej_route_match(table, N, "GET", "/api/v1/users/1/x", &r, allow, sizeof allow) == -1);
    CHECK(ej_route_match(table, N, "GET", "/api/v1/../v1/users", &r, allow, sizeof allow) == -1);
    CHECK(ej_route_match(table, N, "GET", "/api/v1//users", &r, allow, sizeof allow) == -1);
    CHECK(ej_route_match(table, N, "GET", "", &r, allow, sizeof allow) == -1);
    ej_req_cleanup(&r);

    /* Static files stay out of any routed path, whatever the method. */
    CHECK(ej_route_path_exists(table, N, "/api/v1/users"));
    CHECK(ej_route_path_exists(table, N, "/api/v1/students/7/guardians/9"));
    CHECK(!ej_route_path_exists(table, N, "/api/v1/users/"));
    CHECK(!ej_route_path_exists(table, N, "/index.html"));
    CHECK(!ej_route_path_exists(table, 0, "/api/v1/users"));
}

static void test_depth(void)
{
    CHECK(ej_json_depth("{}", 2, 32) == 1);
    CHECK(ej_json_depth("{\"a\":[1,{\"b\":2}]}", 17, 32) == 3);
    CHECK(ej_json_depth("\"[[[[\"", 6, 32) == 0);      /* brackets in strings don't count */
    CHECK(ej_json_depth("[\"\\\"[[\"]", 9, 32) == 1); /* nor after an escaped quote */
    size_t n = 100000;
    char *deep = malloc(2 * n);
    for (size_t i = 0; i < n; i++) {
        deep[i] = '[';
        deep[n + i] = ']';
    }
    CHECK(ej_json_depth(deep, 2 * n, 32) == 33); /* stops early */
    free(deep);
}

static void test_body_parse(void)
{
    struct ej_req r;
    const char *cases[][2] = {
        {"{\"a\":1}", NULL},
        {"{\"a\":", "malformed_json"},
        {"[1]", "malformed_json"},
        {"{\"a\":1,\"a\":2}", "malformed_json"},
        {"{\"a\":\"\\u0000\"}", "malformed_json"},
        {"{\"a\":\"\xc3\x28\"}", "invalid_utf8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ej_req_init(&r);
        r.body_text = strdup(cases[i][0]);
        r.body_len = strlen(cases[i][0]);
        int rc = ej_json_parse_body(&r);
        if (!cases[i][1])
            CHECK(rc == 0 && r.body);
        else
            CHECK_STR(rc == -1 ? json_string_value(json_object_get(r.out, "code")) : "ok",
                      cases[i][1]);
        ej_req_cleanup(&r);
    }
}

static void test_field_check(void)
{
    static const struct ej_field f[] = {
        {"name", EJ_F_STRING, EJ_F_REQUIRED, 5},
        {"on", EJ_F_DATE, EJ_F_NULLABLE, 0},
        {"ids", EJ_F_ID_ARRAY, 0, 2},
        {NULL, 0, 0, 0},
    };
    struct {
        const char *json, *code;
        int status;
    } cases[] = {
        {"{\"name\":\"ābolā\"}", NULL, 0},          /* 5 code points, 10 bytes */
        {"{\"name\":\"ābolās\"}", "validation_failed", 422},
        {"{\"name\":1}", "invalid_field", 400},
        {"{\"name\":\"a\",\"x\":1}", "unknown_field", 400},
        {"{}", "validation_failed", 422},
        {"{\"name\":\"a\",\"on\":null}", NULL, 0},
        {"{\"name\":\"a\",\"on\":\"2023-02-29\"}", "validation_failed", 422},
        {"{\"name\":\"a\",\"on\":\"2024-02-29\"}", NULL, 0},
        {"{\"name\":\"a\",\"ids\":[1,0]}", "invalid_field", 400},
        {"{\"name\":\"a\",\"ids\":[1,2,3]}", "validation_failed", 422},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ej_req r;
        ej_req_init(&r);
        json_t *v = json_loads(cases[i].json, 0, NULL);
        int rc = ej_json_check(&r, v, f);
        if (!cases[i].code) {
            CHECK(rc == 0);
        } else {
            CHECK(rc == -1 && r.status == cases[i].status);
            CHECK_STR(json_string_value(json_object_get(r.out, "code")), cases[i].code);
            CHECK(json_array_size(json_object_get(r.out, "errors")) >= 1);
        }
        json_decref(v);
        ej_req_cleanup(&r);
    }
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
        {"/api/v1/users", "q=\xc4\x81", 0},             /* raw UTF-8 */
        {"/api/v1/users", NULL, 0},
        {"/%6detrics", NULL, 400},
        {"/api/v1/me%2Flogins", NULL, 400},
        {"/metrics%00.png", NULL, 400},
        {"/api/v1/\xff", NULL, 400},
        {"/api/v1/\xc0\xaf", NULL, 400},               /* overlong '/' */
        {"/api/v1/users", "q=%ff", 400},
        {"/api/v1/users", "unused=%ed%a0%80", 400},     /* a surrogate */
        {"/api/v1/users", "q=%f4%90%80%80", 400},       /* above U+10FFFF */
        {"/api/v1/users", "q=%e2%82", 400},             /* truncated */
        {"/api/v1/users", "q=a%00b", 400},
        {"/api/v1/users", "q=%g1", 400},
        {"/api/v1/users", "q=%4", 400},
        {"/api/v1/users", "%ff=1", 400},                /* names too */
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
    } ids[] = {{"1", 1}, {"42", 1}, {"999999999999999999", 1}, {"01", 0}, {"0", 0},
               {"+1", 0}, {"-1", 0}, {"1e3", 0}, {"9999999999999999999", 0}, {"", 0}};
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

int main(void)
{
    test_routes();
    test_depth();
    test_body_parse();
    test_field_check();
    test_query();
    test_target();
    return check_summary("http");
}
