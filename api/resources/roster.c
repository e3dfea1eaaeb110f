/* Roster (§4, §11, §12, §20): school years, programmes, groups, students,
 * guardians, enrollments, withdrawal and bulk registration. The superuser
 * writes; reads are filtered by api/rules/access.h. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "rules/roster.h"
#include "rules/years.h"
#include "store/entity.h"
#include "store/roster.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define END           \
    {                 \
        NULL, 0, 0, 0 \
    }
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
static const struct ej_field withdraw_fields[] = {{"application_date", EJ_F_DATE, EJ_F_REQUIRED, 0},
                                                  {"effective_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
                                                  {"note", EJ_F_STRING, EJ_F_NULLABLE, 2000},
                                                  END};
static const struct ej_field import_fields[] = {{"rows", EJ_F_ARRAY, EJ_F_REQUIRED, 5000}, END};
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

/* Replies with a record (stolen) and its ETag (version -1: none). */
static void reply_row(struct ej_req *r, int status, json_t *obj, int64_t version)
{
    if (version >= 0)
        ej_set_etag(r, version);
    ej_reply(r, status, obj);
}

static void created(struct ej_req *r, const char *collection, json_t *obj, int64_t version)
{
    snprintf(r->location, sizeof r->location, "/api/v1/%s/%lld", collection,
             (long long)json_integer_value(json_object_get(obj, "id")));
    reply_row(r, 201, obj, version);
}

/* A page of a list, or the store's error. */
static void reply_page(struct ej_req *r, enum ej_err e, json_t *items, int limit)
{
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, limit));
}

/* A store error of a write that may break an external id's uniqueness. */
static int write_problem(struct ej_req *r, enum ej_err e, const char *what)
{
    if (e == EJ_ERR_CONFLICT && ej_entity_external_id_taken(&r->db))
        return ej_problem_external_id_taken(r);
    return ej_problem_entity(r, e, what);
}

static bool failed_on(const struct ej_req *r, enum ej_err e, const char *constraint)
{
    return e == EJ_ERR_CONFLICT && strcmp(r->db.constraint, constraint) == 0;
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
    int64_t version;
    const json_t *b = r->body;
    if (ej_json_check(r, r->body, school_year_fields) != 0 ||
        dates_ordered(r, ej_json_str(b, "starts_on"), ej_json_str(b, "ends_on"), "ends_on",
                      "must be after starts_on") != 0 ||
        year_length_valid(r, b) != 0)
        return;
    enum ej_err e = ej_store_school_year_create(&r->db, b, &out, &version);
    if (failed_on(r, e, EJ_ROSTER_YEAR_NAME_KEY))
        ej_problem(r, 409, "school_year_exists", "A school year with this name exists.");
    else if (e != EJ_OK)
        ej_problem_entity(r, e, "school_year");
    else
        created(r, "school-years", out, version);
}

void ej_op_list_school_years(struct ej_req *r)
{
    struct ej_roster_filter f;
    json_t *items;
    if (filters(r, &f, 0, NULL, 0) != 0)
        return;
    enum ej_err e = ej_store_school_year_list(&r->db, &f, &items);
    reply_page(r, e, items, f.limit);
}

void ej_op_get_school_year(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_school_year_get(&r->db, id, &out, &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "school year");
    else
        reply_row(r, 200, out, version);
}

void ej_op_close_school_year(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0 || (r->body && ej_json_check(r, r->body, no_fields) != 0))
        return;
    enum ej_err e = ej_store_school_year_close(&r->db, id, &out, &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "school_year");
    else
        reply_row(r, 200, out, version);
}

/* ---- programmes ---- */

static int program_problem(struct ej_req *r, enum ej_err e)
{
    if (failed_on(r, e, EJ_ROSTER_PROGRAM_CODE_KEY))
        return ej_problem(r, 409, "program_code_taken", "A programme with this code exists.");
    return write_problem(r, e, "program");
}

void ej_op_create_program(struct ej_req *r)
{
    json_t *out;
    int64_t version;
    if (ej_json_check(r, r->body, program_fields) != 0 || ej_check_external_id(r, r->body) != 0)
        return;
    enum ej_err e = ej_store_program_create(&r->db, r->body, &out, &version);
    if (e != EJ_OK)
        program_problem(r, e);
    else
        created(r, "programs", out, version);
}

