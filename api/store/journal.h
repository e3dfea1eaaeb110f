/* Journal entries and absences (SPEC.md "Journal entry", "Absences"; §13–§15):
 * a lesson's entry (topic and attendance), deadline extensions, absence
 * reasons and the parents' absence reports.
 *
 * The store only reads facts and writes; who may record a lesson and when is
 * decided by api/rules/journal.h from the facts that ej_store_entry_begin and
 * ej_store_entry_check gather with the lesson row locked, and the resource
 * (api/resources/journal.c) answers. Every write is
 * audited in its transaction; a lesson's version (its ETag) moves with every
 * change of its entry, attendance reasons or extension. Objects the caller may
 * not see are 404. JSON results are new references. */
#ifndef EJ_STORE_JOURNAL_H
#define EJ_STORE_JOURNAL_H

#include "core/dbctx.h"
#include "core/req.h"
#include "rules/calendar.h"
#include "rules/journal.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A lesson being recorded: its facts, read with the row locked. Storage the
 * caller owns: ej_entry_ctx_cleanup frees `lesson`. */
struct ej_entry_ctx {
    int64_t lesson_id, group_id;
    struct ej_entry_facts f;   /* what rules/journal.h decides on */
    char starts[EJ_UTC_BUFSZ]; /* the lesson's start as an instant */
    char deadline[EJ_UTC_BUFSZ];
    char extension_until[EJ_UTC_BUFSZ]; /* "" when there is no extension */
    json_t *lesson;                     /* its full view before the change (owned) */
};

/* Locks the lesson (FOR NO KEY UPDATE) and gathers the facts above, for
 * `who`; EJ_ERR_NOT_FOUND when there is no such lesson or they may not see
 * it (lesson scopes). */
enum ej_err ej_store_entry_begin(struct ej_db *db, const struct ej_principal *who,
                                 int64_t lesson_id, unsigned lesson_scopes, struct ej_entry_ctx *c);
void ej_entry_ctx_cleanup(struct ej_entry_ctx *c);

/* What a checked entry body {topic, attendance: [{student_id, status,
 * reason?}]} is held against, for the lesson locked by ej_store_entry_begin:
 * new arrays (ej_entry_check_cleanup frees them). The attendance must name
 * exactly the students enrolled on the lesson's date; reasons must be
 * active codes; §14 a teacher may not drop a reason (rules/journal.h). */
struct ej_entry_check {
    json_t *missing;         /* student ids enrolled on the date, not in the body */
    json_t *unexpected;      /* student ids in the body, not enrolled on the date */
    json_t *unknown_reasons; /* reason codes in the body that are not active ones */
    json_t *reasoned;        /* students whose attendance on the lesson has a reason now */
};
enum ej_err ej_store_entry_check(struct ej_db *db, const struct ej_entry_ctx *c, const json_t *body,
                                 struct ej_entry_check *out);
void ej_entry_check_cleanup(struct ej_entry_check *k);

/* Writes the entry of a checked body for the locked lesson: conducted_by is
 * recorded as given; late is recorded only by the first entry. Absences
 * without a reason take the reason of an applied report covering the
 * lesson's date; reasons already set stay unless the body names another
 * (set by db->who). Audited with the lesson before and after. *lesson: the
 * lesson after (new), *version its version; on error *lesson is NULL. */
enum ej_err ej_store_entry_save(struct ej_db *db, const struct ej_entry_ctx *c, const json_t *body,
                                int64_t conducted_by, bool late, json_t **lesson, int64_t *version);

/* The students enrolled in the lesson's group on its date, whom an entry
 * must cover, by name: a new array of {student_id, full_name}. */
enum ej_err ej_store_entry_enrolled(struct ej_db *db, int64_t lesson_id, json_t **enrolled);

/* §13: lets the teacher record the lesson until `until` (UTC
 * "YYYY-MM-DDTHH:MM:SSZ"). 409 lesson_cancelled, school_year_closed; 422 when
 * until is not after both now and the deadline. Replaces an earlier one. */
