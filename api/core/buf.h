/* A growing text buffer for documents rendered in C (CSV, HTML), with a
 * hard ceiling set where it is made: a reply larger than that is refused,
 * never grown without bound. Out of memory aborts, as elsewhere. */
#ifndef EJ_CORE_BUF_H
#define EJ_CORE_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct ej_buf {
    char *data; /* owned, NUL-terminated once anything was added */
    size_t len;
    size_t cap;
    size_t max; /* ceiling in bytes; appends past it set `full` and are dropped */
    bool full;
};

/* Initialises storage the caller owns; max = 0 means 64 MiB. */
void ej_buf_init(struct ej_buf *b, size_t max);
/* Frees the text. */
void ej_buf_cleanup(struct ej_buf *b);
void ej_buf_add(struct ej_buf *b, const char *s, size_t n);
void ej_buf_puts(struct ej_buf *b, const char *s);
void ej_buf_printf(struct ej_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
