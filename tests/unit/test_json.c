/* core/json (api/core/json.c): nesting depth measured without recursion, the strict body
 * parse (one object, no duplicate keys, UTF-8), field checks and bulk-row checks, and
 * ej_visible_text: a name must contain a character that shows (issue 9 names). Blank,
 * white-space-only and invisible-only strings are refused; real names in any script, also with
 * marks, joiners or direction marks around them, are accepted. */
#include "check.h"
#include "core/json.h"
#include "core/req.h"

#include <stdlib.h>
#include <string.h>

static void test_depth(void)
{
    CHECK(ej_json_depth("{}", 2, 32) == 1);
    CHECK(ej_json_depth("{\"a\":[1,{\"b\":2}]}", 17, 32) == 3);
    CHECK(ej_json_depth("\"[[[[\"", 6, 32) == 0);     /* brackets in strings don't count */
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
        {"{\"name\":\"ābolā\"}", NULL, 0}, /* 5 code points, 10 bytes */
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

/* Bulk rows: every complaint of every row lands in `errors` as {row, field, message}; nothing is
 * replied. */
static void test_row_check(void)
{
    static const struct ej_field f[] = {
        {"name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 5},
        {"at", EJ_F_TIME, 0, 0},
        {NULL, 0, 0, 0},
    };
    json_t *errors = json_array();
    json_t *ok = json_loads("{\"name\":\"Anna\",\"at\":\"08:30\"}", 0, NULL);
    json_t *bad = json_loads("{\"name\":\"\u200b\",\"at\":\"24:00\",\"x\":1}", 0, NULL);
    CHECK(ej_json_row_check(ok, f, 1, errors) == 0);
    size_t n = ej_json_row_check(bad, f, 2, errors);
    CHECK(n == 3 && json_array_size(errors) == 3);
    for (size_t i = 0; i < json_array_size(errors); i++)
        CHECK(json_integer_value(json_object_get(json_array_get(errors, i), "row")) == 2);
    json_decref(ok);
    json_decref(bad);
    json_decref(errors);
}

/* External ids (SPEC.md "Integration"): 1-64 characters, no control, no space at either end. */
static void test_external_id(void)
{
    char max[65];
    memset(max, 'x', 64);
    max[64] = '\0';
    CHECK(ej_external_id_valid("SIS-1"));
    CHECK(ej_external_id_valid(max));
    CHECK(ej_external_id_valid("\xc4\x81-1"));
    CHECK(!ej_external_id_valid(""));
    CHECK(!ej_external_id_valid(" a"));
    CHECK(!ej_external_id_valid("a "));
    CHECK(!ej_external_id_valid("a\tb"));
    max[63] = '\0';
    char over[70];
    snprintf(over, sizeof over, "%s\xc4\x81\xc4\x81", max); /* 65 characters */
    CHECK(!ej_external_id_valid(over));
    CHECK(ej_utf8_length("\xc4\x81"
                         "bc") == 3);
    json_t *o = json_pack("{s:n, s:s}", "a", "b", "x");
    CHECK(ej_json_has(o, "a") && !ej_json_has(o, "c"));
    CHECK(ej_json_str(o, "a") == NULL);
    CHECK_STR(ej_json_str(o, "b"), "x");
    json_decref(o);
}

static void test_visible_text(void)
{
    /* nothing that shows */
    CHECK(!ej_visible_text(NULL));
    CHECK(!ej_visible_text(""));
    CHECK(!ej_visible_text("   "));
    CHECK(!ej_visible_text(" \t\r\n"));
    CHECK(!ej_visible_text("\xc2\xa0"));                 /* U+00A0 no-break space */
    CHECK(!ej_visible_text("\xe2\x80\x8b\xe2\x80\x8b")); /* U+200B zero-width spaces */
    CHECK(!ej_visible_text("\xe2\x80\x8c\xe2\x80\x8d")); /* U+200C/U+200D non-joiner, joiner */
    CHECK(!ej_visible_text("\xe2\x80\xae"));             /* U+202E right-to-left override */
    CHECK(!ej_visible_text("\xe2\x80\xab\xe2\x80\xac")); /* U+202B embedding, U+202C pop */
    CHECK(!ej_visible_text("\xe2\x81\xa6\xe2\x81\xa9")); /* U+2066 isolate, U+2069 pop */
    CHECK(!ej_visible_text("\xe2\x80\x8e\xe2\x80\x8f")); /* U+200E/U+200F direction marks */
    CHECK(!ej_visible_text("\xe2\x81\xa0"));             /* U+2060 word joiner */
    CHECK(!ej_visible_text("\xef\xbb\xbf"));             /* U+FEFF byte-order mark */
    CHECK(!ej_visible_text("\xc2\xad"));                 /* U+00AD soft hyphen */
    CHECK(!ej_visible_text("\xe3\x80\x80"));             /* U+3000 ideographic space */
    CHECK(!ej_visible_text("\xe3\x85\xa4"));             /* U+3164 Hangul filler */
    CHECK(!ej_visible_text("\xef\xb8\x8f"));             /* U+FE0F variation selector */
    CHECK(!ej_visible_text("\xf3\xa0\x80\x81"));         /* U+E0001 language tag */
    CHECK(!ej_visible_text("\x01\x7f"));                 /* controls */
    CHECK(!ej_visible_text(" \xe2\x80\xae \xe2\x80\x8b\xc2\xa0 ")); /* a mix */

    /* names */
    CHECK(ej_visible_text("A"));
    CHECK(ej_visible_text("Anna Liepa"));
    CHECK(ej_visible_text("  Jānis  "));
    CHECK(ej_visible_text("Lāčplēša diena"));
    CHECK(ej_visible_text("\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0")); /* Анна */
    CHECK(ej_visible_text("\xd7\xa9\xd7\xa8\xd7\x94"));         /* Hebrew */
    CHECK(ej_visible_text("\xe2\x80\xae"
                          "abc")); /* override, then text */
    CHECK(ej_visible_text("\xe2\x80\x8b"
                          "x"
                          "\xe2\x80\x8b")); /* zero-width around */
    CHECK(ej_visible_text("2026/27"));
    CHECK(ej_visible_text("-"));
    CHECK(ej_visible_text("\xf0\x9f\x8e\xa8")); /* U+1F3A8, an emoji */
    CHECK(ej_visible_text("\xe4\xb8\xad"));     /* U+4E2D */
}

int main(void)
{
    test_depth();
    test_body_parse();
    test_field_check();
    test_row_check();
    test_external_id();
    test_visible_text();
    return check_summary("test_json");
}
