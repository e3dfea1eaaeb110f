/* Schedule and lessons (SPEC.md "Schedule and lessons", §12, §13, §15, §17).
 * Lessons carry their entry deadline, computed in C from the calendar when
 * they are created and recomputed (ej_store_lessons_refresh_*) when the
 * calendar or the deadline setting changes; their state is computed in SQL
 * (lesson_state). Every change is audited in its transaction. Objects the
 * caller may not see are EJ_ERR_NOT_FOUND. The store reads facts and writes;
 * what may happen is decided by rules/lessons.h in the resources. JSON
 * results are new references; on error the caller owns nothing. */
#ifndef EJ_STORE_LESSONS_H
#define EJ_STORE_LESSONS_H

#include "core/dbctx.h"
#include "rules/calendar.h"
#include "store/calendar.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ej_principal;

/* GET /lessons filters; 0 / NULL = not filtered. */
struct ej_lesson_filter {
    int64_t group_id;
    int64_t teacher_id; /* who conducts it: the substitute, else the group's teachers */
    const char *from;   /* YYYY-MM-DD, inclusive */
    const char *to;     /* YYYY-MM-DD, inclusive */
    const char *state;  /* planned, due, recorded, overdue, cancelled */
    int limit;
    int64_t after; /* cursor: id of the last lesson of the previous page */
};

/* A group's school year, read with the group row locked (FOR NO KEY UPDATE:
 * lesson writers of one group take turns, so overlap checks hold until the
 * transaction ends). */
struct ej_group_year {
    char starts_on[EJ_DATE_BUFSZ];
    char ends_on[EJ_DATE_BUFSZ];
    bool closed;
};
/* EJ_ERR_NOT_FOUND when there is no such group. */
enum ej_err ej_store_group_year_lock(struct ej_db *db, int64_t gid, struct ej_group_year *g);

/* A weekly slot of a group (checked input). */
struct ej_slot_in {
    int weekday; /* 1 Monday .. 7 Sunday */
    const char *starts_at, *ends_at, *room, *valid_from, *valid_to;
};
struct ej_schedule_out {
    json_t *out;      /* {slot, lessons_created, skipped: [{date, reason, name?}]} */
    bool created;     /* false: the same slot was posted before */
    json_t *conflict; /* EJ_ERR_CONFLICT: the slot with the same weekday, start and dates
                         but a different end or room */
};
/* Creates the slot of group gid (locked, ej_store_group_year_lock) and its
 * lessons on every matching date, skipping public holidays of c and dates
 * the group already has a lesson at that time. The same slot posted again is
 * found, not created, and creates no lesson twice. */
enum ej_err ej_store_schedule_create(struct ej_db *db, int64_t gid, const struct ej_slot_in *in,
                                     const struct ej_cal *c, struct ej_schedule_out *o);
/* The slots of a group `who` may see (scopes of EJ_OBJ_LESSON). */
enum ej_err ej_store_schedule_list(struct ej_db *db, const struct ej_principal *who, int64_t gid,
                                   unsigned scopes, int limit, int64_t after, json_t **items);

/* A single lesson (checked input). */
struct ej_lesson_in {
    int64_t group_id;
    const char *date, *starts_at, *ends_at, *room;
};
/* The group's lesson at that time, if any: the same start (cancelled or not)
 * or an overlapping one that is not cancelled. *clash_id 0 when free. */
enum ej_err ej_store_lesson_clash(struct ej_db *db, const struct ej_lesson_in *in,
                                  int64_t *clash_id, bool *same_start);
/* Inserts the lesson with its deadline from c; *lesson: its full view. */
enum ej_err ej_store_lesson_create(struct ej_db *db, const struct ej_lesson_in *in,
                                   const struct ej_cal *c, json_t **lesson);

/* Lessons visible to `who` in `scopes` (EJ_OBJ_LESSON); each shows the
 * attendance rows visible in `attendance_scopes` (EJ_OBJ_ATTENDANCE, §20: a
 * guardian sees their own children's rows only, staff none). */
