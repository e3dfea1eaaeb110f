/* ej_visible_text (api/core/json.c): a name must contain a character that shows (issue 9
 * names). Blank, white-space-only and invisible-only strings are refused; real names in any
 * script, also with marks, joiners or direction marks around them, are accepted. */
#include "check.h"
#include "core/json.h"

int main(void)
{
    /* nothing that shows */
    CHECK(!ej_visible_text(NULL));
    CHECK(!ej_visible_text(""));
    CHECK(!ej_visible_text("   "));
    CHECK(!ej_visible_text(" \t\r\n"));
    CHECK(!ej_visible_text("\xc2\xa0"));                 /* U+00A0 no-break space */
    CHECK(!ej_visible_text("\xe2\x80\x8b\xe2\x80\x8b"));  /* U+200B zero-width spaces */
    CHECK(!ej_visible_text("\xe2\x80\x8c\xe2\x80\x8d"));  /* U+200C/U+200D non-joiner, joiner */
    CHECK(!ej_visible_text("\xe2\x80\xae"));              /* U+202E right-to-left override */
    CHECK(!ej_visible_text("\xe2\x80\xab\xe2\x80\xac"));  /* U+202B embedding, U+202C pop */
    CHECK(!ej_visible_text("\xe2\x81\xa6\xe2\x81\xa9"));  /* U+2066 isolate, U+2069 pop */
    CHECK(!ej_visible_text("\xe2\x80\x8e\xe2\x80\x8f"));  /* U+200E/U+200F direction marks */
    CHECK(!ej_visible_text("\xe2\x81\xa0"));              /* U+2060 word joiner */
    CHECK(!ej_visible_text("\xef\xbb\xbf"));              /* U+FEFF byte-order mark */
    CHECK(!ej_visible_text("\xc2\xad"));                  /* U+00AD soft hyphen */
    CHECK(!ej_visible_text("\xe3\x80\x80"));              /* U+3000 ideographic space */
    CHECK(!ej_visible_text("\xe3\x85\xa4"));              /* U+3164 Hangul filler */
    CHECK(!ej_visible_text("\xef\xb8\x8f"));              /* U+FE0F variation selector */
    CHECK(!ej_visible_text("\xf3\xa0\x80\x81"));          /* U+E0001 language tag */
    CHECK(!ej_visible_text("\x01\x7f"));                  /* controls */
    CHECK(!ej_visible_text(" \xe2\x80\xae \xe2\x80\x8b\xc2\xa0 ")); /* a mix */

    /* names */
    CHECK(ej_visible_text("A"));
    CHECK(ej_visible_text("Anna Liepa"));
    CHECK(ej_visible_text("  Jānis  "));
    CHECK(ej_visible_text("Lāčplēša diena"));
    CHECK(ej_visible_text("\xd0\x90\xd0\xbd\xd0\xbd\xd0\xb0"));           /* Анна */
    CHECK(ej_visible_text("\xd7\xa9\xd7\xa8\xd7\x94"));                   /* Hebrew */
    CHECK(ej_visible_text("\xe2\x80\xae" "abc"));                        /* override, then text */
    CHECK(ej_visible_text("\xe2\x80\x8b" "x" "\xe2\x80\x8b"));             /* zero-width around */
    CHECK(ej_visible_text("2026/27"));
    CHECK(ej_visible_text("-"));
    CHECK(ej_visible_text("\xf0\x9f\x8e\xa8"));                          /* U+1F3A8, an emoji */
    CHECK(ej_visible_text("\xe4\xb8\xad"));                              /* U+4E2D */

    return check_summary("test_json");
}
