/* The change feed's cursors (api/rules/changes.h, SPEC "Integration"). */
#include "check.h"
#include "rules/changes.h"

int main(void)
{
    static const struct {
        const char *s;
        bool ok;
        int64_t v;
    } cursors[] = {
        {"0", true, 0},
        {"1", true, 1},
        {"500", true, 500},
        {"999999999999999999", true, 999999999999999999LL}, /* 18 digits */
        {"1000000000000000000", false, 0},                  /* 19 */
        {"", false, 0},
        {NULL, false, 0},
        {"01", false, 0},
        {"00", false, 0},
        {"-1", false, 0},
        {"+1", false, 0},
        {"1a", false, 0},
        {" 1", false, 0},
    };
    for (size_t i = 0; i < sizeof cursors / sizeof cursors[0]; i++) {
        int64_t v = -7;
        CHECK(ej_change_cursor_parse(cursors[i].s, &v) == cursors[i].ok);
        CHECK(cursors[i].ok ? v == cursors[i].v : v == -7);
    }

    /* kept: oldest 100 (everything above it), latest 250 */
    static const struct {
        int64_t after;
        enum ej_change_cursor want;
    } where[] = {
        {99, EJ_CURSOR_EXPIRED}, {0, EJ_CURSOR_EXPIRED}, {100, EJ_CURSOR_OK},
        {101, EJ_CURSOR_OK},     {250, EJ_CURSOR_OK},    {251, EJ_CURSOR_BEYOND},
    };
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
        CHECK(ej_change_cursor_verdict(where[i].after, 100, 250) == where[i].want);
    /* an empty feed: 0..0 */
    CHECK(ej_change_cursor_verdict(0, 0, 0) == EJ_CURSOR_OK);
    CHECK(ej_change_cursor_verdict(1, 0, 0) == EJ_CURSOR_BEYOND);
    return check_summary("test_rules_changes");
}
