/* The document helpers of issue 11 (api/core/buf.c, csv.c, html.c): CSV per
 * RFC 4180 with spreadsheet formulas neutralised, HTML with every piece of
 * data escaped and a style whose hash is the one the CSP allows. */
#include "check.h"
#include "core/csv.h"
#include "core/html.h"
#include "core/req.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdlib.h>

static const char *csv_of(struct ej_csv *c, const char *const *cells, size_t n)
{
    ej_csv_cleanup(c);
    ej_csv_init(c, 0);
    for (size_t i = 0; i < n; i++)
        ej_csv_cell(c, cells[i]);
    ej_csv_row_end(c);
    return c->out.data + 3; /* after the byte-order mark */
}

#define CSV(...)                                   \
    csv_of(&c, (const char *const[]){__VA_ARGS__}, \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void test_csv(void)
{
    struct ej_csv c;
    ej_csv_init(&c, 0);
    CHECK_STR(CSV("a", "b"), "a,b\r\n");
    CHECK_STR(CSV(NULL, "b", NULL), ",b,\r\n"); /* empty cells keep their place */
    CHECK_STR(CSV("x,y"), "\"x,y\"\r\n");
    CHECK_STR(CSV("say \"hi\""), "\"say \"\"hi\"\"\"\r\n");
    CHECK_STR(CSV("two\nlines"), "\"two\nlines\"\r\n");
    CHECK_STR(CSV("Jānis Bērziņš"), "Jānis Bērziņš\r\n"); /* UTF-8 as it is */
    /* issue 11: formulas neutralised */
    CHECK_STR(CSV("=1+1"), "'=1+1\r\n");
    CHECK_STR(CSV("+1"), "'+1\r\n");
    CHECK_STR(CSV("-1"), "'-1\r\n");
    CHECK_STR(CSV("@SUM(A1)"), "'@SUM(A1)\r\n");
    CHECK_STR(CSV("\tx"), "'\tx\r\n");
    CHECK_STR(CSV("\rx"), "\"'\rx\"\r\n");
    CHECK_STR(CSV("=HYPERLINK(\"http://x\",\"y\")"),
              "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n");
    CHECK_STR(CSV("a=b"), "a=b\r\n"); /* only a leading sign counts */

    /* JSON cells and a table */
    ej_csv_cleanup(&c);
    ej_csv_init(&c, 0);
    json_t *items = json_pack("[{s:i, s:s, s:f, s:n, s:b}, {s:i, s:s, s:f}]", "id", 1, "topic",
                              "=cmd", "hours", 1.5, "note", "late", 1, "id", 2, "topic", "ok",
                              "hours", 2.0);
    ej_csv_table(&c, (const char *const[]){"id", "topic", "hours", "note", "late", NULL}, items);
    CHECK_STR(c.out.data,
              "\xEF\xBB\xBFid,topic,hours,note,late\r\n1,'=cmd,1.5,,true\r\n2,ok,2,,\r\n");
    json_decref(items);
    ej_csv_cleanup(&c);

    /* the ceiling: appends past it are dropped and flagged */
    struct ej_buf b;
    ej_buf_init(&b, 8);
    ej_buf_puts(&b, "12345");
    ej_buf_puts(&b, "6789");
    CHECK(b.full);
    CHECK_STR(b.data, "12345");
    ej_buf_cleanup(&b);
}

static void test_html(void)
{
    struct ej_buf b;
    ej_buf_init(&b, 0);
    ej_html_escape(&b, "<script>alert('x')</script>&\"");
    CHECK_STR(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
    ej_buf_cleanup(&b);

    ej_buf_init(&b, 0);
    ej_html_elem(&b, "td class=\"n\"", "<b>");
    CHECK_STR(b.data, "<td class=\"n\">&lt;b&gt;</td>");
    ej_buf_cleanup(&b);

    ej_buf_init(&b, 0);
    ej_html_begin(&b, "lv", "</title><script>x</script>");
    ej_html_end(&b);
    CHECK(strstr(b.data, "<script") == NULL);
    CHECK(strstr(b.data, "&lt;/title&gt;&lt;script&gt;") != NULL);
    CHECK(strncmp(b.data, "<!DOCTYPE html>", 15) == 0);
    ej_buf_cleanup(&b);

    /* The CSP names the style by its hash: the two must agree, or browsers drop the style. */
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)ej_html_style, strlen(ej_html_style), d);
    unsigned char b64[64];
    EVP_EncodeBlock(b64, d, sizeof d);
    char want[128];
    snprintf(want, sizeof want, "style-src 'sha256-%s'", (const char *)b64);
    CHECK(strstr(EJ_HTML_CSP, want) != NULL);
    CHECK(strstr(EJ_HTML_CSP, "default-src 'none'") != NULL);
    CHECK(strstr(EJ_HTML_CSP, "script-src") == NULL); /* none: default-src 'none' covers it */
}

/* ej_accept_pick (api/core/req.c): which document an Accept header asks for. */
static const char *accept_value;
static const char *accept_header(void *conn, const char *name)
{
    (void)conn;
    return strcmp(name, "Accept") == 0 ? accept_value : NULL;
}

static const char *pick(const char *accept)
{
    static const char *const offered[] = {"text/csv", "text/html", "application/json", NULL};
    struct ej_req r;
    ej_req_init(&r);
    r.header = accept_header;
    accept_value = accept;
    const char *got = ej_accept_pick(&r, offered);
    ej_req_cleanup(&r);
    return got ? got : "(none)";
}

static void test_accept(void)
{
    CHECK_STR(pick(NULL), "(none)");
    CHECK_STR(pick("text/csv"), "text/csv");
    CHECK_STR(pick("TEXT/CSV; charset=utf-8"), "text/csv");
    CHECK_STR(pick("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), "text/html");
    CHECK_STR(pick("application/json, text/csv"), "application/json");
    CHECK_STR(pick("text/csv;q=0, text/html"), "text/html");
    CHECK_STR(pick("text/csv;q=0.0"), "(none)");
    CHECK_STR(pick("text/csv;q=0.5"), "text/csv");
    CHECK_STR(pick("*/*"), "(none)"); /* the caller's default (JSON) */
    CHECK_STR(pick("text/csvx, text/cs"), "(none)");
}

int main(void)
{
    test_csv();
    test_html();
    test_accept();
    return check_summary("test_export");
}
