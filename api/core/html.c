#include "core/html.h"

#include <string.h>

const char ej_html_style[] =
    "body{font:11pt/1.35 sans-serif;margin:1.5em;color:#000}"
    "h1{font-size:15pt;margin:0 0 .3em}"
    "h2{font-size:12pt;margin:1.2em 0 .3em}"
    "p.meta{margin:.2em 0;color:#333}"
    "table{border-collapse:collapse;margin:.4em 0;font-size:9.5pt}"
    "th,td{border:1px solid #777;padding:2px 5px;text-align:left;vertical-align:top}"
    "th{background:#eee}"
    "td.n{text-align:right}"
    "@media print{body{margin:0}"
    "h2{break-after:avoid}"
    "tr{break-inside:avoid}"
    "}";

void ej_html_escape(struct ej_buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *esc = NULL;
        switch (*p) {
        case '&': esc = "&amp;"; break;
        case '<': esc = "&lt;"; break;
        case '>': esc = "&gt;"; break;
        case '"': esc = "&quot;"; break;
        case '\'': esc = "&#39;"; break;
        default: continue;
        }
        ej_buf_add(b, run, (size_t)(p - run));
        ej_buf_puts(b, esc);
        run = p + 1;
    }
    ej_buf_puts(b, run);
}

void ej_html_elem(struct ej_buf *b, const char *tag, const char *s)
{
    size_t name = strcspn(tag, " ");
    ej_buf_printf(b, "<%s>", tag);
    ej_html_escape(b, s);
    ej_buf_printf(b, "</%.*s>", (int)name, tag);
}

void ej_html_begin(struct ej_buf *b, const char *lang, const char *title)
{
    ej_buf_printf(b,
                  "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"referrer\" content=\"no-referrer\">\n",
                  lang);
    ej_buf_puts(b, "<style>");
    ej_buf_puts(b, ej_html_style);
    ej_buf_puts(b, "</style>\n<title>");
    ej_html_escape(b, title);
    ej_buf_puts(b, "</title>\n</head>\n<body>\n");
}

void ej_html_end(struct ej_buf *b)
{
    ej_buf_puts(b, "</body>\n</html>\n");
}
