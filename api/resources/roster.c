/* Roster (§4, §11, §12, §20): school years, programmes, groups, students,
 * guardians, enrollments, withdrawal and bulk registration. The superuser
 * writes; reads are filtered by api/rules/access.h. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "store/roster.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define END {NULL, 0, 0, 0}
static const struct ej_field school_year_fields[] = {
    {"name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 40},
    {"starts_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"ends_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
    END};
static const struct ej_field program_fields[] = {
    {"code", EJ_F_STRING, EJ_F_REQUIRED, 40},
    {"name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 200},
    {"description", EJ_F_STRING, EJ_F_NULLABLE, 4000},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    END};
static const struct ej_field program_update_fields[] = {
    {"code", EJ_F_STRING, 0, 40},
    {"name", EJ_F_STRING, EJ_F_NAME, 200},
    {"description", EJ_F_STRING, EJ_F_NULLABLE, 4000},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    END};
static const struct ej_field group_fields[] = {
    {"program_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"school_year_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 200},
    {"teacher_ids", EJ_F_ID_ARRAY, 0, 20},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    END};
static const struct ej_field group_update_fields[] = {
    {"program_id", EJ_F_INT, 0, 0},
    {"name", EJ_F_STRING, EJ_F_NAME, 200},
    {"teacher_ids", EJ_F_ID_ARRAY, 0, 20},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    END};
static const struct ej_field student_fields[] = {
    {"full_name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 200},
    {"birth_date", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"user_id", EJ_F_INT, EJ_F_NULLABLE, 0},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    END};
static const struct ej_field student_update_fields[] = {
    {"full_name", EJ_F_STRING, EJ_F_NAME, 200},
    {"birth_date", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"user_id", EJ_F_INT, EJ_F_NULLABLE, 0},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    END};
static const struct ej_field enrollment_fields[] = {
    {"student_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"starts_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"guardians_informed_on", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"admission_order", EJ_F_STRING, EJ_F_NULLABLE, 100},
    END};
static const struct ej_field withdraw_fields[] = {
    {"application_date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"effective_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"note", EJ_F_STRING, EJ_F_NULLABLE, 2000},
    END};
static const struct ej_field import_fields[] = {
    {"rows", EJ_F_ARRAY, EJ_F_REQUIRED, 5000},
    END};
static const struct ej_field import_row_fields[] = {
    {"student_id", EJ_F_INT, 0, 0},
    {"student_external_id", EJ_F_STRING, 0, 64},
    {"student", EJ_F_OBJECT, 0, 0},
    {"guardian_ids", EJ_F_ID_ARRAY, 0, 10},
    {"guardian_external_ids", EJ_F_STRING_ARRAY, 0, 10},
    {"group_id", EJ_F_INT, 0, 0},
    {"group_external_id", EJ_F_STRING, 0, 64},
    {"starts_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"guardians_informed_on", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"admission_order", EJ_F_STRING, EJ_F_NULLABLE, 100},
    END};
static const struct ej_field import_student_fields[] = {
    {"full_name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 200},
    {"birth_date", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"external_id", EJ_F_STRING, 0, 64},
    END};
static const struct ej_field no_fields[] = {END};

/* 422 naming field unless a < b (ISO dates compare as strings). */
static int dates_ordered(struct ej_req *r, const char *a, const char *b, const char *field,
                         const char *msg)
{
    return !a || !b || strcmp(a, b) < 0 ? 0 : ej_invalid(r, field, msg);
}

static void created(struct ej_req *r, const char *collection, json_t *obj)
{
    snprintf(r->location, sizeof r->location, "/api/v1/%s/%lld", collection,
             (long long)json_integer_value(json_object_get(obj, "id")));
    ej_reply(r, 201, obj);
}

enum { F_YEAR = 1, F_TEACHER = 2, F_GROUP = 4, F_EXTERNAL = 8 };

/* Reads ?limit/?after and the id filters this list supports (mask of F_*);
 * q (if not NULL) receives ?q=. Returns 0 or -1. */
