/* §22 settings and §14 absence reason codes: what the director may set
 * (pure C, table-tested in tests/unit/test_rules_settings.c). */
#ifndef EJ_RULES_SETTINGS_H
#define EJ_RULES_SETTINGS_H

#include <stdbool.h>

/* The range a numeric setting (by its API name) may take: §13's entry
 * deadline 1-10 working days, §16's required reviews 0-12 a year. Returns
 * false for a name that has no range. */
bool ej_setting_range(const char *field, long *lo, long *hi);

/* True if value is allowed for field (a field without a range allows any). */
bool ej_setting_in_range(const char *field, long value);

/* A code as the database allows it (0006_journal.sql): a lower-case letter,
 * then up to 39 of a-z, 0-9 and _. */
bool ej_reason_code_valid(const char *code);

/* §14: whether an absence reason's `excused` may become will_be_excused. The
 * meaning of recorded absences and reports may not change after the fact:
 * a code already on one (in_use) keeps it (add a new code instead). */
bool ej_reason_excused_change_allowed(bool was_excused, bool will_be_excused, bool in_use);

#endif
