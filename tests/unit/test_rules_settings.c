/* §22 settings, §14 absence reason codes (api/rules/settings.h). */
#include "check.h"
#include "rules/settings.h"

int main(void)
{
    /* §22 §13 deadline days 1-10, §16 required reviews 0-12; other fields have no range. */
    static const struct {
        const char *field;
        long value;
        bool ok;
    } values[] = {
        {"entry_deadline_working_days", 0, false},  {"entry_deadline_working_days", 1, true},
        {"entry_deadline_working_days", 3, true},   {"entry_deadline_working_days", 10, true},
        {"entry_deadline_working_days", 11, false}, {"entry_deadline_working_days", -1, false},
        {"required_quality_reviews", -1, false},    {"required_quality_reviews", 0, true},
        {"required_quality_reviews", 12, true},     {"required_quality_reviews", 13, false},
        {"institution_name", 99999, true},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        CHECK(ej_setting_in_range(values[i].field, values[i].value) == values[i].ok);
    long lo = 0, hi = 0;
    CHECK(ej_setting_range("entry_deadline_working_days", &lo, &hi) && lo == 1 && hi == 10);
    CHECK(ej_setting_range("required_quality_reviews", &lo, &hi) && lo == 0 && hi == 12);
    CHECK(!ej_setting_range("institution_address", &lo, &hi));
    CHECK(!ej_setting_range(NULL, &lo, &hi));

    /* §14 codes: a lower-case letter, then up to 39 of a-z, 0-9, _. */
    static const struct {
        const char *code;
        bool ok;
    } codes[] = {
        {"sick", true},
        {"a", true},
        {"family_2", true},
        {"", false},
        {NULL, false},
        {"Sick", false},
        {"2sick", false},
        {"_x", false},
        {"si-ck", false},
        {"sick ", false},
        {"a123456789012345678901234567890123456789", true},   /* 40 */
        {"a1234567890123456789012345678901234567890", false}, /* 41 */
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        CHECK(ej_reason_code_valid(codes[i].code) == codes[i].ok);

    /* §14 a code on recorded absences keeps its meaning; renaming or the same value is fine. */
    static const struct {
        bool was, will, in_use, ok;
    } changes[] = {
        {false, false, true, true}, {true, true, true, true},   {false, true, false, true},
        {true, false, false, true}, {false, true, true, false}, {true, false, true, false},
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        CHECK(ej_reason_excused_change_allowed(changes[i].was, changes[i].will,
                                               changes[i].in_use) == changes[i].ok);
    return check_summary("test_rules_settings");
}