static int filters(struct ej_req *r, struct ej_roster_filter *f, unsigned mask, char *q,
                   size_t qlen)
{
    static const char *const names[] = {"school_year_id", "teacher_id", "group_id"};
    int64_t *slots[] = {&f->school_year_id, &f->teacher_id, &f->group_id};
    memset(f, 0, sizeof *f);
    if (ej_page_params(r, &f->limit, &f->after) != 0)
        return -1;
    for (size_t i = 0; i < 3; i++)
        if ((mask & (1u << i)) && ej_query_id(r, names[i], slots[i]) != 0)
            return -1;
    if (q) {
        int got = ej_query(r, "q", q, qlen);
        if (got < 0)
            return -1;
        f->q = got ? q : NULL;
    }
    if (mask & F_EXTERNAL) {
        int got = ej_query(r, "external_id", f->external_id_buf, sizeof f->external_id_buf);
        if (got < 0)
            return -1;
        f->external_id = got ? f->external_id_buf : NULL;
    }
    return 0;
}

static unsigned scopes(struct ej_req *r, enum ej_object obj)
{
    return ej_read_scopes(r->who.roles, obj);
}

/* ---- school years ---- */

/* A school year is at most 400 days long: one weekly slot then makes at most
 * ~60 lessons, not thousands by a typing slip in a year. */
static int year_length_valid(struct ej_req *r, const json_t *b)
{
    ej_day start, end;
    if (ej_date_parse(ej_json_str(b, "starts_on"), &start) &&
        ej_date_parse(ej_json_str(b, "ends_on"), &end) && end - start > 400)
        return ej_invalid(r, "ends_on", "must be at most 400 days after starts_on");
    return 0;
}

void ej_op_create_school_year(struct ej_req *r)
{
    json_t *out;
    const json_t *b = r->body;
    if (ej_json_check(r, r->body, school_year_fields) == 0 &&
        dates_ordered(r, ej_json_str(b, "starts_on"), ej_json_str(b, "ends_on"), "ends_on",
                      "must be after starts_on") == 0 &&
        year_length_valid(r, b) == 0 && ej_store_school_year_create(r, b, &out) == 0)
        created(r, "school-years", out);
}

