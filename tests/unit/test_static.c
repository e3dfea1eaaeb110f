/* Unit tests of the path logic of the web client's static files (issue 12):
 * which request paths may name a file in EJ_WEB_DIR, content types, ETag lists
 * and the ?v= version. Paths arrive as sent (CivetWeb's decode_url is off), so
 * any percent-escape ("/%2e%2e/") is refused as a name, never decoded. */
#include "check.h"
#include "http/static.h"

static int clean(const char *path, char *out)
{
    return ej_static_clean_path(path, out, EJ_STATIC_MAX_PATH);
}

static void test_paths(void)
{
    char out[EJ_STATIC_MAX_PATH];
    CHECK(clean("/", out) == 0);
    CHECK_STR(out, "index.html");
    CHECK(clean("/app.js", out) == 0);
    CHECK_STR(out, "app.js");
    CHECK(clean("/screens/lessons.js", out) == 0);
    CHECK_STR(out, "screens/lessons.js");
    CHECK(clean("/a.b.c", out) == 0);

    /* issue 12: traversal, decoded or not, and every dot-first segment */
    CHECK(clean("/../../etc/passwd", out) == -1);
    CHECK(clean("/..", out) == -1);
    CHECK(clean("/../", out) == -1);
    CHECK(clean("/screens/../../x", out) == -1);
    CHECK(clean("/./index.html", out) == -1);
    CHECK(clean("/.git/config", out) == -1);
    CHECK(clean("/screens/.hidden", out) == -1);
    /* escapes are never decoded: '%' is refused */
    CHECK(clean("/%2e%2e/", out) == -1);
    CHECK(clean("/%252e%252e/etc/passwd", out) == -1);
    /* folders (no listings), empty segments, other separators, control bytes */
    CHECK(clean("/screens/", out) == -1);
    CHECK(clean("//etc/passwd", out) == -1);
    CHECK(clean("/a//b", out) == -1);
    CHECK(clean("/a\\..\\b", out) == -1);
    CHECK(clean("/a\nb", out) == -1);
    CHECK(clean("/a\x7f", out) == -1);
    CHECK(clean("", out) == -1);
    CHECK(clean("index.html", out) == -1);
    CHECK(clean(NULL, out) == -1);

    /* too long for the buffer */
    char tiny[8];
    CHECK(ej_static_clean_path("/abcdefgh", tiny, sizeof tiny) == -1);
    CHECK(ej_static_clean_path("/abcdef", tiny, sizeof tiny) == 0);
    CHECK(ej_static_clean_path("/", tiny, sizeof tiny) == -1); /* "index.html" does not fit */
}

static void test_types(void)
{
    CHECK_STR(ej_static_content_type("index.html"), "text/html; charset=utf-8");
    CHECK_STR(ej_static_content_type("screens/x.js"), "text/javascript; charset=utf-8");
    CHECK_STR(ej_static_content_type("style.css"), "text/css; charset=utf-8");
    CHECK_STR(ej_static_content_type("icon.svg"), "image/svg+xml");
    CHECK(ej_static_content_type("README") == NULL);
    CHECK(ej_static_content_type("README.md") == NULL);
    CHECK(ej_static_content_type("x.html.bak") == NULL);
    CHECK(ej_static_content_type("dir.js/file") == NULL);
}

static void test_etags(void)
{
    const char *e = "\"0123456789abcdef0123\"";
    CHECK(ej_static_etag_listed(e, e));
    CHECK(ej_static_etag_listed("\"x\", \"0123456789abcdef0123\"", e));
    CHECK(ej_static_etag_listed("W/\"0123456789abcdef0123\"", e));
    CHECK(ej_static_etag_listed("*", e));
    CHECK(!ej_static_etag_listed("\"0123456789abcdef012\"", e));
    CHECK(!ej_static_etag_listed("\"0123456789abcdef01234\"", e));
    CHECK(!ej_static_etag_listed("", e));
    CHECK(!ej_static_etag_listed(NULL, e));
    CHECK(!ej_static_etag_listed("\"unterminated", e));

    CHECK(ej_static_query_is_version("v=abc123", "abc123"));
    CHECK(!ej_static_query_is_version("v=abc124", "abc123"));
    CHECK(!ej_static_query_is_version("v=abc123&x=1", "abc123"));
    CHECK(!ej_static_query_is_version(NULL, "abc123"));
    CHECK(!ej_static_query_is_version("x=abc123", "abc123"));
}

int main(void)
{
    test_paths();
    test_types();
    test_etags();
    return check_summary("test_static");
}
