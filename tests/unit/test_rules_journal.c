/* The journal's verdicts (§13–§15, api/rules/journal.h), table by table. */
#include "check.h"
#include "rules/journal.h"

#define TEACHER 7
#define OTHER 8
#define SUBSTITUTE 9
#define SUPERUSER 1

/* A lesson of TEACHER's group that has started, before its deadline, not recorded. */
static struct ej_entry_facts due(void)
{
    struct ej_entry_facts f = {.version = 3, .default_conductor = TEACHER, .started = true};
    return f;
}

static void test_records_lesson(void)
{
    static const struct {
        bool su, teacher;
        int64_t caller, substitute;
        bool teaches, want;
    } rows[] = {
        {true, false, SUPERUSER, 0, false, true}, /* the superuser records any lesson */
        {true, false, SUPERUSER, SUBSTITUTE, false, true},
        {false, true, TEACHER, 0, true, true},           /* §15 a teacher of the group */
        {false, true, OTHER, 0, false, false},           /* a teacher of another group */
        {false, true, TEACHER, SUBSTITUTE, true, false}, /* a substitute is assigned: only they */
        {false, true, SUBSTITUTE, SUBSTITUTE, false, true},
        {false, false, TEACHER, 0, true, false}, /* not a teacher (any more) */
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        CHECK(ej_records_lesson(rows[i].su, rows[i].teacher, rows[i].caller, rows[i].substitute,
                                rows[i].teaches) == rows[i].want);
}

static void test_may_record(void)
{
    struct ej_entry_facts f;
    bool late = true;
    f = due();
    f.caller_teaches = true;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_OK && !late);
    CHECK(ej_may_record(&f, TEACHER, false, 3, &late) == EJ_RECORD_OK);
    /* §15 not the conducting teacher (caller_teaches is about the caller); a substitute
     * takes the lesson over */
    f.caller_teaches = false;
    CHECK(ej_may_record(&f, OTHER, false, -1, &late) == EJ_RECORD_NOT_CONDUCTING);
    f.caller_teaches = true;
    f.substitute_id = SUBSTITUTE;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_NOT_CONDUCTING);
    CHECK(ej_may_record(&f, SUBSTITUTE, false, -1, &late) == EJ_RECORD_OK);
    CHECK(ej_may_record(&f, SUPERUSER, true, -1, &late) == EJ_RECORD_OK);
    /* who comes before the version: a stranger learns nothing of the lesson's state */
    CHECK(ej_may_record(&f, TEACHER, false, 2, &late) == EJ_RECORD_NOT_CONDUCTING);
    f = due();
    f.caller_teaches = true;
    CHECK(ej_may_record(&f, TEACHER, false, 2, &late) == EJ_RECORD_STALE);
    /* a closed year before a cancelled lesson, both before the time checks */
    f.year_closed = f.cancelled = true;
    f.started = false;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_YEAR_CLOSED);
    CHECK(ej_may_record(&f, SUPERUSER, true, -1, &late) == EJ_RECORD_YEAR_CLOSED);
    f.year_closed = false;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_CANCELLED);
    f.cancelled = false;
    /* §13 nobody records a lesson that has not started, the superuser neither */
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_NOT_STARTED);
    CHECK(ej_may_record(&f, SUPERUSER, true, -1, &late) == EJ_RECORD_NOT_STARTED);
    f.started = true;
    /* §13 after the deadline: the teacher only with an extension in force; the superuser
     * always, and a first entry then is late */
    f.past_deadline = true;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_DEADLINE_PASSED);
    CHECK(ej_may_record(&f, SUPERUSER, true, -1, &late) == EJ_RECORD_OK && late);
    f.extended = true;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_OK && late);
    /* a correction of a recorded entry is never late again */
    f.recorded = true;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_OK && !late);
    f.extended = false;
    CHECK(ej_may_record(&f, TEACHER, false, -1, &late) == EJ_RECORD_DEADLINE_PASSED);
    CHECK(ej_may_record(&f, SUPERUSER, true, -1, &late) == EJ_RECORD_OK && !late);
}

static void test_conductor(void)
{
    struct ej_entry_facts f = due();
    int64_t by = -1;
    /* a teacher records as themselves, whatever else is known */
    f.conducted_by = OTHER;
    CHECK(ej_entry_conductor(&f, TEACHER, false, false, 0, false, &by) == EJ_CONDUCTOR_OK &&
          by == TEACHER);
    /* the superuser: already recorded conductor, else the default, else themselves */
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, false, 0, false, &by) == EJ_CONDUCTOR_OK &&
          by == OTHER);
    f.conducted_by = 0;
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, false, 0, false, &by) == EJ_CONDUCTOR_OK &&
          by == TEACHER);
    f.default_conductor = 0;
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, false, 0, false, &by) == EJ_CONDUCTOR_OK &&
          by == SUPERUSER);
    /* §15 the one named must teach the group, or be the substitute when one is assigned */
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, true, TEACHER, true, &by) == EJ_CONDUCTOR_OK &&
          by == TEACHER);
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, true, OTHER, false, &by) ==
          EJ_CONDUCTOR_NOT_TEACHER);
    f.substitute_id = SUBSTITUTE;
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, true, TEACHER, true, &by) ==
          EJ_CONDUCTOR_NOT_SUBSTITUTE);
    CHECK(ej_entry_conductor(&f, SUPERUSER, true, true, SUBSTITUTE, false, &by) ==
              EJ_CONDUCTOR_OK &&
          by == SUBSTITUTE);
}