void ej_op_list_school_years(struct ej_req *r)
{
    struct ej_roster_filter f;
    json_t *items;
    if (filters(r, &f, 0, NULL, 0) == 0 && ej_store_school_year_list(r, &f, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_school_year(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_store_school_year_get(r, id, &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_close_school_year(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && (!r->body || ej_json_check(r, r->body, no_fields) == 0) &&
        ej_store_school_year_close(r, id, &out) == 0)
        ej_reply(r, 200, out);
}

/* ---- programmes ---- */

void ej_op_create_program(struct ej_req *r)
{
    json_t *out;
    if (ej_json_check(r, r->body, program_fields) == 0 && ej_check_external_id(r, r->body) == 0 &&
        ej_store_program_create(r, r->body, &out) == 0)
        created(r, "programs", out);
}

void ej_op_list_programs(struct ej_req *r)
{
    struct ej_roster_filter f;
    json_t *items;
    if (filters(r, &f, F_EXTERNAL, NULL, 0) == 0 && ej_store_program_list(r, &f, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_program(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_store_program_get(r, id, &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_update_program(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_if_match(r, &version) == 0 &&
        ej_json_check(r, r->body, program_update_fields) == 0 &&
        ej_check_external_id(r, r->body) == 0 &&
        ej_store_program_update(r, id, version, r->body, &out) == 0)
        ej_reply(r, 200, out);
}

/* ---- groups ---- */

void ej_op_create_group(struct ej_req *r)
{
    json_t *out;
    if (ej_json_check(r, r->body, group_fields) == 0 && ej_check_external_id(r, r->body) == 0 &&
        ej_store_group_create(r, r->body, &out) == 0)
        created(r, "groups", out);
}

void ej_op_list_groups(struct ej_req *r)
{
    struct ej_roster_filter f;
    json_t *items;
    if (filters(r, &f, F_YEAR | F_TEACHER | F_EXTERNAL, NULL, 0) == 0 &&
        ej_store_group_list(r, scopes(r, EJ_OBJ_GROUP), &f, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_group(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 &&
        ej_store_group_get(r, scopes(r, EJ_OBJ_GROUP), id, &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_update_group(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_if_match(r, &version) == 0 &&
        ej_json_check(r, r->body, group_update_fields) == 0 &&
        ej_check_external_id(r, r->body) == 0 &&
        ej_store_group_update(r, id, version, r->body, &out) == 0)
        ej_reply(r, 200, out);
}

/* ---- students ---- */

/* A birth date is not in the future: after today in Riga. */
static int birth_date_valid(struct ej_req *r, const json_t *b)
{
    const char *d = ej_json_str(b, "birth_date");
    char today[EJ_DATE_BUFSZ];
    ej_date_format(ej_riga_today(), today);
    return !d || strcmp(d, today) <= 0 ? 0
                                         : ej_invalid(r, "birth_date", "must not be in the future");
}

void ej_op_create_student(struct ej_req *r)
{
    json_t *out;
    if (ej_json_check(r, r->body, student_fields) == 0 && birth_date_valid(r, r->body) == 0 &&
        ej_check_external_id(r, r->body) == 0 &&
        ej_store_student_create(r, r->body, &out) == 0)
        created(r, "students", out);
}

void ej_op_list_students(struct ej_req *r)
{
    struct ej_roster_filter f;
    char q[128];
    json_t *items;
    if (filters(r, &f, F_GROUP | F_EXTERNAL, q, sizeof q) == 0 &&
        ej_store_student_list(r, scopes(r, EJ_OBJ_STUDENT), &f, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_student(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 &&
        ej_store_student_get(r, scopes(r, EJ_OBJ_STUDENT), id, &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_update_student(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_if_match(r, &version) == 0 &&
        ej_json_check(r, r->body, student_update_fields) == 0 &&
        ej_check_external_id(r, r->body) == 0 &&
        birth_date_valid(r, r->body) == 0 &&
        ej_store_student_update(r, id, version, r->body, &out) == 0)
        ej_reply(r, 200, out);
}

/* ---- guardians ---- */

void ej_op_list_guardians(struct ej_req *r)
{
    int64_t id;
    json_t *items;
    if (ej_param_id(r, 0, &id) == 0 &&
        ej_store_student_visible(r, scopes(r, EJ_OBJ_GUARDIANS), id) == 0 &&
        ej_store_guardian_list(r, id, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_link_guardian(struct ej_req *r)
{
    int64_t id, user_id;
    json_t *items;
    if (ej_param_id(r, 0, &id) == 0 && ej_param_id(r, 1, &user_id) == 0 &&
        (!r->body || ej_json_check(r, r->body, no_fields) == 0) &&
        ej_store_guardian_link(r, id, user_id) == 0 && ej_store_guardian_list(r, id, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_unlink_guardian(struct ej_req *r)
{
    int64_t id, user_id;
    if (ej_param_id(r, 0, &id) == 0 && ej_param_id(r, 1, &user_id) == 0 &&
        ej_store_guardian_unlink(r, id, user_id) == 0)
        ej_reply_empty(r, 204);
}

/* ---- enrollments ---- */

/* §8: the withdrawal note is about the family; who may not read attendance
 * (staff) sees the withdrawal without it. */
static void hide_withdrawal_note(struct ej_req *r, json_t *enrollment)
{
    json_t *w = json_object_get(enrollment, "withdrawal");
    if (json_is_object(w) && !ej_read_scopes(r->who.roles, EJ_OBJ_ATTENDANCE))
        json_object_del(w, "note");
}

void ej_op_create_enrollment(struct ej_req *r)
{
    int64_t group_id;
    json_t *out;
    if (ej_param_id(r, 0, &group_id) == 0 && ej_json_check(r, r->body, enrollment_fields) == 0 &&
        ej_store_enrollment_create(r, group_id, r->body, &out) == 0)
        created(r, "enrollments", out);
}

void ej_op_list_enrollments(struct ej_req *r)
{
    int64_t group_id;
    struct ej_roster_filter f;
    char status[16];
    json_t *group, *items;
    if (ej_param_id(r, 0, &group_id) != 0 || filters(r, &f, 0, NULL, 0) != 0)
        return;
    int got = ej_query(r, "status", status, sizeof status);
    if (got < 0)
        return;
    if (got && strcmp(status, "active") != 0 && strcmp(status, "withdrawn") != 0) {
        ej_problem(r, 400, "invalid_query", "status must be active or withdrawn.");
        return;
    }
    f.status = got ? status : NULL;
    if (ej_store_group_get(r, scopes(r, EJ_OBJ_ROSTER), group_id, &group) != 0)
        return;
    json_decref(group);
    r->etag[0] = '\0';
    if (ej_store_enrollment_list(r, group_id, &f, &items) != 0)
        return;
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) hide_withdrawal_note(r, e);
    ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_enrollment(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 &&
        ej_store_enrollment_get(r, scopes(r, EJ_OBJ_ROSTER), scopes(r, EJ_OBJ_STUDENT), id,
                                &out) == 0) {
        hide_withdrawal_note(r, out);
        ej_reply(r, 200, out);
    }
}

void ej_op_withdraw_enrollment(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_json_check(r, r->body, withdraw_fields) == 0 &&
        ej_store_enrollment_withdraw(r, id, r->body, &out) == 0)
        ej_reply(r, 200, out);
}

/* Before a withdrawal: whose access it would end (§11), for the superuser deciding (issue 12). */
void ej_op_withdrawal_preview(struct ej_req *r)
{
    int64_t id;
    json_t *out;
    if (ej_param_id(r, 0, &id) == 0 && ej_store_enrollment_withdrawal_preview(r, id, &out) == 0)
        ej_reply(r, 200, out);
}

static void row_error(json_t *errors, size_t row, const char *field, const char *message)
{
    json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field",
                                            field, "message", message));
}

/* An external id in a row (borrowed string, or NULL when absent) is valid. */
static void row_external_id(json_t *errors, size_t row, const json_t *obj, const char *key,
                            const char *field)
{
    const char *s = ej_json_str(obj, key);
    if (s && !ej_external_id_valid(s))
        row_error(errors, row, field,
                  "must be 1-64 characters, no control characters, no space at either end");
}

/* Type-checks every row; one error list for the whole import. A row names
 * its student, group and guardians by id or by external id (issue 11). */
static int import_rows_valid(struct ej_req *r, const json_t *rows)
{
    json_t *errors = json_array(), *row;
    size_t i;
    json_array_foreach(rows, i, row) {
        if (ej_json_row_check(row, import_row_fields, (long)i, errors))
            continue;
        int ways = ej_json_has(row, "student_id") + ej_json_has(row, "student_external_id") +
                   ej_json_has(row, "student");
        if (ways != 1)
            row_error(errors, i, "student",
                      "give one of student_id, student_external_id or student");
        else if (ej_json_has(row, "student")) {
            const json_t *s = json_object_get(row, "student");
            if (ej_json_row_check(s, import_student_fields, (long)i, errors) == 0) {
                row_external_id(errors, i, s, "external_id", "student");
                if (!ej_json_str(s, "external_id") && !ej_json_str(s, "birth_date"))
                    row_error(errors, i, "student",
                              "birth_date is required for a student without external_id");
            }
        }
        if (ej_json_has(row, "group_id") == ej_json_has(row, "group_external_id"))
            row_error(errors, i, "group_id", "give either group_id or group_external_id");
        if (ej_json_has(row, "guardian_ids") && ej_json_has(row, "guardian_external_ids"))
            row_error(errors, i, "guardian_ids",
                      "give guardian_ids or guardian_external_ids, not both");
        row_external_id(errors, i, row, "student_external_id", "student_external_id");
        row_external_id(errors, i, row, "group_external_id", "group_external_id");
        size_t k;
        json_t *g;
        json_array_foreach(json_object_get(row, "guardian_external_ids"), k, g) {
            if (!ej_external_id_valid(json_string_value(g)))
                row_error(errors, i, "guardian_external_ids",
                          "every item must be 1-64 characters, no control characters, no space at either end");
        }
    }
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return 0;
    }
    ej_problem(r, 422, "import_invalid", "%zu problem(s) in the import; nothing was created.",
               json_array_size(errors));
    json_object_set_new(r->out, "errors", errors);
    return -1;
}

void ej_op_import_enrollments(struct ej_req *r)
{
    json_t *out;
    char dry[8];
    int got = ej_query(r, "dry_run", dry, sizeof dry);
    if (got < 0)
        return;
    if (got && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
        ej_problem(r, 400, "invalid_query", "dry_run must be true or false.");
        return;
    }
    bool dry_run = got && strcmp(dry, "true") == 0;
    if (ej_json_check(r, r->body, import_fields) != 0)
        return;
    const json_t *rows = json_object_get(r->body, "rows");
    if (import_rows_valid(r, rows) != 0 || ej_store_import_enrollments(r, rows, &out) != 0)
        return;
    /* A dry run (issue 11, ejournal-sync push-roster --dry-run) does all of
     * it, reports what would happen, and rolls it back: the report is the
     * real one, not a guess. */
    json_object_set_new(out, "dry_run", json_boolean(dry_run));
    if (dry_run) {
        ej_db_rollback(&r->db);
        ej_reply(r, 200, out);
    } else {
        ej_reply(r, 201, out);
    }
}
