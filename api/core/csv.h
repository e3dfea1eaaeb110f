/* CSV for people (SPEC.md "Reports and exports"): RFC 4180 (comma, CRLF
 * after every row, a field quoted when it holds a comma, quote, CR or LF,
 * quotes doubled), UTF-8 with a byte-order mark so that spreadsheets read
 * the Latvian letters right, and spreadsheet formulas neutralised: a cell
 * starting with =, +, -, @ (or a tab or CR, which some spreadsheets skip
 * before one) gets a ' in front, so opening the file never runs anything.
 *
 * The buffer grows up to EJ_CSV_MAX bytes; past that the writer stops adding
 * and ej_csv_full says so (the caller refuses the request). */
#ifndef EJ_CORE_CSV_H
#define EJ_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#define EJ_CSV_MAX (16u * 1024 * 1024)

struct ej_csv {
    char *buf; /* owned */
    size_t len, cap;
    bool in_row; /* a cell was written in the current row */
    bool full;
};

/* Initialises storage the caller owns, starting with the byte-order mark. */
void ej_csv_init(struct ej_csv *c);
void ej_csv_cleanup(struct ej_csv *c);
/* Appends one cell (NULL = empty). */
void ej_csv_cell(struct ej_csv *c, const char *s);
void ej_csv_cell_int(struct ej_csv *c, long long v);
/* Ends the current row (CRLF). */
void ej_csv_end_row(struct ej_csv *c);
/* True once the output would have passed EJ_CSV_MAX. */
static inline bool ej_csv_full(const struct ej_csv *c) { return c->full; }

#endif
