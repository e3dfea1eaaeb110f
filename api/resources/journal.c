/* Journal entries and absences (§13–§15): the conducting teacher records a
 * lesson's topic and attendance until its deadline (or an extension), the
 * superuser at any time; only the superuser marks absence reasons, from the
 * guardians' absence reports or directly. Reads are filtered by
 * api/rules/access.h (EJ_OBJ_LESSON for lessons, EJ_OBJ_ATTENDANCE for
 * attendance, reasons and reports). */
#include "resources/resources.h"

#include "core/alloc.h"
#include "core/json.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "rules/journal.h"
#include "store/lessons.h"
#include "store/journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END           \
    {                 \
        NULL, 0, 0, 0 \
    }
#define MAX_ATTENDANCE 500
#define MAX_REPORT_DAYS 366

static const struct ej_field entry_fields[] = {
    {"topic", EJ_F_STRING, EJ_F_REQUIRED, 2000},
    {"attendance", EJ_F_ARRAY, EJ_F_REQUIRED, MAX_ATTENDANCE},
    {"conducted_by", EJ_F_INT, 0, 0}, /* the superuser only */
    END};
static const struct ej_field attendance_fields[] = {
    {"student_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"status", EJ_F_STRING, EJ_F_REQUIRED, 10},
    {"reason", EJ_F_STRING, EJ_F_NULLABLE, 40}, /* the superuser only (§14) */
    END};
static const struct ej_field extension_fields[] = {
    {"until", EJ_F_STRING, EJ_F_REQUIRED, 40}, {"reason", EJ_F_STRING, EJ_F_REQUIRED, 500}, END};
static const struct ej_field reason_fields[] = {
    {"reason_code", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NULLABLE, 40},
    {"note", EJ_F_STRING, EJ_F_NULLABLE, 500},
    END};
static const struct ej_field report_fields[] = {
    {"student_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"from_date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"to_date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"reason_code", EJ_F_STRING, EJ_F_REQUIRED, 40},
    {"comment", EJ_F_STRING, EJ_F_NULLABLE, 500},
    {"guardian_id", EJ_F_INT, EJ_F_NULLABLE, 0}, /* the superuser only */
    {"channel", EJ_F_STRING, 0, 10},             /* the superuser only */
    END};
static const struct ej_field reject_fields[] = {{"note", EJ_F_STRING, EJ_F_REQUIRED, 500}, END};
static const struct ej_field no_fields[] = {END};

static bool superuser(const struct ej_req *r)
{
    return r->who.roles & EJ_ROLE_SUPERUSER;
}

static bool one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

/* ---- the entry ---------------------------------------------------------------------------- */

/* §14: a `reason` or `reason_code` key anywhere in the body. The parser has
 * bounded the depth (EJ_JSON_MAX_DEPTH), so the recursion is shallow. */
static bool names_reason(const json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, item) {
            if (strcmp(key, "reason") == 0 || strcmp(key, "reason_code") == 0 || names_reason(item))
                return true;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, item) {
            if (names_reason(item))
                return true;
        }
    }
    return false;
}

/* Rewrites the complaints about one attendance row as attendance[i].field. */
static int row_failed(struct ej_req *r, size_t i)
{
    json_t *errors = json_object_get(r->out, "errors"), *e;
    size_t k;
    char name[96];
    json_array_foreach(errors, k, e) {
        snprintf(name, sizeof name, "attendance[%zu].%s", i,
                 json_string_value(json_object_get(e, "field")));
        json_object_set_new(e, "field", json_string(name));
    }
    const char *detail = json_string_value(json_object_get(r->out, "detail"));
    if (detail) {
        char buf[600];
        snprintf(buf, sizeof buf, "attendance[%zu]: %s", i, detail);
        json_object_set_new(r->out, "detail", json_string(buf));
    }
    return -1;
}

static int row_invalid(struct ej_req *r, size_t i, const char *field, const char *msg)
{
    ej_invalid(r, field, msg);
    return row_failed(r, i);
}

