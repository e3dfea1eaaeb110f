/* The change feed's cursors (SPEC "Integration"): what a cursor is and where
 * it may stand (pure C, table-tested in tests/unit/test_rules_changes.c). */
#ifndef EJ_RULES_CHANGES_H
#define EJ_RULES_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

/* A cursor is a position: 1 to 18 decimal digits without a leading zero
 * (0 itself = before the first change). */
bool ej_change_cursor_parse(const char *s, int64_t *out);

/* Where the cursor `after` stands against what is kept: positions
 * oldest..latest (oldest: everything above it is still kept). */
enum ej_change_cursor {
    EJ_CURSOR_OK,
    EJ_CURSOR_EXPIRED, /* below the oldest kept: 410, resynchronise from an export */
    EJ_CURSOR_BEYOND,  /* above the latest change: no cursor the feed gave out */
};
enum ej_change_cursor ej_change_cursor_verdict(int64_t after, int64_t oldest, int64_t latest);

#endif
