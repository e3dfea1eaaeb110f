/* Journal entries and absences (SPEC.md "Journal entry", "Absences"; §13–§15):
 * a lesson's entry (topic and attendance), deadline extensions, absence
 * reasons and the parents' absence reports.
 *
 * The store only reads facts and writes: every decision (who may record a
 * lesson and when, whether an extension may be granted, a reason set, a
 * report filed, decided or withdrawn) is api/rules/journal.h's, over the
 * facts that the functions here gather with the rows locked, and the
 * resources (api/resources/journal.c, extensions.c) answer. Every write is
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

/* §13: the facts that decide whether the superuser may let the teacher
 * record the lesson until `until` (UTC "YYYY-MM-DDTHH:MM:SSZ";
 * rules/journal.h ej_extension_grantable), read with the lesson locked;
 * EJ_ERR_NOT_FOUND when there is no such lesson. */
struct ej_extension_facts {
    bool cancelled, year_closed;
    bool until_future;           /* until is after now */
    bool until_after_deadline;   /* until is after the lesson's deadline */
    char deadline[EJ_UTC_BUFSZ]; /* the lesson's deadline as an instant */
};
enum ej_err ej_store_extension_facts(struct ej_db *db, int64_t lesson_id, const char *until,
                                     struct ej_extension_facts *f);
/* Lets the teacher record the lesson locked by ej_store_extension_facts until
 * `until`, granted by db->who with `reason`; replaces an earlier extension;
 * audited. *lesson: the lesson after (new), *version its version. */
enum ej_err ej_store_extension_grant(struct ej_db *db, int64_t lesson_id, const char *until,
                                     const char *reason, json_t **lesson, int64_t *version);

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

/* The facts that decide whether a report may be filed (rules/journal.h
 * ej_report_fileable): is the student visible to who in `scopes` (false,
 * too, for a student who does not exist), is guardian_id (0: none) a
 * guardian of the student, is reason_code an active code. */
struct ej_report_filing {
    bool student_visible, guardian_linked, code_ok;
};
enum ej_err ej_store_absence_report_filing(struct ej_db *db, const struct ej_principal *who,
                                           unsigned scopes, int64_t student_id, int64_t guardian_id,
                                           const char *reason_code, struct ej_report_filing *f);
/* Files a report, by db->who, from a checked body {student_id, from_date,
 * to_date, reason_code, comment?} judged fileable; audited. *report: the
 * new report, *version its version; NULL on error. */
enum ej_err ej_store_absence_report_create(struct ej_db *db, const json_t *body,
                                           int64_t guardian_id, const char *channel,
                                           json_t **report, int64_t *version);

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

/* A report's status (pending, applied, rejected, withdrawn) and its view,
 * read FOR UPDATE when lock; EJ_ERR_NOT_FOUND when there is none. Whether it
 * may still be decided is rules/journal.h's (ej_report_decidable,
 * ej_report_withdrawable). ej_report_state_cleanup frees `report`. */
struct ej_report_state {
    char status[16];
    json_t *report; /* owned */
};
enum ej_err ej_store_absence_report_state(struct ej_db *db, int64_t id, bool lock,
                                          struct ej_report_state *s);
void ej_report_state_cleanup(struct ej_report_state *s);

/* Applying a report writes into lessons: they are locked first, before the
 * report (lesson, then report, as entry writers do): those where the
 * student has an attendance row in the report's range. */
enum ej_err ej_store_absence_report_lock_lessons(struct ej_db *db, int64_t id);
/* Applies a pending report (locked, `before` its view): its reason goes
 * onto the student's absences and late arrivals in the range that have no
 * reason yet (lessons of open school years). *out = {applied: [{lesson_id,
 * date, status}], kept: [{lesson_id, date, status, reason}], report};
 * *version: the report's. Audited. */
enum ej_err ej_store_absence_report_apply(struct ej_db *db, int64_t id, const json_t *before,
                                          json_t **out, int64_t *version);
/* Rejects a pending report (locked, `before` its view) with a note. */
enum ej_err ej_store_absence_report_reject(struct ej_db *db, int64_t id, const json_t *before,
                                           const char *note, json_t **report, int64_t *version);

/* Issue 15: whether who filed report id (or it was filed on their behalf);
 * EJ_ERR_NOT_FOUND when it is not visible to who in `scopes`. */
enum ej_err ej_store_absence_report_filer(struct ej_db *db, const struct ej_principal *who,
                                          unsigned scopes, int64_t id, bool *own);
/* Withdraws a pending report (locked, `before` its view), by db->who. */
enum ej_err ej_store_absence_report_withdraw(struct ej_db *db, int64_t id, const json_t *before,
                                             json_t **report, int64_t *version);

/* §14, §20: a student's attendance from..to (either NULL = open) with a
 * summary by reason. Scopes of EJ_OBJ_ATTENDANCE; a caller who sees the
 * student only as their teacher (scope 2 alone) gets the lessons of the
 * groups they teach or substitute in. EJ_ERR_NOT_FOUND when the student is
 * not visible. */
enum ej_err ej_store_student_attendance(struct ej_db *db, const struct ej_principal *who,
                                        int64_t student_id, unsigned scopes, const char *from,
                                        const char *to, json_t **out);

#endif
