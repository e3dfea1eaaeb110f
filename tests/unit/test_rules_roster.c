/* Roster rules (rules/roster.h): §4 enrollments, §11 withdrawals and whose
 * access they end, §6 a student's account, §20 guardian links, and the
 * rules between the fields of a bulk registration's rows. */
#include "check.h"
#include "rules/roster.h"

/* Stand-ins for the resource's single-value checks (core/json): a student
 * object's full_name must be a string; an external id is non-empty and does
 * not start or end with a space. */
static size_t typed(const json_t *student, long row, json_t *errors)
{
    if (json_is_string(json_object_get(student, "full_name")))
        return 0;
    json_array_append_new(errors, json_pack("{s:i, s:s, s:s}", "row", (int)row, "field",
                                            "student.full_name", "message", "is required"));
    return 1;
}

static bool ext_valid(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[0] != ' ' && s[n - 1] != ' ';
}

static const struct ej_import_checks checks = {typed, ext_valid};

static json_t *ids(const char *text)
{
    json_error_t e;
    return json_loads(text, 0, &e);
}

/* The import rules' complaints for one row, as "field: message; ...". */
static void row_rules(const char *row_text, char *out, size_t len)
{
    json_t *row = ids(row_text), *errors = json_array(), *e;
    size_t i, n = 0;
    out[0] = '\0';
    ej_import_row_rules(row, 3, errors, &checks);
    json_array_foreach(errors, i, e) {
        CHECK(json_integer_value(json_object_get(e, "row")) == 3);
        n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s: %s", i ? "; " : "",
                              json_string_value(json_object_get(e, "field")),
                              json_string_value(json_object_get(e, "message")));
    }
    json_decref(row);
    json_decref(errors);
}

