/* Idempotency-Key (SPEC.md): what makes two requests "the same" for a key
 * (store/idempotency.c's request hash). */
#include "check.h"
#include "store/idempotency.h"

#include <string.h>

static int same(const char *m1, const char *p1, const char *q1, const char *b1, const char *m2,
                const char *p2, const char *q2, const char *b2)
{
    char h1[65], h2[65];
    ej_idem_request_hash(m1, p1, q1, b1, b1 ? strlen(b1) : 0, h1);
    ej_idem_request_hash(m2, p2, q2, b2, b2 ? strlen(b2) : 0, h2);
    return strcmp(h1, h2) == 0;
}

int main(void)
{
    char h[65];
    ej_idem_request_hash("POST", "/api/v1/users", NULL, "{}", 2, h);
    CHECK(strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64);

    /* The same request is the same, and no query is an empty one. */
    CHECK(same("POST", "/a", NULL, "{\"x\":1}", "POST", "/a", NULL, "{\"x\":1}"));
    CHECK(same("POST", "/a", NULL, NULL, "POST", "/a", "", ""));
    /* Each of method, path, query and body counts... */
    CHECK(!same("POST", "/a", NULL, "{}", "PUT", "/a", NULL, "{}"));
    CHECK(!same("POST", "/a", NULL, "{}", "POST", "/b", NULL, "{}"));
    CHECK(!same("POST", "/a", "dry_run=true", "{}", "POST", "/a", NULL, "{}"));
    CHECK(!same("POST", "/a", NULL, "{\"x\":1}", "POST", "/a", NULL, "{\"x\":2}"));
    /* ...and where one ends and the next begins: no two requests hash alike by moving bytes
     * across a boundary. */
    CHECK(!same("POST", "/ab", NULL, "c", "POST", "/a", NULL, "bc"));
    CHECK(!same("POST", "/a", "b", NULL, "POST", "/a", NULL, "b"));
    CHECK(!same("POST", "/a", "x=1", "", "POST", "/a", "x=", "1"));
    return check_summary("test_idempotency");
}
