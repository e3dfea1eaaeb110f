/* §6 §11 (rules/users.h): a superuser keeps their own access. */
#include "check.h"
#include "rules/users.h"

int main(void)
{
    static const char *const su[] = {"teacher", "superuser"};
    static const char *const teacher[] = {"teacher"};
    static const struct {
        const char *name;
        struct ej_own_change c;
        enum ej_own_access want;
    } cases[] = {
        {"another user may be demoted",
         {false, NULL, NULL, "2026-12-01", teacher, 1, true},
         EJ_OWN_ACCESS_KEPT},
        {"another user's dates may end",
         {false, "2027-01-01", "2026-01-01", "2026-12-01", NULL, 0, false},
         EJ_OWN_ACCESS_KEPT},
        {"own change of name only",
         {true, NULL, NULL, "2026-12-01", NULL, 0, false},
         EJ_OWN_ACCESS_KEPT},
        {"own start today",
         {true, "2026-12-01", NULL, "2026-12-01", NULL, 0, false},
         EJ_OWN_ACCESS_KEPT},
        {"own start tomorrow",
         {true, "2026-12-02", NULL, "2026-12-01", NULL, 0, false},
         EJ_OWN_ACCESS_ENDS},
        {"own end today",
         {true, NULL, "2026-12-01", "2026-12-01", NULL, 0, false},
         EJ_OWN_ACCESS_KEPT},
        {"own end yesterday",
         {true, NULL, "2026-11-30", "2026-12-01", NULL, 0, false},
         EJ_OWN_ACCESS_ENDS},
        {"dates first: ending dates and a demotion",
         {true, NULL, "2026-11-30", "2026-12-01", teacher, 1, true},
         EJ_OWN_ACCESS_ENDS},
        {"own roles keep superuser",
         {true, NULL, NULL, "2026-12-01", su, 2, true},
         EJ_OWN_ACCESS_KEPT},
        {"own roles without superuser",
         {true, NULL, NULL, "2026-12-01", teacher, 1, true},
         EJ_OWN_ACCESS_DEMOTED},
        {"own roles empty", {true, NULL, NULL, "2026-12-01", NULL, 0, true}, EJ_OWN_ACCESS_DEMOTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum ej_own_access got = ej_own_access_verdict(&cases[i].c);
        CHECK(got == cases[i].want);
        if (got != cases[i].want)
            fprintf(stderr, "  case: %s\n", cases[i].name);
    }
    CHECK(ej_may_revoke(false));
    CHECK(!ej_may_revoke(true));
    return check_summary("test_rules_users");
}