int main(void)
{
    /* §4 §18: the first fact that fails decides, in this order. */
    static const struct {
        struct ej_enrollment_facts f;
        enum ej_enrollment_verdict want;
    } enroll[] = {
        {{true, false, true, true, false}, EJ_ENROLL_OK},
        {{false, true, false, false, true}, EJ_ENROLL_NO_GROUP},
        {{true, true, false, false, true}, EJ_ENROLL_YEAR_CLOSED},
        {{true, false, false, false, true}, EJ_ENROLL_NO_STUDENT},
        {{true, false, true, false, true}, EJ_ENROLL_OUTSIDE_YEAR},
        {{true, false, true, true, true}, EJ_ENROLL_ALREADY},
    };
    for (size_t i = 0; i < sizeof enroll / sizeof enroll[0]; i++)
        CHECK(ej_enrollment_verdict(&enroll[i].f) == enroll[i].want);

    /* §11 §18 withdrawals: found, withdrawn, year closed, effective_on not before starts_on. */
    static const struct {
        struct ej_withdrawal_facts f;
        enum ej_withdrawal_verdict want;
    } withdraw[] = {
        {{true, false, false, true}, EJ_WITHDRAW_OK},
        {{false, false, false, false}, EJ_WITHDRAW_NOT_FOUND},
        {{true, true, true, false}, EJ_WITHDRAW_ALREADY},
        {{true, false, true, false}, EJ_WITHDRAW_YEAR_CLOSED},
        {{true, false, false, false}, EJ_WITHDRAW_BEFORE_START},
    };
    for (size_t i = 0; i < sizeof withdraw / sizeof withdraw[0]; i++)
        CHECK(ej_withdrawal_verdict(&withdraw[i].f) == withdraw[i].want);

    /* §11: who lost access is who had it before and not after, in before's order. */
    static const struct {
        const char *before, *after, *want;
    } diff[] = {
        {"[]", "[]", "[]"},
        {"[3, 5, 9]", "[]", "[3, 5, 9]"},
        {"[3, 5, 9]", "[5]", "[3, 9]"},
        {"[3, 5]", "[3, 5]", "[]"},
        {"[3]", "[3, 7]", "[]"}, /* someone gaining access loses nothing */
    };
    for (size_t i = 0; i < sizeof diff / sizeof diff[0]; i++) {
        json_t *b = ids(diff[i].before), *a = ids(diff[i].after), *w = ids(diff[i].want);
        json_t *got = ej_access_ended(b, a);
        CHECK(json_equal(got, w));
        json_decref(b);
        json_decref(a);
        json_decref(w);
        json_decref(got);
    }

    /* §11 preview: an employee role or another active enrollment keeps access. */
    static const struct {
        struct ej_access_candidate c;
        bool ends;
    } ends[] = {
        {{false, false, false}, true},
        {{true, false, false}, false},
        {{false, true, false}, false},
        {{false, false, true}, false},
    };
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
        CHECK(ej_withdrawal_ends_access(&ends[i].c) == ends[i].ends);

    /* §6: a student's account is a student account no other student has. */
    CHECK(ej_student_user_verdict(&(struct ej_student_user_facts){true, false}) ==
          EJ_STUDENT_USER_OK);
    CHECK(ej_student_user_verdict(&(struct ej_student_user_facts){false, true}) ==
          EJ_STUDENT_USER_NOT_STUDENT);
    CHECK(ej_student_user_verdict(&(struct ej_student_user_facts){true, true}) ==
          EJ_STUDENT_USER_TAKEN);

    /* §20: a link needs the student and a user with the role guardian. */
    CHECK(ej_guardian_verdict(&(struct ej_guardian_facts){true, true}) == EJ_GUARDIAN_OK);
    CHECK(ej_guardian_verdict(&(struct ej_guardian_facts){false, false}) == EJ_GUARDIAN_NO_STUDENT);
    CHECK(ej_guardian_verdict(&(struct ej_guardian_facts){true, false}) ==
          EJ_GUARDIAN_NOT_GUARDIAN);

    /* The import's rows: one way to name each thing. */
    static const struct {
        const char *row, *want;
    } rows[] = {
        {"{\"student_id\": 1, \"group_id\": 2, \"starts_on\": \"2026-09-01\"}", ""},
        {"{\"student_external_id\": \"S-1\", \"group_external_id\": \"G-1\"}", ""},
        {"{\"student\": {\"full_name\": \"Anna\", \"birth_date\": \"2015-01-02\"}, \"group_id\": "
         "2}",
         ""},
        {"{\"student\": {\"full_name\": \"Anna\", \"external_id\": \"S-9\"}, \"group_id\": 2}", ""},
        {"{\"group_id\": 2}", "student: give one of student_id, student_external_id or student"},
        {"{\"student_id\": 1, \"student_external_id\": \"S-1\", \"group_id\": 2}",
         "student: give one of student_id, student_external_id or student"},
        {"{\"student\": {\"full_name\": \"Anna\"}, \"group_id\": 2}",
         "student: birth_date is required for a student without external_id"},
        /* a student object whose own fields fail gets only those complaints */
        {"{\"student\": {\"birth_date\": \"2015-01-02\"}, \"group_id\": 2}",
         "student.full_name: is required"},
        {"{\"student\": {\"full_name\": \"Anna\", \"external_id\": \"S \"}, \"group_id\": 2}",
         "student: must be 1-64 characters, no control characters, no space at either end"},
        {"{\"student_id\": 1}", "group_id: give either group_id or group_external_id"},
        {"{\"student_id\": 1, \"group_id\": 2, \"group_external_id\": \"G\"}",
         "group_id: give either group_id or group_external_id"},
        {"{\"student_id\": 1, \"group_id\": 2, \"guardian_ids\": [4], \"guardian_external_ids\": "
         "[\"P\"]}",
         "guardian_ids: give guardian_ids or guardian_external_ids, not both"},
        {"{\"student_external_id\": \" S\", \"group_id\": 2}",
         "student_external_id: must be 1-64 characters, no control characters, no space at either "
         "end"},
        {"{\"student_id\": 1, \"group_id\": 2, \"guardian_external_ids\": [\"ok\", \"\"]}",
         "guardian_external_ids: every item must be 1-64 characters, no control characters, no "
         "space at either end"},
        /* several at once, in the order the rules are listed */
        {"{\"guardian_ids\": [4], \"guardian_external_ids\": [\"P\"]}",
         "student: give one of student_id, student_external_id or student; "
         "group_id: give either group_id or group_external_id; "
         "guardian_ids: give guardian_ids or guardian_external_ids, not both"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char got[1024];
        row_rules(rows[i].row, got, sizeof got);
        CHECK_STR(got, rows[i].want);
    }
    return check_summary("test_rules_roster");
}
