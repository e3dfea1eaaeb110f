#include "rules/lessons.h"

#include <string.h>

enum ej_lesson_verdict ej_lesson_writable(bool year_closed, const char *state)
{
    if (year_closed)
        return EJ_LESSON_YEAR_CLOSED;
    if (state && strcmp(state, "cancelled") == 0)
        return EJ_LESSON_CANCELLED;
    if (state && strcmp(state, "recorded") == 0)
        return EJ_LESSON_RECORDED;
    return EJ_LESSON_WRITABLE;
}

enum ej_substitute_verdict ej_substitute_allowed(bool active_teacher, bool teaches_group)
{
    if (!active_teacher)
        return EJ_SUBSTITUTE_NOT_A_TEACHER;
    if (teaches_group)
        return EJ_SUBSTITUTE_TEACHES_GROUP;
    return EJ_SUBSTITUTE_OK;
}

enum ej_year_dates_verdict ej_year_dates(bool year_closed, const char *from, const char *to,
                                         const char *starts_on, const char *ends_on)
{
    if (year_closed)
        return EJ_YEAR_DATES_CLOSED;
    /* ISO dates compare as text. */
    if (strcmp(from, starts_on) < 0 || strcmp(from, ends_on) > 0)
        return EJ_YEAR_DATES_FROM_OUTSIDE;
    if (strcmp(to, ends_on) > 0)
        return EJ_YEAR_DATES_TO_OUTSIDE;
    return EJ_YEAR_DATES_OK;
}

enum ej_calendar_add_verdict ej_holiday_add_allowed(bool has_entry, bool public_holiday,
                                                    bool day_off, bool working_day)
{
    if (has_entry)
        return EJ_CALENDAR_ADD_ENTRY_EXISTS;
    if (public_holiday)
        return EJ_CALENDAR_ADD_ALREADY_HOLIDAY;
    if (day_off && !working_day)
        return EJ_CALENDAR_ADD_NOT_WORKING_DAY;
    return EJ_CALENDAR_ADD_OK;
}

enum ej_calendar_add_verdict ej_working_day_add_allowed(bool has_entry, bool public_holiday,
                                                        bool working_day)
{
    if (has_entry)
        return EJ_CALENDAR_ADD_ENTRY_EXISTS;
    if (public_holiday)
        return EJ_CALENDAR_ADD_ALREADY_HOLIDAY;
    if (working_day)
        return EJ_CALENDAR_ADD_ALREADY_WORKING_DAY;
    return EJ_CALENDAR_ADD_OK;
}

enum ej_holiday_lessons_verdict ej_holiday_lessons(size_t lessons, bool any_recorded,
                                                   bool any_year_closed, bool cancel_lessons)
{
    if (lessons == 0)
        return EJ_HOLIDAY_LESSONS_NONE;
    if (any_recorded)
        return EJ_HOLIDAY_LESSONS_RECORDED;
    if (!cancel_lessons)
        return EJ_HOLIDAY_LESSONS_BLOCK;
    if (any_year_closed)
        return EJ_HOLIDAY_LESSONS_YEAR_CLOSED;
    return EJ_HOLIDAY_LESSONS_CANCEL;
}

enum ej_extension_request_verdict
ej_extension_request_allowed(bool substitute_assigned, bool caller_is_substitute,
                             bool caller_teaches, bool year_closed, bool cancelled, bool extended)
{
    if (substitute_assigned && !caller_is_substitute)
        return EJ_EXTENSION_REQUEST_NOT_SUBSTITUTE;
    if (!substitute_assigned && !caller_teaches)
        return EJ_EXTENSION_REQUEST_NOT_CONDUCTING;
    if (year_closed)
        return EJ_EXTENSION_REQUEST_YEAR_CLOSED;
    if (cancelled)
        return EJ_EXTENSION_REQUEST_CANCELLED;
    if (extended)
        return EJ_EXTENSION_REQUEST_EXTENDED;
    return EJ_EXTENSION_REQUEST_OK;
}

enum ej_extension_decision_verdict ej_extension_decision_allowed(bool year_closed,
                                                                 const char *status)
{
    if (year_closed)
        return EJ_EXTENSION_DECISION_YEAR_CLOSED;
    if (!status || strcmp(status, "pending") != 0)
        return EJ_EXTENSION_DECISION_NOT_PENDING;
    return EJ_EXTENSION_DECISION_OK;
}
