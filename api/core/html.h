/* Printable HTML documents (the group journal, a student's personal file):
 * one self-contained page, no scripts, no external resources (no images,
 * fonts or style sheets fetched), every piece of data escaped. The reply
 * carries EJ_HTML_CSP, which allows nothing but the page's own style
 * element (by its hash), so even an escaping mistake could not run script
 * or load anything. For every printable page (the group journal; the personal
 * file, api/views/personal_file.c, escapes with ej_html_escape too but has its
 * own style sheet and so sets its own policy in r->csp, which then wins). */
#ifndef EJ_CORE_HTML_H
#define EJ_CORE_HTML_H

#include "core/buf.h"

/* The media type of every HTML reply. */
#define EJ_HTML_TYPE "text/html; charset=utf-8"

/* The page's one style element; its SHA-256 is in EJ_HTML_CSP
 * (tests/unit/test_export.c checks that the two agree). */
extern const char ej_html_style[];

/* The Content-Security-Policy the HTTP layer sends with every text/html
 * reply of the API: nothing may load or run; the style by hash only. */
#define EJ_HTML_CSP                                                                         \
    "default-src 'none'; style-src 'sha256-S3nnug2JXUuRmsG7Hdw5tU/zrjWXmtIwGlLE+gy3kF4='; " \
    "img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* Appends s with &, <, >, " and ' escaped (text and attribute values alike).
 * NULL appends nothing. */
void ej_html_escape(struct ej_buf *b, const char *s);
/* Appends a tag around escaped text: <tag>s</tag> (tag is the caller's
 * constant, e.g. "td", or "td class=\"n\""; the closing tag is its first word). */
void ej_html_elem(struct ej_buf *b, const char *tag, const char *s);
/* The page's start: doctype, lang, charset, the style, <title> (escaped),
 * then <body>. lang is a constant such as "lv" or "en". */
void ej_html_begin(struct ej_buf *b, const char *lang, const char *title);
/* Closes the body and the page. */
void ej_html_end(struct ej_buf *b);

#endif