void ej_op_list_programs(struct ej_req *r)
{
    struct ej_roster_filter f;
    json_t *items;
    if (filters(r, &f, F_EXTERNAL, NULL, 0) != 0)
        return;
    enum ej_err e = ej_store_program_list(&r->db, &f, &items);
    reply_page(r, e, items, f.limit);
}

void ej_op_get_program(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_program_get(&r->db, id, &out, &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "programme");
    else
        reply_row(r, 200, out, version);
}

void ej_op_update_program(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, program_update_fields) != 0 ||
        ej_check_external_id(r, r->body) != 0)
        return;
    enum ej_err e = ej_store_program_update(&r->db, id, version, r->body, &out, &version);
    if (e != EJ_OK)
        program_problem(r, e);
    else
        reply_row(r, 200, out, version);
}

/* ---- groups ---- */

static int group_problem(struct ej_req *r, enum ej_err e)
{
    if (failed_on(r, e, EJ_ROSTER_GROUP_NAME_KEY))
        return ej_problem(r, 409, "group_name_taken",
                          "This school year already has a group of that name.");
    return write_problem(r, e, "group");
}

/* 422 naming every id in teacher_ids that is not a user with role teacher. */
static int teachers_valid(struct ej_req *r, const json_t *ids)
{
    json_t *bad;
    enum ej_err e = ej_store_not_teachers(&r->db, ids, &bad);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    int rc = 0;
    if (json_array_size(bad) > 0) {
        char *list = json_dumps(bad, JSON_COMPACT);
        ej_problem(r, 422, "validation_failed", "teacher_ids: %s are not teachers.", list);
        ej_problem_field(r, "teacher_ids", "every id must be a user with the role teacher");
        free(list);
        rc = -1;
    }
    json_decref(bad);
    return rc;
}

/* §18: a group goes only into an open school year that exists (422 if not). */
static int group_year_open(struct ej_req *r, int64_t year_id)
{
    struct ej_year_facts y;
    enum ej_err e = ej_store_school_year_facts(&r->db, year_id, &y);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    if (!y.found) {
        ej_problem(r, 422, "validation_failed", "Field 'school_year_id' refers to no school year.");
        ej_problem_field(r, "school_year_id", "refers to a record that does not exist");
        return -1;
    }
    return ej_year_write_verdict(y.closed) == EJ_YEAR_WRITABLE ? 0 : ej_problem_year_closed(r);
}

void ej_op_create_group(struct ej_req *r)
{
    json_t *out;
    int64_t version;
    if (ej_json_check(r, r->body, group_fields) != 0 || ej_check_external_id(r, r->body) != 0 ||
        group_year_open(r, json_integer_value(json_object_get(r->body, "school_year_id"))) != 0 ||
        teachers_valid(r, json_object_get(r->body, "teacher_ids")) != 0)
        return;
    enum ej_err e = ej_store_group_create(&r->db, r->body, &out, &version);
    if (e != EJ_OK)
        group_problem(r, e);
    else
        created(r, "groups", out, version);
}

void ej_op_list_groups(struct ej_req *r)
{
    struct ej_roster_filter f;
    json_t *items;
    if (filters(r, &f, F_YEAR | F_TEACHER | F_EXTERNAL, NULL, 0) != 0)
        return;
    enum ej_err e = ej_store_group_list(&r->db, &r->who, scopes(r, EJ_OBJ_GROUP), &f, &items);
    reply_page(r, e, items, f.limit);
}

void ej_op_get_group(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_group_get(&r->db, &r->who, scopes(r, EJ_OBJ_GROUP), id, &out,
                                       &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "group");
    else
        reply_row(r, 200, out, version);
}

void ej_op_update_group(struct ej_req *r)
{
    int64_t id, version;
    json_t *before, *out;
    struct ej_group_facts g;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, group_update_fields) != 0 ||
        ej_check_external_id(r, r->body) != 0)
        return;
    enum ej_err e = ej_store_group_lock(&r->db, id, &before, &g);
    if (e != EJ_OK) {
        ej_problem_entity(r, e, "group");
        return;
    }
    if (ej_year_write_verdict(g.year_closed) != EJ_YEAR_WRITABLE)
        ej_problem_year_closed(r);
    else if (version >= 0 && g.version != version)
        ej_problem_entity(r, EJ_ERR_STALE, "group");
    else if (teachers_valid(r, json_object_get(r->body, "teacher_ids")) == 0) {
        e = ej_store_group_update(&r->db, id, before, r->body, &out, &version);
        if (e != EJ_OK)
            group_problem(r, e);
        else
            reply_row(r, 200, out, version);
    }
    json_decref(before);
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