static int attendance_valid(struct ej_req *r, const json_t *rows)
{
    static const char *const statuses[] = {"present", "absent", "late", NULL};
    size_t i, k;
    json_t *row, *other;
    json_array_foreach(rows, i, row) {
        if (ej_json_check(r, row, attendance_fields) != 0)
            return row_failed(r, i);
        json_int_t sid = json_integer_value(json_object_get(row, "student_id"));
        const char *status = ej_json_str(row, "status");
        if (sid <= 0)
            return row_invalid(r, i, "student_id", "must be a positive id");
        if (!one_of(status, statuses))
            return row_invalid(r, i, "status", "must be present, absent or late");
        if (ej_json_str(row, "reason") && strcmp(status, "present") == 0)
            return row_invalid(r, i, "reason", "is only for an absence or a late arrival");
        json_array_foreach(rows, k, other) {
            if (k >= i)
                break;
            if (json_integer_value(json_object_get(other, "student_id")) == sid)
                return row_invalid(r, i, "student_id", "appears more than once");
        }
    }
    return 0;
}

/* Parse: the body alone, before anything is looked up. */
static int entry_body_valid(struct ej_req *r, const json_t *body, bool su)
{
    if (!su && names_reason(body))
        return ej_problem(r, 403, "reason_requires_superuser",
                          "Absence reasons are marked only by the superuser, from the guardians' "
                          "absence reports (§14): send present, absent or late.");
    if (ej_json_check(r, (json_t *)body, entry_fields) != 0)
        return -1;
    if (!su && ej_json_has(body, "conducted_by"))
        return ej_problem(r, 403, "forbidden",
                          "Only the superuser records an entry on a teacher's behalf.");
    if (ej_blank(ej_json_str(body, "topic")))
        return ej_invalid(r, "topic", "must not be blank");
    return attendance_valid(r, json_object_get(body, "attendance"));
}

static bool in_ids(const json_t *ids, int64_t id)
{
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        if (json_integer_value(v) == id)
            return true;
    }
    return false;
}

static unsigned lesson_scopes(const struct ej_req *r)
{
    return ej_read_scopes(r->who.roles, EJ_OBJ_LESSON);
}

static unsigned attendance_scopes(const struct ej_req *r)
{
    return ej_read_scopes(r->who.roles, EJ_OBJ_ATTENDANCE);
}

static int store_failed(struct ej_req *r)
{
    if (r->db.err == EJ_ERR_NOT_FOUND)
        return ej_problem(r, 404, "not_found", "No such lesson.");
    return ej_problem_db(r, r->db.err);
}

/* Authorize: who may record this lesson, and whether now (§13, §15):
 * rules/journal.h decides, this says it. *by: who conducted it; *late: this
 * is the first entry and it comes after the deadline. */
