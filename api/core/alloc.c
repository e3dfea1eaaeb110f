#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn void ej_out_of_memory(size_t size)
{
    /* No logger, no stdio buffer: both may need the memory that just ran out. */
    char line[80];
    int n = snprintf(line, sizeof line, "ejournal: out of memory (%zu bytes)\n", size);
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        ssize_t ignored = write(STDERR_FILENO, line, len);
        (void)ignored;
    }
    abort();
}

void *ej_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        ej_out_of_memory(size);
    return p;
}

void *ej_xcalloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        ej_out_of_memory((size_t)-1);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        ej_out_of_memory(n * size);
    return p;
}

void *ej_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        ej_out_of_memory(size);
    return q;
}

char *ej_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = ej_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

char *ej_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = ej_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
