#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(struct ej_csv *c, const char *s, size_t n)
{
    if (c->full)
        return;
    if (c->len + n > EJ_CSV_MAX) {
        c->full = true;
        return;
    }
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b)
            abort();
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    c->buf[c->len] = '\0';
}

void ej_csv_init(struct ej_csv *c)
{
    memset(c, 0, sizeof *c);
    put(c, "\xEF\xBB\xBF", 3);
}

void ej_csv_cleanup(struct ej_csv *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}

void ej_csv_cell(struct ej_csv *c, const char *s)
{
    if (c->in_row)
        put(c, ",", 1);
    c->in_row = true;
    if (!s || !*s)
        return;
    bool formula = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        put(c, "\"", 1);
    if (formula)
        put(c, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            put(c, "\"\"", 2);
        else
            put(c, p, 1);
    }
    if (quote)
        put(c, "\"", 1);
}

void ej_csv_cell_int(struct ej_csv *c, long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v);
    ej_csv_cell(c, buf);
}

void ej_csv_end_row(struct ej_csv *c)
{
    put(c, "\r\n", 2);
    c->in_row = false;
}
