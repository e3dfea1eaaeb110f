/* The authorization policy (§8, §20): which scopes each role reads objects in. */
#include "check.h"
#include "core/req.h"
#include "rules/access.h"

int main(void)
{
    /* §8 staff: schedule and rosters, no contacts, no absences. */
    CHECK(ej_read_scopes(EJ_ROLE_STAFF, EJ_OBJ_ROSTER) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF, EJ_OBJ_LESSON) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF, EJ_OBJ_GUARDIANS) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF, EJ_OBJ_ATTENDANCE) == 0);
    /* §20 a teacher their groups, a guardian their children, a student themself. */
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER, EJ_OBJ_ATTENDANCE) == EJ_SCOPE_TAUGHT);
    /* §20: the access log is the family's; a teacher who is also a guardian sees only their children's. */
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER, EJ_OBJ_ACCESS_LOG) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER | EJ_ROLE_GUARDIAN, EJ_OBJ_ACCESS_LOG) ==
          EJ_SCOPE_CHILDREN);
    CHECK(ej_read_scopes(EJ_ROLE_DIRECTOR, EJ_OBJ_ACCESS_LOG) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_GUARDIAN, EJ_OBJ_ATTENDANCE) == EJ_SCOPE_CHILDREN);
    CHECK(ej_read_scopes(EJ_ROLE_STUDENT, EJ_OBJ_ATTENDANCE) == EJ_SCOPE_SELF);
    CHECK(ej_read_scopes(EJ_ROLE_GUARDIAN, EJ_OBJ_ROSTER) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_STUDENT, EJ_OBJ_ROSTER) == 0);
    /* §6 a teacher who is also a guardian gets both. */
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER | EJ_ROLE_GUARDIAN, EJ_OBJ_STUDENT) ==
          (EJ_SCOPE_TAUGHT | EJ_SCOPE_CHILDREN));
    /* Whoever sees everything needs no narrower test. */
    CHECK(ej_read_scopes(EJ_ROLE_SUPERUSER | EJ_ROLE_GUARDIAN, EJ_OBJ_ATTENDANCE) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_DIRECTOR, EJ_OBJ_GUARDIANS) == EJ_SCOPE_ALL);
    /* Least privilege: the sync account reads reference data only. */
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_ATTENDANCE) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_STUDENT) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_SCHOOL_YEAR) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(0, EJ_OBJ_LESSON) == 0);

    /* issue 11: the integration role reads the exports and nothing behind people's own views. */
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_HOURS) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_JOURNAL_EXPORT) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_EXPORT_ATTENDANCE) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_GUARDIANS) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_LESSON) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_ROSTER) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_INTEGRATION, EJ_OBJ_GROUP) == 0);
    /* issue 11 hours: a teacher their own, the superuser and director everyone's, others none. */
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER, EJ_OBJ_HOURS) == EJ_SCOPE_SELF);
    CHECK(ej_read_scopes(EJ_ROLE_SUPERUSER, EJ_OBJ_HOURS) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_DIRECTOR, EJ_OBJ_HOURS) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF | EJ_ROLE_GUARDIAN | EJ_ROLE_STUDENT, EJ_OBJ_HOURS) == 0);
    /* issue 11 journal document: a teacher their groups; staff without absences (§8); no family. */
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER, EJ_OBJ_JOURNAL_EXPORT) == EJ_SCOPE_TAUGHT);
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER, EJ_OBJ_EXPORT_ATTENDANCE) == EJ_SCOPE_TAUGHT);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF, EJ_OBJ_JOURNAL_EXPORT) == EJ_SCOPE_ALL);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF, EJ_OBJ_EXPORT_ATTENDANCE) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_GUARDIAN | EJ_ROLE_STUDENT, EJ_OBJ_JOURNAL_EXPORT) == 0);
    /* §18 a personal file is the family's: a teacher reads none (also one who is a
     * guardian reads only their own children's), staff and the sync account none. */
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER, EJ_OBJ_PERSONAL_FILE) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_TEACHER | EJ_ROLE_GUARDIAN, EJ_OBJ_PERSONAL_FILE) ==
          EJ_SCOPE_CHILDREN);
    CHECK(ej_read_scopes(EJ_ROLE_STAFF | EJ_ROLE_INTEGRATION, EJ_OBJ_PERSONAL_FILE) == 0);
    CHECK(ej_read_scopes(EJ_ROLE_STUDENT, EJ_OBJ_PERSONAL_FILE) == EJ_SCOPE_SELF);
    CHECK(ej_read_scopes(EJ_ROLE_DIRECTOR, EJ_OBJ_PERSONAL_FILE) == EJ_SCOPE_ALL);
    return check_summary("access");
}
