#include "rules/journal.h"

#include <string.h>

bool ej_records_lesson(bool superuser, bool teacher, int64_t caller, int64_t substitute_id,
                       bool caller_teaches)
{
    if (superuser)
        return true;
    if (!teacher)
        return false;
    return substitute_id ? substitute_id == caller : caller_teaches;
}

enum ej_record_verdict ej_may_record(const struct ej_entry_facts *f, int64_t caller, bool superuser,
                                     int64_t expected_version, bool *late)
{
    *late = false;
    if (!superuser && (f->substitute_id ? f->substitute_id != caller : !f->caller_teaches))
        return EJ_RECORD_NOT_CONDUCTING;
    if (expected_version >= 0 && expected_version != f->version)
        return EJ_RECORD_STALE;
    if (f->year_closed)
        return EJ_RECORD_YEAR_CLOSED;
    if (f->cancelled)
        return EJ_RECORD_CANCELLED;
    if (!f->started)
        return EJ_RECORD_NOT_STARTED;
    if (!superuser && f->past_deadline && !f->extended)
        return EJ_RECORD_DEADLINE_PASSED;
    *late = !f->recorded && f->past_deadline;
    return EJ_RECORD_OK;
}

enum ej_conductor_verdict ej_entry_conductor(const struct ej_entry_facts *f, int64_t caller,
                                             bool superuser, bool given, int64_t given_id,
                                             bool given_teaches, int64_t *out)
{
    *out = 0;
    if (!superuser) {
        *out = caller;
        return EJ_CONDUCTOR_OK;
    }
    if (given) {
        if (f->substitute_id && given_id != f->substitute_id)
            return EJ_CONDUCTOR_NOT_SUBSTITUTE;
        if (!f->substitute_id && !given_teaches)
            return EJ_CONDUCTOR_NOT_TEACHER;
        *out = given_id;
    } else if (f->conducted_by) {
        *out = f->conducted_by;
    } else {
        *out = f->default_conductor ? f->default_conductor : caller;
    }
    return EJ_CONDUCTOR_OK;
}

size_t ej_reasons_dropped(bool superuser, const struct ej_mark *marks, size_t n,
                          const int64_t *reasoned, size_t nreasoned, int64_t *out)
{
    size_t k = 0;
    if (superuser)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!marks[i].present)
            continue;
        for (size_t j = 0; j < nreasoned; j++) {
            if (reasoned[j] != marks[i].student_id)
                continue;
            /* insertion in ascending order; the body names a student once */
            size_t at = k;
            while (at > 0 && out[at - 1] > marks[i].student_id) {
                out[at] = out[at - 1];
                at--;
            }
            out[at] = marks[i].student_id;
            k++;
            break;
        }
    }
    return k;
}

enum ej_extension_verdict ej_extension_grantable(bool year_closed, bool cancelled,
                                                 bool until_future, bool until_after_deadline)
{
    if (year_closed)
        return EJ_EXTENSION_YEAR_CLOSED;
    if (cancelled)
        return EJ_EXTENSION_CANCELLED;
    if (!until_future)
        return EJ_EXTENSION_NOT_FUTURE;
    if (!until_after_deadline)
        return EJ_EXTENSION_NOT_AFTER_DEADLINE;
    return EJ_EXTENSION_OK;
}

enum ej_reason_verdict ej_reason_settable(const char *status, int64_t version,
                                          int64_t expected_version, bool year_closed, bool code_ok)
{
    if (!status)
        return EJ_REASON_NO_ROW;
    if (expected_version >= 0 && expected_version != version)
        return EJ_REASON_STALE;
    if (year_closed)
        return EJ_REASON_YEAR_CLOSED;
    if (strcmp(status, "present") == 0)
        return EJ_REASON_PRESENT;
    if (!code_ok)
        return EJ_REASON_UNKNOWN_CODE;
    return EJ_REASON_OK;
}

enum ej_report_filing_verdict ej_report_fileable(bool student_visible, bool guardian_linked,
                                                 bool code_ok)
{
    if (!student_visible)
        return EJ_REPORT_FILE_NO_STUDENT;
    if (!guardian_linked)
        return EJ_REPORT_FILE_NOT_GUARDIAN;
    if (!code_ok)
        return EJ_REPORT_FILE_UNKNOWN_CODE;
    return EJ_REPORT_FILE_OK;
}

enum ej_report_verdict ej_report_decidable(const char *status)
{
    return status && strcmp(status, "pending") == 0 ? EJ_REPORT_OK : EJ_REPORT_NOT_PENDING;
}

enum ej_report_verdict ej_report_withdrawable(bool own, const char *status)
{
    if (!own)
        return EJ_REPORT_NOT_OWN;
    return ej_report_decidable(status);
}