/* 422/409 unless user_id (when given) is a student account not linked to another student. */
static int student_user_valid(struct ej_req *r, const json_t *uid, int64_t self)
{
    if (!json_is_integer(uid))
        return 0;
    struct ej_student_user_facts f;
    enum ej_err e = ej_store_student_user_facts(&r->db, json_integer_value(uid), self, &f);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    switch (ej_student_user_verdict(&f)) {
    case EJ_STUDENT_USER_NOT_STUDENT:
        ej_problem(r, 422, "validation_failed",
                   "user_id must be an account with the role student.");
        ej_problem_field(r, "user_id", "must be a user with the role student");
        return -1;
    case EJ_STUDENT_USER_TAKEN:
        return ej_problem(r, 409, "user_already_linked",
                          "This account already belongs to another student.");
    case EJ_STUDENT_USER_OK: break;
    }
    return 0;
}

void ej_op_create_student(struct ej_req *r)
{
    json_t *out;
    int64_t version;
    if (ej_json_check(r, r->body, student_fields) != 0 || birth_date_valid(r, r->body) != 0 ||
        ej_check_external_id(r, r->body) != 0 ||
        student_user_valid(r, json_object_get(r->body, "user_id"), 0) != 0)
        return;
    enum ej_err e = ej_store_student_create(&r->db, r->body, &out, &version);
    if (e != EJ_OK)
        write_problem(r, e, "student");
    else
        created(r, "students", out, version);
}

void ej_op_list_students(struct ej_req *r)
{
    struct ej_roster_filter f;
    char q[128];
    json_t *items;
    if (filters(r, &f, F_GROUP | F_EXTERNAL, q, sizeof q) != 0)
        return;
    enum ej_err e = ej_store_student_list(&r->db, &r->who, scopes(r, EJ_OBJ_STUDENT), &f, &items);
    reply_page(r, e, items, f.limit);
}

void ej_op_get_student(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_student_get(&r->db, &r->who, scopes(r, EJ_OBJ_STUDENT), id, &out,
                                         &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "student");
    else
        reply_row(r, 200, out, version);
}

void ej_op_update_student(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, student_update_fields) != 0 ||
        ej_check_external_id(r, r->body) != 0 || birth_date_valid(r, r->body) != 0 ||
        student_user_valid(r, json_object_get(r->body, "user_id"), id) != 0)
        return;
    enum ej_err e = ej_store_student_update(&r->db, id, version, r->body, &out, &version);
    if (e != EJ_OK)
        write_problem(r, e, "student");
    else
        reply_row(r, 200, out, version);
}

/* ---- guardians ---- */

/* The student's guardians, when the student is visible in these scopes. */
static void reply_guardians(struct ej_req *r, int64_t id)
{
    json_t *items;
    enum ej_err e = ej_store_guardian_list(&r->db, id, &items);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_list_guardians(struct ej_req *r)
{
    int64_t id;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_student_visible(&r->db, &r->who, scopes(r, EJ_OBJ_GUARDIANS), id);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "student");
    else
        reply_guardians(r, id);
}

void ej_op_link_guardian(struct ej_req *r)
{
    int64_t id, user_id;
    struct ej_guardian_facts f;
    if (ej_param_id(r, 0, &id) != 0 || ej_param_id(r, 1, &user_id) != 0 ||
        (r->body && ej_json_check(r, r->body, no_fields) != 0))
        return;
    enum ej_err e = ej_store_guardian_facts(&r->db, id, user_id, &f);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    switch (ej_guardian_verdict(&f)) {
    case EJ_GUARDIAN_NO_STUDENT: ej_problem_entity(r, EJ_ERR_NOT_FOUND, "student"); return;
    case EJ_GUARDIAN_NOT_GUARDIAN:
        ej_problem(r, 422, "not_a_guardian", "The user does not have the role guardian.");
        ej_problem_field(r, "user_id", "must be a user with the role guardian");
        return;
    case EJ_GUARDIAN_OK: break;
    }
    e = ej_store_guardian_link(&r->db, id, user_id);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        reply_guardians(r, id);
}

