/* Verdicts on lessons and on the calendar changes that reach them (§13, §15,
 * §17, §18): pure functions over facts the store read (a lesson's state,
 * whether its school year is closed, what a calendar change would do), so
 * that each rule is said once and table-tested (tests/unit/test_rules_lessons.c).
 * The resources map each verdict onto its problem; nothing here knows HTTP. */
#ifndef EJ_RULES_LESSONS_H
#define EJ_RULES_LESSONS_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a lesson may still change (be cancelled, get or lose a
 * substitute): only while its school year is open (§18) and it is neither
 * cancelled nor recorded. The year is looked at first: a closed year's
 * journal is read-only whatever state its lessons are in. */
enum ej_lesson_verdict {
    EJ_LESSON_WRITABLE = 0,
    EJ_LESSON_YEAR_CLOSED,
    EJ_LESSON_CANCELLED,
    EJ_LESSON_RECORDED,
};
enum ej_lesson_verdict ej_lesson_writable(bool year_closed, const char *state);

/* §15: a substitute is an active teacher who does not teach the group. */
enum ej_substitute_verdict {
    EJ_SUBSTITUTE_OK = 0,
    EJ_SUBSTITUTE_NOT_A_TEACHER,
    EJ_SUBSTITUTE_TEACHES_GROUP,
};
enum ej_substitute_verdict ej_substitute_allowed(bool active_teacher, bool teaches_group);

/* Lessons (or a weekly slot) from `from` to `to` (YYYY-MM-DD, compared as
 * text) in a group whose school year runs starts_on..ends_on: the year must
 * be open (§18), `from` within the year and `to` not after its end. */
enum ej_year_dates_verdict {
    EJ_YEAR_DATES_OK = 0,
    EJ_YEAR_DATES_CLOSED,
    EJ_YEAR_DATES_FROM_OUTSIDE,
    EJ_YEAR_DATES_TO_OUTSIDE,
};
enum ej_year_dates_verdict ej_year_dates(bool year_closed, const char *from, const char *to,
                                         const char *starts_on, const char *ends_on);

/* §17, adding a holiday or day off on a date: one calendar entry per date,
 * not over a public holiday, and a day off only on a working day. */
enum ej_calendar_add_verdict {
    EJ_CALENDAR_ADD_OK = 0,
    EJ_CALENDAR_ADD_ENTRY_EXISTS,
    EJ_CALENDAR_ADD_ALREADY_HOLIDAY,
    EJ_CALENDAR_ADD_NOT_WORKING_DAY,     /* a day off on a day that is off anyway */
    EJ_CALENDAR_ADD_ALREADY_WORKING_DAY, /* a transferred working day on a working day */
};
/* A holiday (day_off false) or day off (true). */
enum ej_calendar_add_verdict ej_holiday_add_allowed(bool has_entry, bool public_holiday,
                                                    bool day_off, bool working_day);
/* A transferred working day. */
enum ej_calendar_add_verdict ej_working_day_add_allowed(bool has_entry, bool public_holiday,
                                                        bool working_day);

/* §17, lessons on the dates a new holiday makes public holidays: none may
 * stay. A recorded one always blocks the holiday; the others block it unless
 * the caller asked to cancel them, which a closed school year refuses (§18). */
enum ej_holiday_lessons_verdict {
    EJ_HOLIDAY_LESSONS_NONE = 0, /* nothing to do */
    EJ_HOLIDAY_LESSONS_CANCEL,   /* cancel them with the holiday */
    EJ_HOLIDAY_LESSONS_RECORDED, /* lessons_recorded_on_date */
    EJ_HOLIDAY_LESSONS_BLOCK,    /* lessons_on_date: ask with cancel_lessons */
    EJ_HOLIDAY_LESSONS_YEAR_CLOSED,
};
enum ej_holiday_lessons_verdict ej_holiday_lessons(size_t lessons, bool any_recorded,
                                                   bool any_year_closed, bool cancel_lessons);

/* §13, §15: a teacher's request for an extension of a lesson's deadline. Only
 * the teacher who conducts the lesson asks (the substitute where one is
 * assigned, else the group's teachers), only while the year is open, the
 * lesson not cancelled and no extension in force. */
enum ej_extension_request_verdict {
    EJ_EXTENSION_REQUEST_OK = 0,
    EJ_EXTENSION_REQUEST_NOT_SUBSTITUTE, /* a substitute is assigned, and it is not the caller */
    EJ_EXTENSION_REQUEST_NOT_CONDUCTING, /* no substitute, and the caller does not teach the group */
    EJ_EXTENSION_REQUEST_YEAR_CLOSED,
    EJ_EXTENSION_REQUEST_CANCELLED,
    EJ_EXTENSION_REQUEST_EXTENDED, /* an extension is in force: record now */
};
enum ej_extension_request_verdict
ej_extension_request_allowed(bool substitute_assigned, bool caller_is_substitute,
                             bool caller_teaches, bool year_closed, bool cancelled, bool extended);

/* Deciding a request (grant or decline) writes into the lesson's journal:
 * only while its year is open, and only once (it must be pending). */
enum ej_extension_decision_verdict {
    EJ_EXTENSION_DECISION_OK = 0,
    EJ_EXTENSION_DECISION_YEAR_CLOSED,
    EJ_EXTENSION_DECISION_NOT_PENDING,
};
enum ej_extension_decision_verdict ej_extension_decision_allowed(bool year_closed,
                                                                 const char *status);

#endif