static void test_reasons_dropped(void)
{
    const struct ej_mark marks[] = {{30, true}, {10, true}, {20, false}, {40, true}};
    const int64_t reasoned[] = {40, 20, 10};
    int64_t out[4] = {0};
    /* §14: a teacher marking present students 10 and 40, whose absences have reasons */
    CHECK(ej_reasons_dropped(false, marks, 4, reasoned, 3, out) == 2);
    CHECK(out[0] == 10 && out[1] == 40);
    /* 20 stays absent: its reason is kept, nothing dropped */
    CHECK(ej_reasons_dropped(false, marks + 2, 1, reasoned, 3, out) == 0);
    /* the superuser may */
    CHECK(ej_reasons_dropped(true, marks, 4, reasoned, 3, out) == 0);
    /* no reasons on the lesson */
    CHECK(ej_reasons_dropped(false, marks, 4, reasoned, 0, out) == 0);
}

static void test_extension(void)
{
    CHECK(ej_extension_grantable(false, false, true, true) == EJ_EXTENSION_OK);
    CHECK(ej_extension_grantable(true, true, false, false) == EJ_EXTENSION_YEAR_CLOSED);
    CHECK(ej_extension_grantable(false, true, false, false) == EJ_EXTENSION_CANCELLED);
    CHECK(ej_extension_grantable(false, false, false, true) == EJ_EXTENSION_NOT_FUTURE);
    CHECK(ej_extension_grantable(false, false, true, false) == EJ_EXTENSION_NOT_AFTER_DEADLINE);
}

static void test_reason(void)
{
    CHECK(ej_reason_settable("absent", 4, -1, false, true) == EJ_REASON_OK);
    CHECK(ej_reason_settable("late", 4, 4, false, true) == EJ_REASON_OK);
    CHECK(ej_reason_settable(NULL, 4, 3, true, false) == EJ_REASON_NO_ROW);
    CHECK(ej_reason_settable("absent", 4, 3, true, false) == EJ_REASON_STALE);
    CHECK(ej_reason_settable("absent", 4, -1, true, false) == EJ_REASON_YEAR_CLOSED);
    /* §14 only an absence or a late arrival has a reason */
    CHECK(ej_reason_settable("present", 4, -1, false, false) == EJ_REASON_PRESENT);
    CHECK(ej_reason_settable("absent", 4, -1, false, false) == EJ_REASON_UNKNOWN_CODE);
}

/* §14 filing a report: the first failing check is the answer */
static void test_report_filing(void)
{
    CHECK(ej_report_fileable(true, true, true) == EJ_REPORT_FILE_OK);
    /* §20 not the caller's child answers as no student at all */
    CHECK(ej_report_fileable(false, false, false) == EJ_REPORT_FILE_NO_STUDENT);
    CHECK(ej_report_fileable(false, true, true) == EJ_REPORT_FILE_NO_STUDENT);
    CHECK(ej_report_fileable(true, false, false) == EJ_REPORT_FILE_NOT_GUARDIAN);
    CHECK(ej_report_fileable(true, false, true) == EJ_REPORT_FILE_NOT_GUARDIAN);
    CHECK(ej_report_fileable(true, true, false) == EJ_REPORT_FILE_UNKNOWN_CODE);
}

/* §14 a report is decided once; issue 15 only its own guardian withdraws it */
static void test_report_decision(void)
{
    static const struct {
        const char *status;
        enum ej_report_verdict decide, own, other;
    } t[] = {
        {"pending", EJ_REPORT_OK, EJ_REPORT_OK, EJ_REPORT_NOT_OWN},
        {"applied", EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_OWN},
        {"rejected", EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_OWN},
        {"withdrawn", EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_OWN},
        {NULL, EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_PENDING, EJ_REPORT_NOT_OWN},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        CHECK(ej_report_decidable(t[i].status) == t[i].decide);
        CHECK(ej_report_withdrawable(true, t[i].status) == t[i].own);
        CHECK(ej_report_withdrawable(false, t[i].status) == t[i].other);
    }
}

int main(void)
{
    test_records_lesson();
    test_may_record();
    test_conductor();
    test_reasons_dropped();
    test_extension();
    test_reason();
    test_report_filing();
    test_report_decision();
    return check_summary("rules_journal");
}
