/* §16: the deputy director's quality reviews of the entries, and the entry
 * statistics a review looks at (GET /reports/entry-quality). Reviews are new
 * JSON rendered here in C; the report is facts (struct ej_entry_quality) the
 * resource renders with the thirds of rules/quality.h. */
#ifndef EJ_STORE_QUALITY_H
#define EJ_STORE_QUALITY_H

#include "core/dbctx.h"
#include "rules/calendar.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A school year's span, the facts a review's date is judged by
 * (rules/quality.h). EJ_ERR_NOT_FOUND when there is no such year. */
struct ej_quality_year_span {
    ej_day starts_on, ends_on;
};
enum ej_err ej_store_quality_year_span(struct ej_db *db, int64_t school_year_id,
                                       struct ej_quality_year_span *out);

/* The first of findings (a checked JSON array of {lesson_id?, teacher_id?,
 * note}) that names a lesson not of the school year or a user who is not a
 * teacher: *bad its index (-1 if none), *bad_lesson whether it is the
 * lesson (else the teacher). */
enum ej_err ej_store_quality_findings_check(struct ej_db *db, int64_t school_year_id,
                                            const json_t *findings, long *bad, bool *bad_lesson);

/* Records a review by db->who (checked facts: the year exists, the date and
 * the findings were judged), audited as quality_review.create. *review: the
 * review as GET answers it. */
enum ej_err ej_store_quality_review_create(struct ej_db *db, int64_t school_year_id,
                                           const char *reviewed_on, const char *summary,
                                           const json_t *findings, json_t **review);
/* EJ_ERR_NOT_FOUND when there is none. */
enum ej_err ej_store_quality_review_get(struct ej_db *db, int64_t id, json_t **review);
/* school_year_id 0 = every year; by id, after the cursor. */
enum ej_err ej_store_quality_review_list(struct ej_db *db, int64_t school_year_id, int limit,
                                         int64_t after, json_t **items);

/* ---- the report (SPEC.md "Quality reviews") ---- */

/* The counts a review looks at, of lessons that are not cancelled, each
 * counted against the teacher who conducts it (§15). */
struct ej_entry_counts {
    long long due, on_time, late, missing, extensions, substitutions;
};
struct ej_entry_quality_teacher {
    int64_t teacher_id; /* 0: a lesson nobody conducts (a group without teachers) */
    char *full_name;    /* NULL with teacher_id 0 */
    struct ej_entry_counts counts;
};
struct ej_entry_quality {
    char *school_year_name;
    ej_day starts_on, ends_on;
    int required;         /* the setting required_quality_reviews; -1 when it is not set */
    size_t nreviews;      /* the year's reviews */
    ej_day *review_dates; /* their dates, nreviews of them */
    size_t nteachers;     /* every teacher of the year's groups, by name then id */
    struct ej_entry_quality_teacher *teachers;
};

/* One statement: the year, its reviews' dates, the setting and the counts
 * per teacher of the lessons dated from..to (YYYY-MM-DD or NULL: open).
 * EJ_ERR_NOT_FOUND for no such year. On error *out is empty. Free with
 * ej_entry_quality_cleanup either way. */
enum ej_err ej_store_entry_quality(struct ej_db *db, int64_t school_year_id, const char *from,
                                   const char *to, struct ej_entry_quality *out);
void ej_entry_quality_cleanup(struct ej_entry_quality *q);

#endif
