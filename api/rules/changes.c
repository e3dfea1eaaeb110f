#include "rules/changes.h"

#include <string.h>

bool ej_change_cursor_parse(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18 || (s[0] == '0' && s[1]))
        return false;
    int64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return false;
        v = v * 10 + (*c - '0');
    }
    *out = v;
    return true;
}

enum ej_change_cursor ej_change_cursor_verdict(int64_t after, int64_t oldest, int64_t latest)
{
    if (after < oldest)
        return EJ_CURSOR_EXPIRED;
    if (after > latest)
        return EJ_CURSOR_BEYOND;
    return EJ_CURSOR_OK;
}
