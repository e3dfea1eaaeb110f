#include "core/utf8.h"

#include <string.h>

/* The longest prefix of s[0..n) that does not end inside a character. */
static size_t whole_prefix(const char *s, size_t n)
{
    size_t i = n;
    /* Back over the continuation bytes (10xxxxxx, at most 3) to the last lead byte. */
    while (i > 0 && n - i < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return 0; /* only continuation bytes: nothing whole */
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    return n - (i - 1) >= need ? n : i - 1;
}

bool ej_utf8_truncate(char *s, size_t max)
{
    size_t len = strlen(s);
    size_t n = whole_prefix(s, len < max ? len : max);
    s[n] = '\0';
    return n < len;
}

const char *ej_utf8_echo(const char *in, char out[EJ_ECHO_BUFSZ])
{
    size_t len = strnlen(in, EJ_ECHO_MAX + 1);
    memcpy(out, in, len);
    out[len] = '\0';
    if (ej_utf8_truncate(out, EJ_ECHO_MAX)) {
        size_t n = strlen(out);
        memcpy(out + n, "…", sizeof "…"); /* EJ_ECHO_BUFSZ leaves room for it */
    }
    return out;
}
