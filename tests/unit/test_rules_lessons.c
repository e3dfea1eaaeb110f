/* The verdicts on lessons and calendar changes (api/rules/lessons.c; §13,
 * §15, §17, §18), as tables: every combination of facts a verdict reads. */
#include "check.h"
#include "rules/lessons.h"

#define N(a) (sizeof(a) / sizeof *(a))

static void lesson_writable(void)
{
    static const struct {
        bool closed;
        const char *state;
        enum ej_lesson_verdict want;
    } t[] = {
        {false, "planned", EJ_LESSON_WRITABLE},
        {false, "due", EJ_LESSON_WRITABLE},
        {false, "overdue", EJ_LESSON_WRITABLE},
        {false, "cancelled", EJ_LESSON_CANCELLED},
        {false, "recorded", EJ_LESSON_RECORDED},
        /* §18: a closed year is read-only, whatever the lesson's state */
        {true, "planned", EJ_LESSON_YEAR_CLOSED},
        {true, "cancelled", EJ_LESSON_YEAR_CLOSED},
        {true, "recorded", EJ_LESSON_YEAR_CLOSED},
    };
    for (size_t i = 0; i < N(t); i++)
        CHECK(ej_lesson_writable(t[i].closed, t[i].state) == t[i].want);
}

static void substitute(void)
{
    /* §15: an active teacher who does not teach the group */
    CHECK(ej_substitute_allowed(true, false) == EJ_SUBSTITUTE_OK);
    CHECK(ej_substitute_allowed(true, true) == EJ_SUBSTITUTE_TEACHES_GROUP);
    CHECK(ej_substitute_allowed(false, false) == EJ_SUBSTITUTE_NOT_A_TEACHER);
    CHECK(ej_substitute_allowed(false, true) == EJ_SUBSTITUTE_NOT_A_TEACHER);
}

static void year_dates(void)
{
    static const struct {
        bool closed;
        const char *from, *to;
        enum ej_year_dates_verdict want;
    } t[] = {
        {false, "2026-09-01", "2027-05-31", EJ_YEAR_DATES_OK},
        {false, "2026-09-01", "2026-09-01", EJ_YEAR_DATES_OK},
        {false, "2027-05-31", "2027-05-31", EJ_YEAR_DATES_OK},
        {false, "2026-08-31", "2026-10-01", EJ_YEAR_DATES_FROM_OUTSIDE},
        {false, "2027-06-01", "2027-06-01",
         EJ_YEAR_DATES_FROM_OUTSIDE}, /* one lesson after the year */
        {false, "2026-09-01", "2027-06-01", EJ_YEAR_DATES_TO_OUTSIDE},
        {true, "2026-09-01", "2027-05-31", EJ_YEAR_DATES_CLOSED},
        {true, "2020-01-01", "2030-01-01", EJ_YEAR_DATES_CLOSED},
    };
    for (size_t i = 0; i < N(t); i++)
        CHECK(ej_year_dates(t[i].closed, t[i].from, t[i].to, "2026-09-01", "2027-05-31") ==
              t[i].want);
}

static void calendar_add(void)
{
    static const struct {
        bool entry, holiday, day_off, working;
        enum ej_calendar_add_verdict want;
    } t[] = {
        {false, false, false, true, EJ_CALENDAR_ADD_OK},
        {false, false, false, false, EJ_CALENDAR_ADD_OK}, /* a holiday on a Saturday */
        {false, false, true, true, EJ_CALENDAR_ADD_OK},
        {false, false, true, false, EJ_CALENDAR_ADD_NOT_WORKING_DAY},
        {false, true, false, false, EJ_CALENDAR_ADD_ALREADY_HOLIDAY},
        {false, true, true, false, EJ_CALENDAR_ADD_ALREADY_HOLIDAY},
        {true, false, false, true, EJ_CALENDAR_ADD_ENTRY_EXISTS},
        {true, true, true, false, EJ_CALENDAR_ADD_ENTRY_EXISTS},
    };
    for (size_t i = 0; i < N(t); i++)
        CHECK(ej_holiday_add_allowed(t[i].entry, t[i].holiday, t[i].day_off, t[i].working) ==
              t[i].want);
    CHECK(ej_working_day_add_allowed(false, false, false) == EJ_CALENDAR_ADD_OK);
    CHECK(ej_working_day_add_allowed(false, false, true) == EJ_CALENDAR_ADD_ALREADY_WORKING_DAY);
    CHECK(ej_working_day_add_allowed(false, true, false) == EJ_CALENDAR_ADD_ALREADY_HOLIDAY);
    CHECK(ej_working_day_add_allowed(true, true, false) == EJ_CALENDAR_ADD_ENTRY_EXISTS);
}