enum ej_err ej_store_lesson_list(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                 unsigned attendance_scopes, const struct ej_lesson_filter *f,
                                 json_t **items);
enum ej_err ej_store_lesson_get(struct ej_db *db, const struct ej_principal *who, int64_t id,
                                unsigned scopes, unsigned attendance_scopes, json_t **lesson);

/* Locks a lesson's row, then loads its full view (in a new statement, so it
 * includes whatever a writer we waited for committed), and whether its
 * school year is closed: the facts ej_lesson_writable judges. */
enum ej_err ej_store_lesson_lock(struct ej_db *db, int64_t id, json_t **lesson, bool *year_closed);
/* Cancels a lesson (locked; `before` its view) with a reason. */
enum ej_err ej_store_lesson_cancel(struct ej_db *db, int64_t id, const json_t *before,
                                   const char *reason, json_t **lesson);
/* Whether teacher_id is a teacher with active access, and whether they
 * teach group gid (§15: the facts of ej_substitute_allowed). */
enum ej_err ej_store_substitute_facts(struct ej_db *db, int64_t teacher_id, int64_t gid,
                                      bool *active_teacher, bool *teaches_group);
/* Assigns (teacher_id > 0) or removes (0) the substitute of a locked lesson. */
enum ej_err ej_store_lesson_set_substitute(struct ej_db *db, int64_t id, const json_t *before,
                                           int64_t teacher_id, json_t **lesson);

/* The lessons that are not cancelled on any of these dates (JSON array of
 * "YYYY-MM-DD"), as [{id, group_id, date, starts_at, state,
 * school_year_closed}]. */
enum ej_err ej_store_lessons_on_dates(struct ej_db *db, const json_t *dates, json_t **lessons);
/* Cancels those of these lessons (array of the objects above) that are
 * still neither recorded nor cancelled, with reason, each audited;
 * *cancelled: how many (fewer than listed: one changed meanwhile). */
enum ej_err ej_store_lessons_cancel_listed(struct ej_db *db, const json_t *lessons,
                                           const char *reason, size_t *cancelled);

/* The lessons whose deadline follows a change (§13, §22): those of an open
 * school year that are neither recorded nor cancelled. A recorded lesson
 * keeps the deadline it was judged by (its `late`, the quality report's
 * on-time count and the correction window stay what they were when it was
 * recorded); a cancelled one has no entry due; extensions keep their
 * `until`. Each lesson whose deadline moves is audited (`lesson.deadline`,
 * before and after {deadline, version}) and gets an upsert in the change
 * feed. *changed: how many moved. */

/* After a calendar change on days from..to: those held up to `to` whose
 * deadline is not before the start of `from`. */
enum ej_err ej_store_lessons_refresh_deadlines(struct ej_db *db, const struct ej_cal *c,
                                               ej_day from, ej_day to, long *changed);
/* After the number of working days for entries changed: all of them. */
enum ej_err ej_store_lessons_refresh_unrecorded(struct ej_db *db, const struct ej_cal *c,
                                                long *changed);

/* The full view of lesson id (every attendance row and the extension: what
 * writes answer and the audit trail records); EJ_ERR_NOT_FOUND when there is
 * none. Lesson views are rendered in C from plain columns (lessons.c), in
 * one field order on every route. */
enum ej_err ej_store_lesson_full(struct ej_db *db, int64_t id, json_t **lesson);

/* Runs an UPDATE of lesson id ... RETURNING l.id (sql, params; no row:
 * EJ_ERR_NOT_FOUND), loads the lesson's full view, audits it as `action`
 * against `before` (borrowed). *lesson: the lesson after. */
enum ej_err ej_store_lesson_change(struct ej_db *db, int64_t id, const char *action,
                                   const json_t *before, const char *sql, int n,
                                   const char *const *params, json_t **lesson);

#endif
