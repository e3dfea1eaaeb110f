/* School years as the journal's unit of closing (§18). The rule and its one
 * wording are in rules/years.h; converted store functions report the fact
 * (the year is closed) and resources answer with ej_problem_year_closed
 * (resources/resources.h). */
#ifndef EJ_STORE_YEARS_H
#define EJ_STORE_YEARS_H

#include "core/req.h"
#include "rules/years.h"

/* Transitional (issue 14), for store files not yet converted: sets 409
 * school_year_closed. Always returns -1. */
int ej_year_closed(struct ej_req *r);

#endif
