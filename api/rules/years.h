/* School years as the journal's unit of closing (§18): once a year is closed
 * its journal is read-only, and every write into it (entries, absence
 * reasons, extensions and requests for them, enrollments, withdrawals, the
 * schedule, lessons, groups) is refused with the same words. The store
 * reports the fact (the year's closed_at is set, read beside the row lock of
 * the write); this decides; the resource answers 409 school_year_closed with
 * EJ_YEAR_CLOSED_DETAIL. Pure C. */
#ifndef EJ_RULES_YEARS_H
#define EJ_RULES_YEARS_H

#include <stdbool.h>

#define EJ_YEAR_CLOSED_DETAIL "The school year is closed; its journal is read-only (§18)."

enum ej_year_verdict {
    EJ_YEAR_WRITABLE = 0,
    EJ_YEAR_READ_ONLY, /* closed: 409 school_year_closed */
};

/* §18: may the journal of a year with this fact be written? */
enum ej_year_verdict ej_year_write_verdict(bool closed);

#endif
