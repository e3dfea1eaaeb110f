/* The personal file (§18) as a printable page for the archive: plain HTML
 * that escapes every text it prints, with no script and no external resource
 * (its one style sheet is inline, allowed by its hash in the page's
 * Content-Security-Policy), laid out for A4. Every browser prints it to PDF. */
#ifndef EJ_VIEWS_PERSONAL_FILE_H
#define EJ_VIEWS_PERSONAL_FILE_H

#include <jansson.h>
#include <stddef.h>

/* The page of a file as ej_store_personal_file builds it (borrowed). Returns
 * a new NUL-terminated string (free it), its length in *len. */
char *ej_personal_file_html(const json_t *file, size_t *len);

/* The page's Content-Security-Policy (static; nothing but its style sheet). */
const char *ej_personal_file_csp(void);

#endif