int ej_store_extension_grant(struct ej_req *r, int64_t lesson_id, const char *until,
                             const char *reason, json_t **lesson);

/* §14: the facts that decide whether a reason may be set on one attendance
 * row (rules/journal.h ej_reason_settable), read with the lesson locked;
 * EJ_ERR_NOT_FOUND when there is no such lesson. code: the code to be set,
 * NULL to clear (then code_ok). */
struct ej_reason_facts {
    int64_t version; /* the lesson's */
    bool year_closed;
    bool has_row;    /* the lesson has an attendance row for the student */
    char status[12]; /* its status */
    bool code_ok;    /* the code is an active one */
};
enum ej_err ej_store_absence_reason_facts(struct ej_db *db, int64_t lesson_id, int64_t student_id,
                                          const char *code, struct ej_reason_facts *f);
/* Sets (code) or clears (code NULL) the reason of the row, by db->who, on
 * the lesson locked by ej_store_absence_reason_facts; the lesson's version
 * moves; audited. *lesson: the lesson after (new), *version its version. */
enum ej_err ej_store_absence_reason_set(struct ej_db *db, int64_t lesson_id, int64_t student_id,
                                        const char *code, const char *note, json_t **lesson,
                                        int64_t *version);

/* Files a report from a checked body {student_id, from_date, to_date,
 * reason_code, comment?, guardian_id?, channel?}. The student must be visible
 * in `scopes` (else 422 naming student_id, the same for a student who does
 * not exist); guardian_id must be a guardian of the student. */
int ej_store_absence_report_create(struct ej_req *r, unsigned scopes, const json_t *body,
                                   int64_t guardian_id, const char *channel, json_t **report);

struct ej_report_filter {
    const char *status; /* pending, applied, rejected; NULL = any */
    int64_t student_id; /* 0 = any */
    int limit;
    int64_t after;
};
/* The reports visible to who in `scopes` (EJ_OBJ_ATTENDANCE), by id: a new array. */
enum ej_err ej_store_absence_report_list(struct ej_db *db, const struct ej_principal *who,
                                         unsigned scopes, const struct ej_report_filter *f,
                                         json_t **items);
/* One report and its version; EJ_ERR_NOT_FOUND when who may not see it. */
enum ej_err ej_store_absence_report_get(struct ej_db *db, const struct ej_principal *who,
                                        unsigned scopes, int64_t id, json_t **report,
                                        int64_t *version);

/* Applies a pending report: its reason goes onto the student's absences and
 * late arrivals in the range that have no reason yet (lessons of open school
 * years). *out = {report, applied: [{lesson_id, date}], kept: [{lesson_id,
 * date, reason}]}. 409 report_not_pending. */
int ej_store_absence_report_apply(struct ej_req *r, int64_t id, json_t **out);
/* Rejects a pending report with a note. 409 report_not_pending. */
int ej_store_absence_report_reject(struct ej_req *r, int64_t id, const char *note, json_t **report);

/* Issue 15: the guardian who filed a pending report (or on whose behalf the
 * superuser filed it) withdraws it. The report must be visible in `scopes`
 * (else 404); 403 forbidden for another guardian; 409 report_not_pending. */
int ej_store_absence_report_withdraw(struct ej_req *r, unsigned scopes, int64_t id,
                                     json_t **report);

/* §14, §20: a student's attendance from..to (either NULL = open) with a
 * summary by reason. Scopes of EJ_OBJ_ATTENDANCE; a caller who sees the
 * student only as their teacher (scope 2 alone) gets the lessons of the
 * groups they teach or substitute in. EJ_ERR_NOT_FOUND when the student is
 * not visible. */
enum ej_err ej_store_student_attendance(struct ej_db *db, const struct ej_principal *who,
                                        int64_t student_id, unsigned scopes, const char *from,
                                        const char *to, json_t **out);

#endif