static int may_record(struct ej_req *r, const struct ej_entry_ctx *c, bool su, int64_t version,
                      int64_t *by, bool *late)
{
    const struct ej_entry_facts *f = &c->f;
    char starts[EJ_RIGA_BUFSZ], deadline[EJ_RIGA_BUFSZ], until[EJ_RIGA_BUFSZ];
    switch (ej_may_record(f, r->who.user_id, su, version, late)) {
    case EJ_RECORD_OK: break;
    case EJ_RECORD_NOT_CONDUCTING:
        ej_problem(r, 403, "not_conducting_teacher",
                   f->substitute_id
                       ? "A substitute is assigned to this lesson: only they record it (§15)."
                       : "Only the teacher who conducts the lesson records it (§15).");
        if (r->out && f->substitute_id)
            json_object_set_new(r->out, "substitute_teacher_id", json_integer(f->substitute_id));
        return -1;
    case EJ_RECORD_STALE:
        return ej_problem(r, 412, "precondition_failed",
                          "The lesson was changed by someone else; reload and try again.");
    case EJ_RECORD_YEAR_CLOSED: return ej_problem_year_closed(r);
    case EJ_RECORD_CANCELLED:
        return ej_problem(r, 409, "lesson_cancelled", "The lesson is cancelled.");
    case EJ_RECORD_NOT_STARTED:
        ej_utc_text_to_riga(c->starts, starts);
        ej_problem(r, 409, "lesson_not_started",
                   "The lesson starts at %s: no entry before it has started (§13).", starts);
        if (r->out)
            json_object_set_new(r->out, "starts", json_string(c->starts));
        return -1;
    case EJ_RECORD_DEADLINE_PASSED:
        ej_utc_text_to_riga(c->deadline, deadline);
        ej_utc_text_to_riga(c->extension_until, until);
        if (c->extension_until[0])
            ej_problem(r, 409, "entry_deadline_passed",
                       "The deadline for this entry was %s and its extension ended at %s (§13).",
                       deadline, until);
        else
            ej_problem(r, 409, "entry_deadline_passed",
                       "The deadline for this entry was %s (§13); ask the superuser for an "
                       "extension (POST /lessons/%lld/extension-requests).",
                       deadline, (long long)c->lesson_id);
        if (r->out) {
            json_object_set_new(r->out, "deadline", json_string(c->deadline));
            if (c->extension_until[0])
                json_object_set_new(r->out, "extension_until", json_string(c->extension_until));
        }
        return -1;
    }
    /* Who the entry names as having conducted the lesson (§15). */
    const json_t *given = json_object_get(r->body, "conducted_by");
    int64_t gid = json_is_integer(given) ? json_integer_value(given) : 0;
    switch (ej_entry_conductor(f, r->who.user_id, su, json_is_integer(given), gid,
                               in_ids(json_object_get(c->lesson, "teacher_ids"), gid), by)) {
    case EJ_CONDUCTOR_OK: return 0;
    case EJ_CONDUCTOR_NOT_SUBSTITUTE:
        return ej_invalid(r, "conducted_by", "must be the lesson's substitute");
    case EJ_CONDUCTOR_NOT_TEACHER:
        return ej_invalid(r, "conducted_by", "must be one of the group's teachers");
    }
    return 0;
}

/* The entry against the roster, the reason codes and §14's kept reasons. */
static int entry_acceptable(struct ej_req *r, const struct ej_entry_check *k, bool su)
{
    size_t nm = json_array_size(k->missing), nu = json_array_size(k->unexpected);
    if (nm || nu) {
        ej_problem(r, 422, "student_not_enrolled",
                   "The attendance must name exactly the students enrolled on the lesson's "
                   "date: %zu missing, %zu not enrolled.",
                   nm, nu);
        if (r->out) {
            json_object_set(r->out, "missing", k->missing);
            json_object_set(r->out, "unexpected", k->unexpected);
        }
        size_t i;
        json_t *sid;
        char msg[96];
        json_array_foreach(k->missing, i, sid) {
            snprintf(msg, sizeof msg, "student %lld is enrolled but missing",
                     (long long)json_integer_value(sid));
            ej_problem_field(r, "attendance", msg);
        }
        json_array_foreach(k->unexpected, i, sid) {
            snprintf(msg, sizeof msg, "student %lld is not enrolled on the lesson's date",
                     (long long)json_integer_value(sid));
            ej_problem_field(r, "attendance", msg);
        }
        return -1;
    }
    if (json_array_size(k->unknown_reasons)) {
        char *list = json_dumps(k->unknown_reasons, JSON_COMPACT);
        ej_problem(r, 422, "validation_failed", "Unknown absence reason code(s): %s.",
                   list ? list : "");
        ej_problem_field(r, "attendance", "reason must be an active code of GET /absence-reasons");
        free(list);
        return -1;
    }
    /* §14: marks of the body against the reasons already set */
    const json_t *rows = json_object_get(r->body, "attendance");
    size_t n = json_array_size(rows), nr = json_array_size(k->reasoned), i;
    struct ej_mark *marks = ej_xcalloc(n + 1, sizeof *marks);
    int64_t *reasoned = ej_xcalloc(nr + 1, sizeof *reasoned);
    int64_t *dropped = ej_xcalloc(n + 1, sizeof *dropped);
    json_t *v;
    json_array_foreach(rows, i, v) {
        marks[i].student_id = json_integer_value(json_object_get(v, "student_id"));
        marks[i].present = strcmp(ej_json_str(v, "status"), "present") == 0;
    }
    json_array_foreach(k->reasoned, i, v)
        reasoned[i] = json_integer_value(v);
    size_t nd = ej_reasons_dropped(su, marks, n, reasoned, nr, dropped);
    int rc = 0;
    if (nd > 0) {
        json_t *ids = json_array();
        for (i = 0; i < nd; i++)
            json_array_append_new(ids, json_integer(dropped[i]));
        char *list = json_dumps(ids, JSON_COMPACT);
        ej_problem(r, 409, "reason_set",
                   "Student(s) %s have an absence reason on this lesson; only the superuser "
                   "can change their status now (§14).",
                   list ? list : "");
        if (r->out)
            json_object_set(r->out, "student_ids", ids);
        free(list);
        json_decref(ids);
        rc = -1;
    }
    free(marks);
    free(reasoned);
    free(dropped);
    return rc;
}

