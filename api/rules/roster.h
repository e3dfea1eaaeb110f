/* Roster rules (§4, §11, §18, §20): what makes an enrollment, a withdrawal,
 * a student's account or a guardian link acceptable, whose access a
 * withdrawal ends, and the shape of a bulk registration's rows. Pure: the
 * facts are read by store/roster.h (which returns these structs), the
 * resource answers each verdict with its problem. */
#ifndef EJ_RULES_ROSTER_H
#define EJ_RULES_ROSTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a new enrollment (§4) ---- */
struct ej_enrollment_facts {
    bool group_found, year_closed, student_found, starts_in_year, already_enrolled;
};
enum ej_enrollment_verdict {
    EJ_ENROLL_OK = 0,
    EJ_ENROLL_NO_GROUP,     /* 404 */
    EJ_ENROLL_YEAR_CLOSED,  /* 409 school_year_closed (§18) */
    EJ_ENROLL_NO_STUDENT,   /* 422 student_id */
    EJ_ENROLL_OUTSIDE_YEAR, /* 422 starts_on */
    EJ_ENROLL_ALREADY,      /* 409 already_enrolled */
};
enum ej_enrollment_verdict ej_enrollment_verdict(const struct ej_enrollment_facts *f);

/* ---- a withdrawal (§11) ---- */
struct ej_withdrawal_facts {
    bool found, withdrawn, year_closed, effective_not_before_start;
};
enum ej_withdrawal_verdict {
    EJ_WITHDRAW_OK = 0,
    EJ_WITHDRAW_NOT_FOUND,    /* 404 */
    EJ_WITHDRAW_ALREADY,      /* 409 already_withdrawn */
    EJ_WITHDRAW_YEAR_CLOSED,  /* 409 school_year_closed (§18) */
    EJ_WITHDRAW_BEFORE_START, /* 422 effective_on */
};
enum ej_withdrawal_verdict ej_withdrawal_verdict(const struct ej_withdrawal_facts *f);

/* §11: who lost access with a withdrawal: the ids in `before` (accounts
 * with access before it) that are not in `after`, in before's order.
 * Returns a new array; both arguments are arrays of integers (borrowed). */
json_t *ej_access_ended(const json_t *before, const json_t *after);

/* §11, before a withdrawal: an account of the student or a guardian that is
 * active now loses its access unless it holds an employee role, or still
 * has an active enrollment as a student, or through another child as a
 * guardian (as user_access() counts it). */
struct ej_access_candidate {
    bool employee;          /* superuser, director, teacher, staff or integration */
    bool keeps_as_student;  /* role student, another active enrollment of theirs */
    bool keeps_as_guardian; /* role guardian, a child with another active enrollment */
};
bool ej_withdrawal_ends_access(const struct ej_access_candidate *c);

/* ---- a student's account (§6) ---- */
struct ej_student_user_facts {
    bool is_student_account; /* a user with the role student */
    bool linked_elsewhere;   /* already the account of another student */
};
enum ej_student_user_verdict {
    EJ_STUDENT_USER_OK = 0,
    EJ_STUDENT_USER_NOT_STUDENT, /* 422 user_id */
    EJ_STUDENT_USER_TAKEN,       /* 409 user_already_linked */
};
enum ej_student_user_verdict ej_student_user_verdict(const struct ej_student_user_facts *f);

/* ---- a guardian link (§20) ---- */
struct ej_guardian_facts {
    bool student_found, is_guardian;
};
enum ej_guardian_verdict {
    EJ_GUARDIAN_OK = 0,
    EJ_GUARDIAN_NO_STUDENT,   /* 404 */
    EJ_GUARDIAN_NOT_GUARDIAN, /* 422 not_a_guardian */
};
enum ej_guardian_verdict ej_guardian_verdict(const struct ej_guardian_facts *f);

/* ---- bulk registration (SPEC.md "Enrollments", issue 11) ---- */
/* The rules between a row's fields, once each field has its type: one way to
 * name the student (student_id, student_external_id or student), a student
 * given by name has well-typed fields and a birth date unless it has an
 * external id, one way to
 * name the group, one way to name the guardians, external ids well formed.
 * Appends {row, field, message} to errors for each one broken, in this
 * order. The two checks of single values are the resource's (core/json's
 * field table and external-id shape, which rules/ does not depend on):
 * student_typed appends the complaints about a student object's own fields
 * and returns how many; external_id_valid says whether a string is one. */
struct ej_import_checks {
    size_t (*student_typed)(const json_t *student, long row, json_t *errors);
    bool (*external_id_valid)(const char *s);
};
void ej_import_row_rules(const json_t *row, size_t i, json_t *errors,
                         const struct ej_import_checks *chk);

#endif
