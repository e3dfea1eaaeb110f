/* issue 14: ej_utf8_truncate and ej_utf8_echo (api/core/utf8.c): text cut to a fixed buffer
 * never ends in half a character. */
#include "check.h"
#include "core/utf8.h"

#include <stdio.h>

static const char *cut(const char *in, size_t max, char *buf, size_t buflen, bool *removed)
{
    snprintf(buf, buflen, "%s", in);
    *removed = ej_utf8_truncate(buf, max);
    return buf;
}

int main(void)
{
    char buf[64];
    bool removed;
    /* ASCII: cut where asked */
    CHECK_STR(cut("abcdef", 3, buf, sizeof buf, &removed), "abc");
    CHECK(removed);
    CHECK_STR(cut("abc", 3, buf, sizeof buf, &removed), "abc");
    CHECK(!removed);
    CHECK_STR(cut("abc", 10, buf, sizeof buf, &removed), "abc");
    CHECK(!removed);
    CHECK_STR(cut("", 0, buf, sizeof buf, &removed), "");
    /* € is 3 bytes (E2 82 AC): a cut inside it drops it whole */
    CHECK_STR(cut("a\xe2\x82\xac", 1, buf, sizeof buf, &removed), "a");
    CHECK_STR(cut("a\xe2\x82\xac", 2, buf, sizeof buf, &removed), "a");
    CHECK_STR(cut("a\xe2\x82\xac", 3, buf, sizeof buf, &removed), "a");
    CHECK(removed);
    CHECK_STR(cut("a\xe2\x82\xac", 4, buf, sizeof buf, &removed), "a\xe2\x82\xac");
    CHECK(!removed);
    CHECK_STR(cut("\xe2\x82\xac\xe2\x82\xac", 5, buf, sizeof buf, &removed), "\xe2\x82\xac");
    /* 2-byte ē (C4 93) and 4-byte 😀 (F0 9F 98 80) */
    CHECK_STR(cut("\xc4\x93\xc4\x93", 3, buf, sizeof buf, &removed), "\xc4\x93");
    for (size_t m = 0; m < 4; m++)
        CHECK_STR(cut("\xf0\x9f\x98\x80", m, buf, sizeof buf, &removed), "");
    CHECK_STR(cut("\xf0\x9f\x98\x80", 4, buf, sizeof buf, &removed), "\xf0\x9f\x98\x80");
    /* what snprintf leaves when it cuts a character: the partial one goes */
    char small[7];
    memcpy(small, "ab\xe2\x82\xac\xe2", 6); /* "ab€" and the first byte of another € */
    small[6] = '\0';
    CHECK(ej_utf8_truncate(small, sizeof small - 1));
    CHECK_STR(small, "ab\xe2\x82\xac");
    memcpy(small, "abc\xe2\x82", 5); /* "abc" and two bytes of € */
    small[5] = '\0';
    CHECK(ej_utf8_truncate(small, sizeof small - 1));
    CHECK_STR(small, "abc");

    /* echo: short input as it is; long input cut at a character with an ellipsis */
    char echo[EJ_ECHO_BUFSZ];
    CHECK_STR(ej_utf8_echo("name", echo), "name");
    char euros[3 * 200 + 1];
    for (int i = 0; i < 200; i++)
        memcpy(euros + 3 * i, "\xe2\x82\xac", 3);
    euros[3 * 200] = '\0';
    ej_utf8_echo(euros, echo);
    CHECK(strlen(echo) == 99 + strlen("…")); /* 33 whole € */
    CHECK(strncmp(echo, euros, 99) == 0);
    CHECK_STR(echo + 99, "…");
    char exact[EJ_ECHO_MAX + 1];
    memset(exact, 'x', EJ_ECHO_MAX);
    exact[EJ_ECHO_MAX] = '\0';
    CHECK_STR(ej_utf8_echo(exact, echo), exact);
    return check_summary("test_utf8");
}
