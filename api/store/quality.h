/* §16: the deputy director's quality reviews of the entries, and the entry
 * statistics a review looks at (GET /reports/entry-quality). JSON results
 * are new references, rendered in C. */
#ifndef EJ_STORE_QUALITY_H
#define EJ_STORE_QUALITY_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* Reviews required per school year when no setting says otherwise (§16: "at
 * least three times"). The number is the setting required_quality_reviews
 * (§22, GET/PATCH /settings) in the settings table when it has one. */
#define EJ_QUALITY_REVIEWS_REQUIRED 3

/* Records a review: body {school_year_id, reviewed_on, summary, findings?}
 * already type-checked by the handler. 422 when the year does not exist,
 * reviewed_on is outside it or in the future, or a finding names a lesson
 * not of that year or a user who is not a teacher. Audited as
 * quality_review.create. */
int ej_store_quality_review_create(struct ej_req *r, const json_t *body, json_t **review);
int ej_store_quality_review_get(struct ej_req *r, int64_t id, json_t **review);
/* school_year_id 0 = every year; by id, after the cursor. */
int ej_store_quality_review_list(struct ej_req *r, int64_t school_year_id, int limit,
                                 int64_t after, json_t **items);

/* The report (SPEC.md "Quality reviews"): {school_year_id, school_year_name,
 * from, to, reviews: {done, required, thirds}, totals, teachers}. from/to
 * (YYYY-MM-DD or NULL) narrow the lessons counted. 404 for no such year. */
int ej_store_entry_quality(struct ej_req *r, int64_t school_year_id, const char *from,
                           const char *to, json_t **report);

#endif