void ej_op_record_lesson_entry(struct ej_req *r)
{
    int64_t id, version, by = 0, after_version;
    bool su = superuser(r), late = false;
    struct ej_entry_ctx c;
    struct ej_entry_check k;
    json_t *lesson;
    memset(&c, 0, sizeof c);
    memset(&k, 0, sizeof k);
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        entry_body_valid(r, r->body, su) != 0)
        goto out;
    if (ej_store_entry_begin(&r->db, &r->who, id, lesson_scopes(r), &c) != EJ_OK) {
        store_failed(r);
        goto out;
    }
    if (may_record(r, &c, su, version, &by, &late) != 0)
        goto out;
    if (ej_store_entry_check(&r->db, &c, r->body, &k) != EJ_OK) {
        store_failed(r);
        goto out;
    }
    if (entry_acceptable(r, &k, su) != 0)
        goto out;
    if (ej_store_entry_save(&r->db, &c, r->body, by, late, &lesson, &after_version) != EJ_OK) {
        store_failed(r);
        goto out;
    }
    ej_set_etag(r, after_version);
    ej_reply(r, 200, lesson);
out:
    ej_entry_check_cleanup(&k);
    ej_entry_ctx_cleanup(&c);
}

void ej_op_get_lesson_entry(struct ej_req *r)
{
    int64_t id;
    json_t *lesson, *enrolled;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    if (ej_store_lesson_get(&r->db, &r->who, id, lesson_scopes(r), attendance_scopes(r), &lesson) !=
        EJ_OK) {
        store_failed(r);
        return;
    }
    ej_set_etag(r, json_integer_value(json_object_get(lesson, "version")));
    /* Whoever may record the entry (§15) also gets `enrolled`: the students
     * the attendance must cover, so a substitute on a phone can record a
     * lesson of a group they do not teach. */
    int64_t me = r->who.user_id;
    if (ej_records_lesson(superuser(r), (r->who.roles & EJ_ROLE_TEACHER) != 0, me,
                          json_integer_value(json_object_get(lesson, "substitute_teacher_id")),
                          in_ids(json_object_get(lesson, "teacher_ids"), me))) {
        if (ej_store_entry_enrolled(&r->db, id, &enrolled) != EJ_OK) {
            json_decref(lesson);
            ej_problem_db(r, r->db.err);
            return;
        }
        json_object_set_new(lesson, "enrolled", enrolled);
    }
    ej_reply(r, 200, lesson);
}

/* ---- extensions --------------------------------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* `until`: a date (the end of that day in Riga, like a deadline) or an RFC
 * 3339 instant YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM). Writes UTC into out. */
