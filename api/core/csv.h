/* CSV documents (openapi.yaml, tag reports): RFC 4180, UTF-8, CRLF line
 * ends, a header row first. A cell is quoted when it holds a comma, a quote,
 * CR or LF (quotes doubled). Spreadsheet formulas are neutralised: a cell
 * that starts with =, +, -, @, TAB or CR gets a leading apostrophe, so a
 * topic typed as "=HYPERLINK(...)" opens as text, not as a formula.
 * Every document starts with a UTF-8 byte-order mark, so that a spreadsheet
 * opening the file reads the Latvian letters as UTF-8 (RFC 4180 allows it;
 * UTF-8 decoders such as fetch's text() drop it).
 * Shared by every CSV the API sends (hours, journal, quality report). */
#ifndef EJ_CORE_CSV_H
#define EJ_CORE_CSV_H

#include "core/buf.h"

#include <jansson.h>

/* The media type of every CSV reply. */
#define EJ_CSV_TYPE "text/csv; charset=utf-8; header=present"

/* A CSV document being written: the text and the cells in the current row. */
struct ej_csv {
    struct ej_buf out;
    size_t col;
};

/* Initialises storage the caller owns (max as ej_buf_init) and writes the
 * byte-order mark; cleanup frees it. */
void ej_csv_init(struct ej_csv *c, size_t max);
void ej_csv_cleanup(struct ej_csv *c);
/* Appends one cell to the current row (a comma first unless it is the
 * row's first). NULL is an empty cell. */
void ej_csv_cell(struct ej_csv *c, const char *s);
/* A JSON scalar as a cell: strings as they are, integers and reals in
 * decimal (reals without trailing zeros), true/false, null empty; arrays
 * and objects as compact JSON. v is borrowed. */
void ej_csv_json_cell(struct ej_csv *c, const json_t *v);
/* Ends the current row (CRLF). */
void ej_csv_row_end(struct ej_csv *c);
/* A whole document: the header row `columns` (NULL-terminated), then one
 * row per object of `items` (borrowed) with those keys' values. */
void ej_csv_table(struct ej_csv *c, const char *const *columns, const json_t *items);

#endif
