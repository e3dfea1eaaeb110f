#include "rules/settings.h"

#include <stddef.h>
#include <string.h>

static const struct {
    const char *field;
    long lo, hi;
} ranges[] = {
    {"entry_deadline_working_days", 1, 10},
    {"required_quality_reviews", 0, 12},
};

bool ej_setting_range(const char *field, long *lo, long *hi)
{
    for (size_t i = 0; field && i < sizeof ranges / sizeof ranges[0]; i++)
        if (strcmp(ranges[i].field, field) == 0) {
            *lo = ranges[i].lo;
            *hi = ranges[i].hi;
            return true;
        }
    return false;
}

bool ej_setting_in_range(const char *field, long value)
{
    long lo, hi;
    return !ej_setting_range(field, &lo, &hi) || (value >= lo && value <= hi);
}

bool ej_reason_code_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

bool ej_reason_excused_change_allowed(bool was_excused, bool will_be_excused, bool in_use)
{
    return was_excused == will_be_excused || !in_use;
}