void ej_op_unlink_guardian(struct ej_req *r)
{
    int64_t id, user_id;
    if (ej_param_id(r, 0, &id) != 0 || ej_param_id(r, 1, &user_id) != 0)
        return;
    enum ej_err e = ej_store_guardian_unlink(&r->db, id, user_id);
    if (e == EJ_ERR_NOT_FOUND)
        ej_problem(r, 404, "not_found", "This user is not a guardian of this student.");
    else if (e != EJ_OK)
        ej_problem_db(r, e);
    else
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

/* §4 §18: the refusal of a new enrollment, from its facts. 0 when it may be made. */
static int enrollment_allowed(struct ej_req *r, int64_t group_id, const json_t *body)
{
    struct ej_enrollment_facts f;
    enum ej_err e = ej_store_enrollment_facts(
        &r->db, group_id, json_integer_value(json_object_get(body, "student_id")),
        ej_json_str(body, "starts_on"), &f);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    switch (ej_enrollment_verdict(&f)) {
    case EJ_ENROLL_NO_GROUP: return ej_problem_entity(r, EJ_ERR_NOT_FOUND, "group");
    case EJ_ENROLL_YEAR_CLOSED: return ej_problem_year_closed(r);
    case EJ_ENROLL_NO_STUDENT:
        ej_problem(r, 422, "validation_failed", "Field 'student_id' refers to no student.");
        ej_problem_field(r, "student_id", "refers to a record that does not exist");
        return -1;
    case EJ_ENROLL_OUTSIDE_YEAR:
        ej_problem(r, 422, "validation_failed",
                   "starts_on must be inside the group's school year.");
        ej_problem_field(r, "starts_on", "must be inside the group's school year");
        return -1;
    case EJ_ENROLL_ALREADY:
        return ej_problem(r, 409, "already_enrolled",
                          "The student is already enrolled in this group.");
    case EJ_ENROLL_OK: break;
    }
    return 0;
}

void ej_op_create_enrollment(struct ej_req *r)
{
    int64_t group_id, version;
    json_t *out;
    if (ej_param_id(r, 0, &group_id) != 0 || ej_json_check(r, r->body, enrollment_fields) != 0 ||
        enrollment_allowed(r, group_id, r->body) != 0)
        return;
    enum ej_err e = ej_store_enrollment_create(&r->db, group_id, r->body, &out, &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "enrollment");
    else
        created(r, "enrollments", out, version);
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
    /* The roster is listed only when the group is visible in the roster's scopes. */
    enum ej_err e = ej_store_group_get(&r->db, &r->who, scopes(r, EJ_OBJ_ROSTER), group_id, &group,
                                       NULL);
    if (e != EJ_OK) {
        ej_problem_entity(r, e, "group");
        return;
    }
    json_decref(group);
    e = ej_store_enrollment_list(&r->db, group_id, &f, &items);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    size_t i;
    json_t *en;
    json_array_foreach(items, i, en)
        hide_withdrawal_note(r, en);
    ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_enrollment(struct ej_req *r)
{
    int64_t id, version;
    json_t *out;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_enrollment_get(&r->db, &r->who, scopes(r, EJ_OBJ_ROSTER),
                                            scopes(r, EJ_OBJ_STUDENT), id, &out, &version);
    if (e != EJ_OK) {
        ej_problem_entity(r, e, "enrollment");
        return;
    }
    hide_withdrawal_note(r, out);
    reply_row(r, 200, out, version);
}

/* §11 §18: the refusal of a withdrawal, from the facts of the locked enrollment. */
static int withdrawal_allowed(struct ej_req *r, int64_t id, const char *effective_on)
{
    struct ej_withdrawal_facts f;
    enum ej_err e = ej_store_withdrawal_facts(&r->db, id, effective_on, &f);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    switch (ej_withdrawal_verdict(&f)) {
    case EJ_WITHDRAW_NOT_FOUND: return ej_problem_entity(r, EJ_ERR_NOT_FOUND, "enrollment");
    case EJ_WITHDRAW_ALREADY:
        return ej_problem(r, 409, "already_withdrawn", "This enrollment was already withdrawn.");
    case EJ_WITHDRAW_YEAR_CLOSED: return ej_problem_year_closed(r);
    case EJ_WITHDRAW_BEFORE_START:
        ej_problem(r, 422, "validation_failed", "effective_on must not be before starts_on.");
        ej_problem_field(r, "effective_on", "must not be before the enrollment's starts_on");
        return -1;
    case EJ_WITHDRAW_OK: break;
    }
    return 0;
}

void ej_op_withdraw_enrollment(struct ej_req *r)
{
    int64_t id, version;
    json_t *before = NULL, *after = NULL, *enrollment = NULL;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, withdraw_fields) != 0 ||
        withdrawal_allowed(r, id, ej_json_str(r->body, "effective_on")) != 0)
        return;
    /* §11: whose access ends is who had it before the withdrawal and not after. */
    enum ej_err e = ej_store_enrollment_access(&r->db, id, &before);
    if (e == EJ_OK)
        e = ej_store_enrollment_withdraw(&r->db, id, r->body, &enrollment, &version);
    if (e == EJ_OK)
        e = ej_store_enrollment_access(&r->db, id, &after);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "enrollment");
    else
        reply_row(r, 200,
                  json_pack("{s:O, s:o}", "enrollment", enrollment, "revoked_user_ids",
                            ej_access_ended(before, after)),
                  version);
    json_decref(before);
    json_decref(after);
    json_decref(enrollment);
}

