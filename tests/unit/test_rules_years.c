/* §18 (rules/years.h): a closed school year's journal is read-only. */
#include "check.h"
#include "rules/years.h"

int main(void)
{
    static const struct {
        bool closed;
        enum ej_year_verdict want;
    } cases[] = {
        {false, EJ_YEAR_WRITABLE},
        {true, EJ_YEAR_READ_ONLY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(ej_year_write_verdict(cases[i].closed) == cases[i].want);
    /* One wording for every route that refuses (§18). */
    CHECK(strstr(EJ_YEAR_CLOSED_DETAIL, "§18") != NULL);
    return check_summary("test_rules_years");
}
