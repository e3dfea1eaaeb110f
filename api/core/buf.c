#include "core/buf.h"

#include "core/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ej_buf_init(struct ej_buf *b, size_t max)
{
    memset(b, 0, sizeof *b);
    b->max = max ? max : (size_t)64 << 20;
}

void ej_buf_cleanup(struct ej_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void ej_buf_add(struct ej_buf *b, const char *s, size_t n)
{
    if (b->full || n > b->max - b->len) {
        b->full = true;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->data = ej_xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ej_buf_puts(struct ej_buf *b, const char *s)
{
    ej_buf_add(b, s, strlen(s));
}

void ej_buf_printf(struct ej_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        ej_buf_add(b, small, (size_t)n);
        return;
    }
    char *big = ej_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ej_buf_add(b, big, (size_t)n);
    free(big);
}