static void holiday_lessons(void)
{
    static const struct {
        size_t n;
        bool recorded, closed, cancel;
        enum ej_holiday_lessons_verdict want;
    } t[] = {
        {0, false, false, false, EJ_HOLIDAY_LESSONS_NONE},
        {0, false, false, true, EJ_HOLIDAY_LESSONS_NONE},
        {2, false, false, false, EJ_HOLIDAY_LESSONS_BLOCK},
        {2, false, false, true, EJ_HOLIDAY_LESSONS_CANCEL},
        /* a recorded lesson always blocks, also when asked to cancel */
        {1, true, false, false, EJ_HOLIDAY_LESSONS_RECORDED},
        {1, true, false, true, EJ_HOLIDAY_LESSONS_RECORDED},
        {1, true, true, true, EJ_HOLIDAY_LESSONS_RECORDED},
        /* without cancel_lessons the caller first learns that lessons are there */
        {1, false, true, false, EJ_HOLIDAY_LESSONS_BLOCK},
        {1, false, true, true, EJ_HOLIDAY_LESSONS_YEAR_CLOSED},
    };
    for (size_t i = 0; i < N(t); i++)
        CHECK(ej_holiday_lessons(t[i].n, t[i].recorded, t[i].closed, t[i].cancel) == t[i].want);
}

static void extension_request(void)
{
    static const struct {
        bool sub, me_sub, teaches, closed, cancelled, extended;
        enum ej_extension_request_verdict want;
    } t[] = {
        {false, false, true, false, false, false, EJ_EXTENSION_REQUEST_OK},
        {true, true, false, false, false, false, EJ_EXTENSION_REQUEST_OK},
        /* §15: with a substitute, the group's teacher no longer asks */
        {true, false, true, false, false, false, EJ_EXTENSION_REQUEST_NOT_SUBSTITUTE},
        {false, false, false, false, false, false, EJ_EXTENSION_REQUEST_NOT_CONDUCTING},
        /* who asks is looked at before anything about the lesson */
        {false, false, false, true, true, true, EJ_EXTENSION_REQUEST_NOT_CONDUCTING},
        {false, false, true, true, true, true, EJ_EXTENSION_REQUEST_YEAR_CLOSED},
        {false, false, true, false, true, true, EJ_EXTENSION_REQUEST_CANCELLED},
        {true, true, false, false, false, true, EJ_EXTENSION_REQUEST_EXTENDED},
    };
    for (size_t i = 0; i < N(t); i++)
        CHECK(ej_extension_request_allowed(t[i].sub, t[i].me_sub, t[i].teaches, t[i].closed,
                                           t[i].cancelled, t[i].extended) == t[i].want);
    CHECK(ej_extension_decision_allowed(false, "pending") == EJ_EXTENSION_DECISION_OK);
    CHECK(ej_extension_decision_allowed(false, "granted") == EJ_EXTENSION_DECISION_NOT_PENDING);
    CHECK(ej_extension_decision_allowed(false, "declined") == EJ_EXTENSION_DECISION_NOT_PENDING);
    CHECK(ej_extension_decision_allowed(true, "pending") == EJ_EXTENSION_DECISION_YEAR_CLOSED);
    CHECK(ej_extension_decision_allowed(true, "granted") == EJ_EXTENSION_DECISION_YEAR_CLOSED);
}

int main(void)
{
    lesson_writable();
    substitute();
    year_dates();
    calendar_add();
    holiday_lessons();
    extension_request();
    return check_summary("rules_lessons");
}
