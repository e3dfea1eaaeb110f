/* School years as the journal's unit of closing (§18): the one refusal that
 * every write into a closed year's journal answers, so that each route says
 * the same thing (entries, absence reasons, extensions and requests for
 * them, enrollments, withdrawals, the schedule, lessons, groups). The checks
 * themselves sit beside the row locks of each write (the store reads
 * `closed_at` with the row it changes); this is their common answer. */
#ifndef EJ_STORE_YEARS_H
#define EJ_STORE_YEARS_H

#include "core/req.h"

#define EJ_YEAR_CLOSED_DETAIL "The school year is closed; its journal is read-only (§18)."

/* Sets 409 school_year_closed. Always returns -1. */
int ej_year_closed(struct ej_req *r);

#endif