bool ej_parse_until(const char *s, char out[EJ_UTC_BUFSZ])
{
    char date[EJ_DATE_BUFSZ];
    ej_day d;
    size_t n = strlen(s);
    if (n < 10)
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!ej_date_parse(date, &d))
        return false;
    if (n == 10) {
        ej_format_utc(ej_riga_local_to_utc(d, 23, 59, 59), out);
        return true;
    }
    const char *t = s + 10;
    if (n < 20 || (t[0] != 'T' && t[0] != 't') || !digits(t + 1, 2) || t[3] != ':' ||
        !digits(t + 4, 2) || t[6] != ':' || !digits(t + 7, 2))
        return false;
    int hh = num(t + 1, 2), mm = num(t + 4, 2), ss = num(t + 7, 2);
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    const char *z = t + 9;
    if (*z == '.') {
        z++;
        size_t f = strspn(z, "0123456789");
        if (f == 0 || f > 9)
            return false;
        z += f;
    }
    int64_t offset;
    if ((z[0] == 'Z' || z[0] == 'z') && z[1] == '\0') {
        offset = 0;
    } else if ((z[0] == '+' || z[0] == '-') && strlen(z) == 6 && digits(z + 1, 2) && z[3] == ':' &&
               digits(z + 4, 2) && num(z + 1, 2) <= 23 && num(z + 4, 2) <= 59) {
        offset = (int64_t)(num(z + 1, 2) * 3600 + num(z + 4, 2) * 60) * (z[0] == '-' ? -1 : 1);
    } else {
        return false;
    }
    if (ss == 60)
        ss = 59;
    ej_format_utc((int64_t)d * 86400 + hh * 3600 + mm * 60 + ss - offset, out);
    return true;
}

void ej_op_grant_lesson_extension(struct ej_req *r)
{
    int64_t id;
    char until[EJ_UTC_BUFSZ];
    json_t *lesson;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, extension_fields) != 0)
        return;
    if (!ej_parse_until(ej_json_str(r->body, "until"), until)) {
        ej_invalid(r, "until",
                   "must be a date YYYY-MM-DD (the end of that day in Riga) or an "
                   "RFC 3339 instant");
        return;
    }
    if (ej_blank(ej_json_str(r->body, "reason"))) {
        ej_invalid(r, "reason", "must not be blank");
        return;
    }
    if (ej_lesson_extension_grant(r, id, until, ej_json_str(r->body, "reason"), &lesson) == 0)
        ej_reply(r, 200, lesson);
}

int ej_lesson_extension_grant(struct ej_req *r, int64_t lesson_id, const char *until,
                              const char *reason, json_t **lesson)
{
    struct ej_extension_facts f;
    char msg[120], deadline[EJ_RIGA_BUFSZ];
    int64_t version;
    *lesson = NULL;
    if (ej_store_extension_facts(&r->db, lesson_id, until, &f) != EJ_OK)
        return store_failed(r);
    switch (ej_extension_grantable(f.year_closed, f.cancelled, f.until_future,
                                   f.until_after_deadline)) {
    case EJ_EXTENSION_OK: break;
    case EJ_EXTENSION_YEAR_CLOSED: return ej_problem_year_closed(r);
    case EJ_EXTENSION_CANCELLED:
        return ej_problem(r, 409, "lesson_cancelled", "The lesson is cancelled.");
    case EJ_EXTENSION_NOT_FUTURE: return ej_invalid(r, "until", "must be in the future");
    case EJ_EXTENSION_NOT_AFTER_DEADLINE:
        ej_utc_text_to_riga(f.deadline, deadline);
        snprintf(msg, sizeof msg, "must be after the lesson's deadline (%s)", deadline);
        return ej_invalid(r, "until", msg);
    }
    if (ej_store_extension_grant(&r->db, lesson_id, until, reason, lesson, &version) != EJ_OK)
        return store_failed(r);
    ej_set_etag(r, version);
    return 0;
}

/* ---- absence reasons ---------------------------------------------------------------------- */