/* Before a withdrawal: whose access it would end (§11), for the superuser deciding (issue 12). */
void ej_op_preview_withdrawal(struct ej_req *r)
{
    int64_t id;
    bool found, withdrawn;
    json_t *candidates;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_withdrawal_candidates(&r->db, id, &found, &withdrawn, &candidates);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    if (!found) {
        ej_problem_entity(r, EJ_ERR_NOT_FOUND, "enrollment");
        return;
    }
    json_t *ends = json_array(), *c;
    size_t i;
    json_array_foreach(candidates, i, c) {
        struct ej_access_candidate a = {
            .employee = json_is_true(json_object_get(c, "employee")),
            .keeps_as_student = json_is_true(json_object_get(c, "keeps_as_student")),
            .keeps_as_guardian = json_is_true(json_object_get(c, "keeps_as_guardian")),
        };
        if (ej_withdrawal_ends_access(&a))
            json_array_append_new(ends, json_pack("{s:O, s:O, s:O}", "user_id",
                                                  json_object_get(c, "user_id"), "full_name",
                                                  json_object_get(c, "full_name"), "as",
                                                  json_object_get(c, "as")));
    }
    json_decref(candidates);
    ej_reply(r, 200,
             json_pack("{s:I, s:b, s:o}", "enrollment_id", (json_int_t)id, "withdrawn", withdrawn,
                       "access_ends", ends));
}

static size_t import_student_typed(const json_t *student, long row, json_t *errors)
{
    return ej_json_row_check(student, import_student_fields, row, errors);
}

/* Type-checks every row, then the rules between its fields (rules/roster.h);
 * one error list for the whole import. */
static int import_rows_valid(struct ej_req *r, const json_t *rows)
{
    static const struct ej_import_checks checks = {import_student_typed, ej_external_id_valid};
    json_t *errors = json_array(), *row;
    size_t i;
    json_array_foreach(rows, i, row) {
        if (ej_json_row_check(row, import_row_fields, (long)i, errors) == 0)
            ej_import_row_rules(row, i, errors, &checks);
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

/* §18, then the references and conflicts the store found: the problem, with
 * errors [{row, field, message}], or 0 when the import may be made. */
static int import_allowed(struct ej_req *r, const json_t *rows)
{
    json_t *closed = NULL, *errors = NULL;
    enum ej_err e = ej_store_import_closed_rows(&r->db, rows, &closed);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    int rc = 0;
    if (json_array_size(closed) > 0) {
        /* Every write into a closed year's journal answers the same, naming each row. */
        ej_problem_year_closed(r);
        size_t i;
        json_t *v;
        json_array_foreach(closed, i, v) {
            ej_problem_row(r, (long)json_integer_value(v), "group_id",
                           "the group's school year is closed");
        }
        rc = -1;
    }
    json_decref(closed);
    if (rc != 0)
        return rc;
    e = ej_store_import_problems(&r->db, rows, &errors);
    if (e != EJ_OK)
        return ej_problem_db(r, e);
    if (json_array_size(errors) > 0) {
        ej_problem(r, 422, "import_invalid", "%zu problem(s) in the import; nothing was created.",
                   json_array_size(errors));
        json_object_set(r->out, "errors", errors);
        rc = -1;
    }
    json_decref(errors);
    return rc;
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
    if (import_rows_valid(r, rows) != 0 || import_allowed(r, rows) != 0)
        return;
    enum ej_err e = ej_store_import_enrollments(&r->db, rows, &out);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
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
