/* §16 quality reviews: the verdicts over facts the store read (pure C,
 * table-tested in tests/unit/test_rules_quality.c). */
#ifndef EJ_RULES_QUALITY_H
#define EJ_RULES_QUALITY_H

#include "rules/calendar.h"

#include <stdbool.h>

/* Reviews required per school year when no setting says otherwise (§16: "at
 * least three times"). The number is the setting required_quality_reviews
 * (§22, GET/PATCH /settings) when there is one. */
#define EJ_QUALITY_REVIEWS_REQUIRED 3

/* Whether a review may be dated reviewed_on: within its school year
 * [starts_on, ends_on] and not after today (a review reports what was done). */
enum ej_review_date {
    EJ_REVIEW_DATE_OK,
    EJ_REVIEW_DATE_OUTSIDE_YEAR,
    EJ_REVIEW_DATE_FUTURE,
};
enum ej_review_date ej_review_date_verdict(ej_day starts_on, ej_day ends_on, ej_day reviewed_on,
                                           ej_day today);

/* §16's "at least three times a year" read as once a third: the school
 * year's days split in three, as equal as whole days allow (the first third
 * the shortest), so a screen can say which third still lacks a review. */
struct ej_year_third {
    ej_day starts_on, ends_on; /* inclusive */
};
void ej_year_thirds(ej_day starts_on, ej_day ends_on, struct ej_year_third out[3]);

/* The third (1-3) of out that day d falls in, 0 if none. */
int ej_year_third_of(const struct ej_year_third thirds[3], ej_day d);

#endif