void ej_op_set_absence_reason(struct ej_req *r)
{
    int64_t id, sid, version;
    json_t *lesson;
    if (ej_param_id(r, 0, &id) != 0 || ej_param_id(r, 1, &sid) != 0 ||
        ej_if_match(r, &version) != 0 || ej_json_check(r, r->body, reason_fields) != 0)
        return;
    const char *code = ej_json_str(r->body, "reason_code"), *note = ej_json_str(r->body, "note");
    if (!code && note) {
        ej_invalid(r, "note", "goes with a reason_code");
        return;
    }
    struct ej_reason_facts f;
    int64_t after_version;
    if (ej_store_absence_reason_facts(&r->db, id, sid, code, &f) != EJ_OK) {
        store_failed(r);
        return;
    }
    switch (ej_reason_settable(f.has_row ? f.status : NULL, f.version, version, f.year_closed,
                               f.code_ok)) {
    case EJ_REASON_OK: break;
    case EJ_REASON_NO_ROW:
        ej_problem(r, 404, "not_found", "The lesson has no attendance recorded for this student.");
        return;
    case EJ_REASON_STALE:
        ej_problem(r, 412, "precondition_failed",
                   "The lesson was changed by someone else; reload and try again.");
        return;
    case EJ_REASON_YEAR_CLOSED: ej_problem_year_closed(r); return;
    case EJ_REASON_PRESENT:
        ej_problem(r, 409, "student_present",
                   "The student was present: only an absence or a late arrival has a reason.");
        return;
    case EJ_REASON_UNKNOWN_CODE:
        ej_invalid(r, "reason_code", "must be an active code of GET /absence-reasons");
        return;
    }
    if (ej_store_absence_reason_set(&r->db, id, sid, code, ej_blank(note) ? NULL : note, &lesson,
                                    &after_version) != EJ_OK) {
        store_failed(r);
        return;
    }
    ej_set_etag(r, after_version);
    ej_reply(r, 200, lesson);
}

/* ---- absence reports ---------------------------------------------------------------------- */

/* Reports are the guardians' and the superuser's business: a teacher sees
 * the reasons on the attendance, not the reports. */
static unsigned report_scopes(const struct ej_req *r)
{
    return attendance_scopes(r) & ~(unsigned)EJ_SCOPE_TAUGHT;
}

static int report_body_valid(struct ej_req *r, const json_t *b, bool su)
{
    static const char *const channels[] = {"paper", "phone", NULL};
    ej_day from, to;
    if (ej_json_check(r, (json_t *)b, report_fields) != 0)
        return -1;
    if (!su && (ej_json_has(b, "guardian_id") || ej_json_has(b, "channel")))
        return ej_problem(r, 403, "forbidden",
                          "Only the superuser files a report on a guardian's behalf.");
    if (json_integer_value(json_object_get(b, "student_id")) <= 0)
        return ej_invalid(r, "student_id", "must be a positive id");
    if (ej_json_has(b, "channel") && !one_of(ej_json_str(b, "channel"), channels))
        return ej_invalid(r, "channel", "must be paper or phone");
    ej_date_parse(ej_json_str(b, "from_date"), &from);
    ej_date_parse(ej_json_str(b, "to_date"), &to);
    if (to < from)
        return ej_invalid(r, "to_date", "must not be before from_date");
    if (to - from >= MAX_REPORT_DAYS)
        return ej_invalid(r, "to_date", "must be within 366 days of from_date");
    if (ej_blank(ej_json_str(b, "reason_code")))
        return ej_invalid(r, "reason_code", "must be a code of GET /absence-reasons");
    return 0;
}

