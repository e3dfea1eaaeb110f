/* Journal verdicts (§13–§15): who may record a lesson's entry and when, who
 * is named as having conducted it, whose absence reasons an entry would drop,
 * and whether an extension may be granted or a reason set. Pure functions
 * over facts the store read (api/store/journal.h); the resource
 * (api/resources/journal.c) maps each verdict onto its problem. Table-tested
 * in tests/unit/test_rules_journal.c. */
#ifndef EJ_RULES_JOURNAL_H
#define EJ_RULES_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What decides whether an entry may be recorded now, read with the lesson
 * row locked. */
struct ej_entry_facts {
    int64_t version;
    int64_t substitute_id;     /* 0: none assigned */
    int64_t conducted_by;      /* 0: not recorded yet */
    int64_t default_conductor; /* the substitute, else the group's first teacher, else 0 */
    bool caller_teaches;       /* the caller is one of the group's teachers */
    bool cancelled, year_closed, recorded;
    bool started;       /* now >= the lesson's start */
    bool past_deadline; /* now > the lesson's deadline */
    bool extended;      /* an extension is in force now */
};

/* §15: whoever records a lesson's entry: the superuser; else the substitute
 * when one is assigned, else a teacher of the group. */
bool ej_records_lesson(bool superuser, bool teacher, int64_t caller, int64_t substitute_id,
                       bool caller_teaches);

enum ej_record_verdict {
    EJ_RECORD_OK,
    EJ_RECORD_NOT_CONDUCTING,  /* §15: not the substitute / not a teacher of the group */
    EJ_RECORD_STALE,           /* If-Match names another version */
    EJ_RECORD_YEAR_CLOSED,     /* the school year is closed: read-only */
    EJ_RECORD_CANCELLED,       /* a cancelled lesson has no entry */
    EJ_RECORD_NOT_STARTED,     /* §13: no entry before the lesson has started */
    EJ_RECORD_DEADLINE_PASSED, /* §13: after the deadline and no extension in force */
};

/* §13, §15: may `caller` record the entry now? expected_version -1: no
 * If-Match. The checks go in this order (the first that fails is the
 * answer). On EJ_RECORD_OK *late says whether this is the first entry and it
 * comes after the deadline (the superuser may record late; it is marked). */
enum ej_record_verdict ej_may_record(const struct ej_entry_facts *f, int64_t caller, bool superuser,
                                     int64_t expected_version, bool *late);

enum ej_conductor_verdict {
    EJ_CONDUCTOR_OK,
    EJ_CONDUCTOR_NOT_SUBSTITUTE, /* the superuser named someone else than the substitute */
    EJ_CONDUCTOR_NOT_TEACHER,    /* the superuser named someone who does not teach the group */
};

/* §15: who the entry names as having conducted the lesson. A teacher: they
 * themselves. The superuser: the one named (given, given_id; it must be the
 * substitute if one is assigned, else one of the group's teachers:
 * given_teaches), else whoever is already recorded, else the default
 * conductor, else the superuser. */
enum ej_conductor_verdict ej_entry_conductor(const struct ej_entry_facts *f, int64_t caller,
                                             bool superuser, bool given, int64_t given_id,
                                             bool given_teaches, int64_t *out);

/* One row of an entry's attendance, as far as §14 cares. */
struct ej_mark {
    int64_t student_id;
    bool present;
};

/* §14: only the superuser changes reasons, so a teacher may not mark present
 * a student whose absence on this lesson already has a reason (that would
 * drop it). reasoned: the students whose row on the lesson has a reason now.
 * Writes the students the entry would drop a reason of into out (capacity n,
 * in ascending order) and returns how many: 0 for the superuser. */
size_t ej_reasons_dropped(bool superuser, const struct ej_mark *marks, size_t n,
                          const int64_t *reasoned, size_t nreasoned, int64_t *out);

enum ej_extension_verdict {
    EJ_EXTENSION_OK,
    EJ_EXTENSION_YEAR_CLOSED,
    EJ_EXTENSION_CANCELLED,
    EJ_EXTENSION_NOT_FUTURE,         /* until is not after now */
    EJ_EXTENSION_NOT_AFTER_DEADLINE, /* until is not after the lesson's deadline */
};

/* §13: may the superuser let the teacher record a lesson until `until`? */
enum ej_extension_verdict ej_extension_grantable(bool year_closed, bool cancelled,
                                                 bool until_future, bool until_after_deadline);

enum ej_reason_verdict {
    EJ_REASON_OK,
    EJ_REASON_NO_ROW, /* the lesson has no attendance row for the student */
    EJ_REASON_STALE,  /* If-Match names another version */
    EJ_REASON_YEAR_CLOSED,
    EJ_REASON_PRESENT,      /* only an absence or a late arrival has a reason */
    EJ_REASON_UNKNOWN_CODE, /* not an active code */
};

/* §14: may the superuser set (or clear) the reason of one attendance row?
 * status: the row's status, NULL when there is no row; expected_version -1:
 * no If-Match; code_ok: the code is an active one (or the reason is cleared). */
enum ej_reason_verdict ej_reason_settable(const char *status, int64_t version,
                                          int64_t expected_version, bool year_closed, bool code_ok);

enum ej_report_filing_verdict {
    EJ_REPORT_FILE_OK,
    EJ_REPORT_FILE_NO_STUDENT,   /* no such student, or not the caller's (§20: the same answer) */
    EJ_REPORT_FILE_NOT_GUARDIAN, /* the guardian named is not one of the student's */
    EJ_REPORT_FILE_UNKNOWN_CODE, /* the reason is not an active code */
};

/* §14: may a report be filed for this student, on behalf of this guardian,
 * with this reason? The checks go in this order. */
enum ej_report_filing_verdict ej_report_fileable(bool student_visible, bool guardian_linked,
                                                 bool code_ok);

enum ej_report_verdict {
    EJ_REPORT_OK,
    EJ_REPORT_NOT_OWN,     /* issue 15: only the guardian who filed it withdraws it */
    EJ_REPORT_NOT_PENDING, /* it was decided (applied, rejected) or withdrawn already */
};

/* §14: may a report with this status be applied or rejected? Only once, while pending. */
enum ej_report_verdict ej_report_decidable(const char *status);
/* Issue 15: may the caller withdraw a report with this status? own: they
 * filed it, or it was filed on their behalf. Not their own comes first. */
enum ej_report_verdict ej_report_withdrawable(bool own, const char *status);

#endif
