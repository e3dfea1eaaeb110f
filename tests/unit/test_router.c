/* router (api/router.c): matching a method and path against a route table, path
 * parameters as owned copies, 405 with the allowed methods, 404 for anything else; and the
 * real table (api/routes.c): every row well formed, no two rows for one method and path, no
 * path shadowed by an earlier pattern. */
#include "check.h"
#include "core/req.h"
#include "router.h"

#include <stdlib.h>
#include <string.h>

static void noop(struct ej_req *r)
{
    (void)r;
}

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

/* Parameters: at most EJ_MAX_PARAMS, never empty, never across a '/'; a short Allow buffer is
 * never overrun. */
static void test_params(void)
{
    static const struct ej_route many[] = {
        {"GET", "/a/{p}/{q}/{r}/{s}", noop, "four", 1, 0, 0},
        {"GET", "/b/{p}/{q}/{r}/{s}/{t}", noop, "five", 1, 0, 0},
        {"GET", "/c", noop, "c", 1, 0, 0},
        {"PUT", "/c", noop, "c2", 1, 0, 0},
        {"DELETE", "/c", noop, "c3", 1, 0, 0},
    };
    struct ej_req r;
    char allow[96];
    ej_req_init(&r);
    CHECK(ej_route_match(many, 5, "GET", "/a/1/2/3/4", &r, allow, sizeof allow) == 0);
    CHECK(r.nparams == 4);
    CHECK_STR(r.params[3], "4");
    ej_req_cleanup(&r);
    ej_req_init(&r);
    /* a fifth parameter does not fit: no match rather than a write past params[] */
    CHECK(ej_route_match(many, 5, "GET", "/b/1/2/3/4/5", &r, allow, sizeof allow) == -1);
    CHECK(r.nparams == 0);
    CHECK(ej_route_match(many, 5, "GET", "/a/1/2//4", &r, allow, sizeof allow) == -1);
    CHECK(ej_route_match(many, 5, "GET", "/a/1/2/3/4/", &r, allow, sizeof allow) == -1);
    CHECK(ej_route_match(many, 5, "get", "/c", &r, allow, sizeof allow) == -2); /* case matters */
    CHECK_STR(allow, "GET, PUT, DELETE");
    char tiny[12];
    CHECK(ej_route_match(many, 5, "POST", "/c", &r, tiny, sizeof tiny) == -2);
    CHECK(strlen(tiny) < sizeof tiny);
    CHECK(ej_route_match(many, 5, "POST", "/c", &r, allow, 0) == -2); /* no buffer at all */
    ej_req_cleanup(&r);
}

/* The real route table: every row complete, one row per method and path, and no row that an
 * earlier pattern would always win over (the matcher takes the first match). */
static void test_table(void)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};
    CHECK(ej_route_count > 50);
    for (size_t i = 0; i < ej_route_count; i++) {
        const struct ej_route *a = &ej_routes[i];
        int known = 0;
        for (const char *const *m = methods; *m; m++)
            known |= strcmp(*m, a->method) == 0;
        CHECK(known);
        CHECK(a->path[0] == '/' && a->handler && a->operation_id && a->operation_id[0]);
        CHECK(a->body_limit <= EJ_MAX_BODY_LIMIT);
        if (a->flags & EJ_R_BODY)
            CHECK(!(a->flags & EJ_R_BODY_OPTIONAL));
        for (size_t j = i + 1; j < ej_route_count; j++) {
            const struct ej_route *b = &ej_routes[j];
            CHECK(strcmp(a->operation_id, b->operation_id) != 0);
            /* b's own path (parameters spelled as themselves) must reach b, not a */
            if (strcmp(a->method, b->method) != 0)
                continue;
            struct ej_req r;
            char allow[96];
            ej_req_init(&r);
            int got = ej_route_match(ej_routes, ej_route_count, b->method, b->path, &r, allow,
                                     sizeof allow);
            CHECK(got == (int)j);
            if (got != (int)j)
                fprintf(stderr, "  %s %s reaches row %d, not %zu\n", b->method, b->path, got, j);
            ej_req_cleanup(&r);
        }
    }
}

int main(void)
{
    test_routes();
    test_params();
    test_table();
    return check_summary("test_router");
}
