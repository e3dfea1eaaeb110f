/* libFuzzer driver: the request-target and header helpers of core/req
 * (ej_target_check, ej_query_only, ej_query and its typed forms, pagination,
 * If-Match, Accept) over any query string and header value. They must never
 * crash, read past the input or leak, and they keep their contracts: a value
 * ej_query found fits its buffer, and a problem is always a body.
 * Input: query string, then '\n', then one header value (If-Match and Accept).
 * Built by CMake (-DEJ_FUZZ=ON with clang), run by tests/fuzz/run.sh. */
#include "core/req.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *header_value;

static const char *fake_header(void *conn, const char *name)
{
    (void)conn;
    return strcmp(name, "If-Match") == 0 || strcmp(name, "Accept") == 0 ? header_value : NULL;
}

/* A failed helper must have set a problem with a body; the next call starts clean. */
static void expect_problem_if(struct ej_req *r, int rc)
{
    if (rc < 0 && (!r->out || r->status < 400))
        abort();
    ej_reply_empty(r, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char *nl = memchr(text, '\n', size);
    if (nl)
        *nl = '\0';
    header_value = nl ? nl + 1 : NULL;

    struct ej_req r;
    ej_req_init(&r);
    r.path = "/lessons";
    r.query = text;
    r.header = fake_header;

    expect_problem_if(&r, ej_target_check(&r));
    static const char *const allowed[] = {"group_id", "from", "to", "limit", "after", NULL};
    expect_problem_if(&r, ej_query_only(&r, allowed));
    expect_problem_if(&r, ej_query_only(&r, NULL));

    char small[8], big[64];
    int got = ej_query(&r, "from", small, sizeof small);
    if (got == 1 && strlen(small) >= sizeof small)
        abort();
    expect_problem_if(&r, got);
    got = ej_query(&r, "group_id", big, sizeof big);
    expect_problem_if(&r, got);

    int64_t id;
    got = ej_query_id(&r, "group_id", &id);
    if (got == 0 && id < 0)
        abort();
    expect_problem_if(&r, got);

    char date[16];
    const char *day;
    expect_problem_if(&r, ej_query_date(&r, "to", date, sizeof date, &day));

    int limit;
    int64_t after;
    got = ej_page_params(&r, &limit, &after);
    if (got == 0 && (limit < 1 || limit > 500 || after < 0))
        abort();
    expect_problem_if(&r, got);

    int64_t version;
    got = ej_if_match(&r, &version);
    if (got == 0 && version < -1)
        abort();
    expect_problem_if(&r, got);

    static const char *const offered[] = {"text/csv", "text/html", NULL};
    const char *pick = ej_accept_pick(&r, offered);
    if (pick && pick != offered[0] && pick != offered[1])
        abort();

    ej_req_cleanup(&r);
    free(text);
    return 0;
}
