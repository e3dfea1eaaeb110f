/* Schedule and lessons (SPEC.md "Schedule and lessons", §12, §13, §15, §17).
 * Lessons carry their entry deadline, computed in C from the calendar when
 * they are created and recomputed (ej_store_lessons_refresh_deadlines) when
 * the calendar changes; their state is computed in SQL (lesson_state).
 * Every change is audited in its transaction. Objects the caller may not see
 * are 404. JSON results are new references. */
#ifndef EJ_STORE_LESSONS_H
#define EJ_STORE_LESSONS_H

#include "core/req.h"
#include "rules/calendar.h"
#include "store/calendar.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* GET /lessons filters; 0 / NULL = not filtered. */
struct ej_lesson_filter {
    int64_t group_id;
    int64_t teacher_id; /* who conducts it: the substitute, else the group's teachers */
    const char *from;   /* YYYY-MM-DD, inclusive */
    const char *to;     /* YYYY-MM-DD, inclusive */
    const char *state;  /* planned, due, recorded, overdue, cancelled */
    int limit;
    int64_t after;      /* cursor: id of the last lesson of the previous page */
};

/* Creates a weekly slot of group gid from a checked body {weekday,
 * starts_at, ends_at, room?, valid_from, valid_to} and its lessons on every
 * matching date, skipping public holidays and dates the group already has a
 * lesson at that time. The same slot posted again is found, not created
 * (*created false), and creates no lesson twice. 404 no such group, 409
 * school_year_closed, 422 outside the school year, 409 slot_exists (same
 * weekday, start and dates but a different end or room).
 * *out: {slot, lessons_created, skipped: [{date, reason, name?}]}. */
int ej_store_schedule_create(struct ej_req *r, int64_t gid, const json_t *body, json_t **out,
                             bool *created);
/* The slots of a group the caller may see (scopes of EJ_OBJ_LESSON). */
int ej_store_schedule_list(struct ej_req *r, int64_t gid, unsigned scopes, int limit,
                           int64_t after, json_t **items);

/* Creates one lesson from a checked body {group_id, date, starts_at,
 * ends_at, room?}: 422 public_holiday, 409 lesson_exists / lesson_overlaps /
 * school_year_closed, 422 for an unknown group or a date outside its year. */
int ej_store_lesson_create(struct ej_req *r, const json_t *body, json_t **lesson);
/* Lessons visible in `scopes` (EJ_OBJ_LESSON); each shows the attendance rows
 * visible in `attendance_scopes` (EJ_OBJ_ATTENDANCE, §20: a guardian sees
 * their own children's rows only, staff none). */
int ej_store_lesson_list(struct ej_req *r, unsigned scopes, unsigned attendance_scopes,
                         const struct ej_lesson_filter *f, json_t **items);
int ej_store_lesson_get(struct ej_req *r, int64_t id, unsigned scopes,
                        unsigned attendance_scopes, json_t **lesson);
/* Cancels a lesson with a reason: 409 lesson_cancelled, lesson_recorded,
 * school_year_closed. */
int ej_store_lesson_cancel(struct ej_req *r, int64_t id, const char *reason, json_t **lesson);
/* Assigns (teacher_id > 0) or removes (teacher_id 0) the substitute (§15).
 * expected_version -1 = no If-Match. 422 not_a_teacher,
 * substitute_is_group_teacher; 409 lesson_cancelled, lesson_recorded,
 * school_year_closed; 412. */
int ej_store_lesson_set_substitute(struct ej_req *r, int64_t id, int64_t expected_version,
                                   int64_t teacher_id, json_t **lesson);

/* The lessons that are not cancelled on any of these dates (JSON array of
 * "YYYY-MM-DD"), as [{id, group_id, date, starts_at, state,
 * school_year_closed}]. */
int ej_store_lessons_on_dates(struct ej_req *r, const json_t *dates, json_t **lessons);
/* Cancels these lessons (array of the objects above) with reason, each
 * audited; 409 if one was recorded or cancelled meanwhile. */
int ej_store_lessons_cancel_listed(struct ej_req *r, const json_t *lessons, const char *reason);
/* Recomputes the deadline of every lesson of an open school year that a
 * change of the calendar on days from..to can move: those held up to `to`
 * whose deadline is not before the start of `from`. *changed: how many moved. */
int ej_store_lessons_refresh_deadlines(struct ej_req *r, const struct ej_cal *c, ej_day from,
                                       ej_day to, long *changed);

/* §22: after the number of working days for entries changed, recomputes the
 * deadline of every lesson of an open school year that is neither recorded
 * nor cancelled (recorded lessons keep the deadline they were judged by;
 * extensions keep their `until`). *changed: how many moved. */
int ej_store_lessons_refresh_unrecorded(struct ej_req *r, const struct ej_cal *c, long *changed);

/* The full view of lesson id (every attendance row and the extension: what
 * writes answer and the audit trail records); 404 when there is none. Lesson
 * views are rendered in C from plain columns (lessons.c), in one field order
 * on every route. */
int ej_store_lesson_full(struct ej_req *r, int64_t id, json_t **lesson);
/* The same over the store context (issue 14): EJ_ERR_NOT_FOUND when there is
 * none; on error *lesson is NULL. */
enum ej_err ej_store_lesson_full_db(struct ej_db *db, int64_t id, json_t **lesson);

/* Runs an UPDATE of lesson id ... RETURNING l.id (sql, params; no row: 404),
 * loads the lesson's full view, audits it as `action` against `before`
 * (borrowed), sets the ETag. *lesson: the lesson after, or NULL on failure.
 * Returns 0 or -1. */
int ej_store_lesson_change(struct ej_req *r, int64_t id, const char *action, const json_t *before,
                           const char *sql, int n, const char *const *params, json_t **lesson);

#endif
