/* Allocation that cannot fail: out of memory ends the process with one line on stderr (and a
 * core dump for the post-mortem) instead of a NULL every caller would have to carry up. A
 * request cannot sensibly go on without the memory it asked for, and a half-built reply is
 * worse than a restart (the service manager restarts the server; the database keeps every
 * committed change). Jansson allocates through the same functions (json_set_alloc_funcs in
 * main.c), so a JSON value is never silently missing either.
 *
 * Sizes are the caller's own bounds (body limits, buffer caps), never unchecked client numbers. */
#ifndef EJ_CORE_ALLOC_H
#define EJ_CORE_ALLOC_H

#include <stddef.h>

/* malloc, calloc, realloc, strdup, strndup that abort on failure. ej_xmalloc(0) and
 * ej_xrealloc(p, 0) return a unique pointer (never NULL); ej_xcalloc checks n * size for
 * overflow. */
void *ej_xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
void *ej_xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
void *ej_xrealloc(void *p, size_t size) __attribute__((returns_nonnull));
char *ej_xstrdup(const char *s) __attribute__((malloc, returns_nonnull, nonnull));
char *ej_xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull, nonnull));

/* Writes "ejournal: out of memory (N bytes)" to stderr and aborts. */
_Noreturn void ej_out_of_memory(size_t size);

#endif
