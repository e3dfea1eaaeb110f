#include "rules/roster.h"

enum ej_enrollment_verdict ej_enrollment_verdict(const struct ej_enrollment_facts *f)
{
    /* In this order: what does not exist, what is closed, then the student's own facts. */
    if (!f->group_found)
        return EJ_ENROLL_NO_GROUP;
    if (f->year_closed)
        return EJ_ENROLL_YEAR_CLOSED;
    if (!f->student_found)
        return EJ_ENROLL_NO_STUDENT;
    if (!f->starts_in_year)
        return EJ_ENROLL_OUTSIDE_YEAR;
    if (f->already_enrolled)
        return EJ_ENROLL_ALREADY;
    return EJ_ENROLL_OK;
}

enum ej_withdrawal_verdict ej_withdrawal_verdict(const struct ej_withdrawal_facts *f)
{
    if (!f->found)
        return EJ_WITHDRAW_NOT_FOUND;
    if (f->withdrawn)
        return EJ_WITHDRAW_ALREADY;
    if (f->year_closed)
        return EJ_WITHDRAW_YEAR_CLOSED;
    if (!f->effective_not_before_start)
        return EJ_WITHDRAW_BEFORE_START;
    return EJ_WITHDRAW_OK;
}

json_t *ej_access_ended(const json_t *before, const json_t *after)
{
    json_t *ended = json_array();
    size_t i, k;
    json_t *v, *w;
    json_array_foreach(before, i, v) {
        bool still = false;
        json_array_foreach(after, k, w)
            still |= json_integer_value(w) == json_integer_value(v);
        if (!still)
            json_array_append(ended, v);
    }
    return ended;
}

bool ej_withdrawal_ends_access(const struct ej_access_candidate *c)
{
    return !c->employee && !c->keeps_as_student && !c->keeps_as_guardian;
}

enum ej_student_user_verdict ej_student_user_verdict(const struct ej_student_user_facts *f)
{
    if (!f->is_student_account)
        return EJ_STUDENT_USER_NOT_STUDENT;
    if (f->linked_elsewhere)
        return EJ_STUDENT_USER_TAKEN;
    return EJ_STUDENT_USER_OK;
}

enum ej_guardian_verdict ej_guardian_verdict(const struct ej_guardian_facts *f)
{
    if (!f->student_found)
        return EJ_GUARDIAN_NO_STUDENT;
    if (!f->is_guardian)
        return EJ_GUARDIAN_NOT_GUARDIAN;
    return EJ_GUARDIAN_OK;
}

static void row_error(json_t *errors, size_t row, const char *field, const char *message)
{
    json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field",
                                            field, "message", message));
}

static bool has(const json_t *obj, const char *key)
{
    return json_object_get(obj, key) != NULL;
}

/* An external id in a row (absent: nothing to check) is valid. */
static void row_external_id(const struct ej_import_checks *chk, json_t *errors, size_t row,
                            const json_t *obj, const char *key, const char *field)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s && !chk->external_id_valid(s))
        row_error(errors, row, field,
                  "must be 1-64 characters, no control characters, no space at either end");
}

void ej_import_row_rules(const json_t *row, size_t i, json_t *errors,
                         const struct ej_import_checks *chk)
{
    int ways = has(row, "student_id") + has(row, "student_external_id") + has(row, "student");
    if (ways != 1) {
        row_error(errors, i, "student", "give one of student_id, student_external_id or student");
    } else if (has(row, "student")) {
        const json_t *s = json_object_get(row, "student");
        if (chk->student_typed(s, (long)i, errors) == 0) {
            row_external_id(chk, errors, i, s, "external_id", "student");
            if (!json_string_value(json_object_get(s, "external_id")) &&
                !json_string_value(json_object_get(s, "birth_date")))
                row_error(errors, i, "student",
                          "birth_date is required for a student without external_id");
        }
    }
    if (has(row, "group_id") == has(row, "group_external_id"))
        row_error(errors, i, "group_id", "give either group_id or group_external_id");
    if (has(row, "guardian_ids") && has(row, "guardian_external_ids"))
        row_error(errors, i, "guardian_ids",
                  "give guardian_ids or guardian_external_ids, not both");
    row_external_id(chk, errors, i, row, "student_external_id", "student_external_id");
    row_external_id(chk, errors, i, row, "group_external_id", "group_external_id");
    size_t k;
    json_t *g;
    json_array_foreach(json_object_get(row, "guardian_external_ids"), k, g) {
        if (!chk->external_id_valid(json_string_value(g)))
            row_error(errors, i, "guardian_external_ids",
                      "every item must be 1-64 characters, no control characters, no space at "
                      "either end");
    }
}