void ej_op_create_absence_report(struct ej_req *r)
{
    bool su = superuser(r);
    json_t *report;
    if (report_body_valid(r, r->body, su) != 0)
        return;
    /* A guardian reports for their own children, online; the superuser for
     * any student, on a guardian's behalf, from paper or a phone call. */
    const json_t *g = json_object_get(r->body, "guardian_id");
    int64_t guardian = su ? (json_is_integer(g) ? json_integer_value(g) : 0) : r->who.user_id;
    const char *channel = !su                               ? "online"
                          : ej_json_str(r->body, "channel") ? ej_json_str(r->body, "channel")
                                                            : "paper";
    unsigned scopes = su ? EJ_SCOPE_ALL : attendance_scopes(r) & EJ_SCOPE_CHILDREN;
    struct ej_report_filing f;
    int64_t version;
    if (ej_store_absence_report_filing(
            &r->db, &r->who, scopes, json_integer_value(json_object_get(r->body, "student_id")),
            guardian, ej_json_str(r->body, "reason_code"), &f) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    switch (ej_report_fileable(f.student_visible, f.guardian_linked, f.code_ok)) {
    case EJ_REPORT_FILE_OK: break;
    case EJ_REPORT_FILE_NO_STUDENT:
        /* The same answer for a student who does not exist and one who is
         * not the caller's child (§20). */
        ej_invalid(r, "student_id", "refers to no student of yours");
        return;
    case EJ_REPORT_FILE_NOT_GUARDIAN:
        ej_invalid(r, "guardian_id", "must be a guardian of the student");
        return;
    case EJ_REPORT_FILE_UNKNOWN_CODE:
        ej_invalid(r, "reason_code", "must be an active code of GET /absence-reasons");
        return;
    }
    if (ej_store_absence_report_create(&r->db, r->body, guardian, channel, &report, &version) !=
        EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    if (version >= 0)
        ej_set_etag(r, version);
    snprintf(r->location, sizeof r->location, "/api/v1/absence-reports/%lld",
             (long long)json_integer_value(json_object_get(report, "id")));
    ej_reply(r, 201, report);
}

void ej_op_list_absence_reports(struct ej_req *r)
{
    static const char *const statuses[] = {"pending", "applied", "rejected", "withdrawn", NULL};
    struct ej_report_filter f;
    char status[16], sid[24], *end;
    json_t *items;
    memset(&f, 0, sizeof f);
    if (ej_page_params(r, &f.limit, &f.after) != 0)
        return;
    int got = ej_query(r, "status", status, sizeof status);
    if (got < 0)
        return;
    if (got && !one_of(status, statuses)) {
        ej_problem(r, 400, "invalid_query",
                   "status must be pending, applied, rejected or withdrawn.");
        return;
    }
    f.status = got ? status : NULL;
    got = ej_query(r, "student_id", sid, sizeof sid);
    if (got < 0)
        return;
    if (got) {
        long long v = strtoll(sid, &end, 10);
        if (sid[0] < '0' || sid[0] > '9' || *end || v <= 0) {
            ej_problem(r, 400, "invalid_query", "student_id must be a positive id.");
            return;
        }
        f.student_id = v;
    }
    if (ej_store_absence_report_list(&r->db, &r->who, report_scopes(r), &f, &items) != EJ_OK)
        ej_problem_db(r, r->db.err);
    else
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_absence_report(struct ej_req *r)
{
    int64_t id, version;
    json_t *report;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    if (ej_store_absence_report_get(&r->db, &r->who, report_scopes(r), id, &report, &version) !=
        EJ_OK) {
        if (r->db.err == EJ_ERR_NOT_FOUND)
            ej_problem(r, 404, "not_found", "No such absence report.");
        else
            ej_problem_db(r, r->db.err);
        return;
    }
    if (version >= 0)
        ej_set_etag(r, version);
    ej_reply(r, 200, report);
}

/* A failed store call on a report: 404 in its words, else the generic mapping. */
static int report_failed(struct ej_req *r, enum ej_err e)
{
    if (e == EJ_ERR_NOT_FOUND)
        return ej_problem(r, 404, "not_found", "No such absence report.");
    return ej_problem_db(r, e);
}

static int report_verdict_problem(struct ej_req *r, enum ej_report_verdict v, const char *status)
{
    switch (v) {
    case EJ_REPORT_OK: return 0;
    case EJ_REPORT_NOT_OWN:
        return ej_problem(r, 403, "forbidden",
                          "Only the guardian who filed the report withdraws it.");
    case EJ_REPORT_NOT_PENDING: break;
    }
    ej_problem(r, 409, "report_not_pending", "The report was already %s.", status);
    if (r->out)
        /* Not "status": that is the problem's HTTP status (RFC 9457). */
        json_object_set_new(r->out, "report_status", json_string(status));
    return -1;
}

/* Reads the report (locked or not) and judges whether it may be decided. */
static int decidable(struct ej_req *r, int64_t id, bool lock, struct ej_report_state *s)
{
    ej_report_state_cleanup(s);
    enum ej_err e = ej_store_absence_report_state(&r->db, id, lock, s);
    if (e != EJ_OK)
        return report_failed(r, e);
    return report_verdict_problem(r, ej_report_decidable(s->status), s->status);
}

/* A decision written: the report's ETag and the reply. */
static void report_decided(struct ej_req *r, enum ej_err e, json_t *out, int64_t version)
{
    if (e != EJ_OK) {
        report_failed(r, e);
        return;
    }
    if (version >= 0)
        ej_set_etag(r, version);
    ej_reply(r, 200, out);
}

void ej_op_apply_absence_report(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    struct ej_report_state s = {0};
    if (ej_param_id(r, 0, &id) != 0 || (r->body && ej_json_check(r, r->body, no_fields) != 0))
        return;
    /* Judged first without a lock; then the lessons are locked before the
     * report (as entry writers do: lesson, then report) and it is judged again. */
    if (decidable(r, id, false, &s) == 0) {
        enum ej_err e = ej_store_absence_report_lock_lessons(&r->db, id);
        if (e != EJ_OK)
            report_failed(r, e);
        else if (decidable(r, id, true, &s) == 0) {
            e = ej_store_absence_report_apply(&r->db, id, s.report, &out, &version);
            report_decided(r, e, out, version);
        }
    }
    ej_report_state_cleanup(&s);
}

void ej_op_reject_absence_report(struct ej_req *r)
{
    int64_t id, version;
    json_t *report;
    struct ej_report_state s = {0};
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, reject_fields) != 0)
        return;
    if (ej_blank(ej_json_str(r->body, "note"))) {
        ej_invalid(r, "note", "must not be blank");
        return;
    }
    if (decidable(r, id, true, &s) == 0) {
        enum ej_err e = ej_store_absence_report_reject(
            &r->db, id, s.report, ej_json_str(r->body, "note"), &report, &version);
        report_decided(r, e, report, version);
    }
    ej_report_state_cleanup(&s);
}

/* ---- a student's attendance --------------------------------------------------------------- */

void ej_op_get_student_attendance(struct ej_req *r)
{
    int64_t id;
    char fb[16], tb[16];
    const char *from, *to;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0 || ej_query_date(r, "from", fb, sizeof fb, &from) != 0 ||
        ej_query_date(r, "to", tb, sizeof tb, &to) != 0)
        return;
    if (from && to && strcmp(from, to) > 0) {
        ej_problem(r, 400, "invalid_query", "from must not be after to.");
        return;
    }
    if (ej_store_student_attendance(&r->db, &r->who, id, attendance_scopes(r), from, to, &out) !=
        EJ_OK) {
        if (r->db.err == EJ_ERR_NOT_FOUND)
            ej_problem(r, 404, "not_found", "No such student.");
        else
            ej_problem_db(r, r->db.err);
        return;
    }
    ej_reply(r, 200, out);
}

/* ---- a guardian withdraws their report (issue 15) ------------------------------------------ */

void ej_op_withdraw_absence_report(struct ej_req *r)
{
    int64_t id, version;
    json_t *report;
    struct ej_report_state s = {0};
    bool own;
    if (ej_param_id(r, 0, &id) != 0 || (r->body && ej_json_check(r, r->body, no_fields) != 0))
        return;
    enum ej_err e = ej_store_absence_report_filer(&r->db, &r->who, report_scopes(r), id, &own);
    if (e != EJ_OK) {
        report_failed(r, e);
        return;
    }
    /* Another guardian's report is refused before it is locked. */
    if (!own) {
        report_verdict_problem(r, EJ_REPORT_NOT_OWN, NULL);
        return;
    }
    if ((e = ej_store_absence_report_state(&r->db, id, true, &s)) != EJ_OK) {
        report_failed(r, e);
    } else if (report_verdict_problem(r, ej_report_withdrawable(own, s.status), s.status) == 0) {
        e = ej_store_absence_report_withdraw(&r->db, id, s.report, &report, &version);
        report_decided(r, e, report, version);
    }
    ej_report_state_cleanup(&s);
}
