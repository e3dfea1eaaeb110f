/* Settings (§22): what the director regulates by order where the rules are
 * open: the institution's name and address (§1–§3), how many working days a
 * teacher has for an entry (§13), how many quality reviews a year needs
 * (§16), and the absence reason codes (§14). Everyone signed in reads them
 * (clients show the deadline rule); the director and the superuser change
 * them (the route table), with If-Match. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/settings.h"
#include "store/settings.h"

#include <stdio.h>
#include <string.h>

#define END           \
    {                 \
        NULL, 0, 0, 0 \
    }
static const struct ej_field settings_fields[] = {
    {"institution_name", EJ_F_STRING, EJ_F_NAME | EJ_F_NULLABLE, 200},
    {"institution_address", EJ_F_STRING, EJ_F_NULLABLE, 500},
    {"entry_deadline_working_days", EJ_F_INT, 0, 0},
    {"required_quality_reviews", EJ_F_INT, 0, 0},
    END};
static const struct ej_field reason_create_fields[] = {
    {"code", EJ_F_STRING, EJ_F_REQUIRED, 40},
    {"name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 100},
    {"excused", EJ_F_BOOL, EJ_F_REQUIRED, 0},
    END};
static const struct ej_field reason_update_fields[] = {{"name", EJ_F_STRING, EJ_F_NAME, 100},
                                                       {"excused", EJ_F_BOOL, 0, 0},
                                                       {"active", EJ_F_BOOL, 0, 0},
                                                       END};

/* 422 naming field unless the integer in body is within its range
 * (rules/settings.h), or absent. */
static int in_range(struct ej_req *r, const json_t *body, const char *field)
{
    const json_t *v = json_object_get(body, field);
    long lo, hi;
    if (!v || ej_setting_in_range(field, (long)json_integer_value(v)) ||
        !ej_setting_range(field, &lo, &hi))
        return 0;
    char msg[64];
    snprintf(msg, sizeof msg, "must be from %ld to %ld", lo, hi);
    return ej_invalid(r, field, msg);
}

/* The problem of a failed store call: a stale If-Match in this resource's
 * words, else the generic mapping. */
static void store_failed(struct ej_req *r, enum ej_err e, const char *stale)
{
    if (e == EJ_ERR_STALE)
        ej_problem(r, 412, "precondition_failed", "%s", stale);
    else
        ej_problem_db(r, e);
}

void ej_op_get_settings(struct ej_req *r)
{
    json_t *out;
    int64_t version;
    enum ej_err e = ej_store_settings_get(&r->db, &out, &version);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    ej_set_etag(r, version);
    ej_reply(r, 200, out);
}

void ej_op_update_settings(struct ej_req *r)
{
    int64_t expected, version;
    json_t *out;
    if (ej_if_match(r, &expected) != 0 || ej_json_check(r, r->body, settings_fields) != 0 ||
        in_range(r, r->body, "entry_deadline_working_days") != 0 ||
        in_range(r, r->body, "required_quality_reviews") != 0)
        return;
    enum ej_err e = ej_store_settings_update(&r->db, expected, r->body, &out, &version);
    if (e != EJ_OK) {
        store_failed(r, e, "The settings were changed by someone else; reload and try again.");
        return;
    }
    ej_set_etag(r, version);
    ej_reply(r, 200, out);
}

/* ---- absence reason codes ---------------------------------------------------------------- */

static void no_such_code(struct ej_req *r)
{
    ej_problem(r, 404, "not_found", "No such absence reason code.");
}

/* The {code} of the path: one that cannot exist is 404 like an unknown one. */
static const char *path_code(struct ej_req *r)
{
    const char *code = r->nparams ? r->params[0] : NULL;
    if (!ej_reason_code_valid(code)) {
        no_such_code(r);
        return NULL;
    }
    return code;
}

void ej_op_list_absence_reasons(struct ej_req *r)
{
    json_t *items;
    enum ej_err e = ej_store_absence_reason_list(&r->db, &items);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_create_absence_reason(struct ej_req *r)
{
    json_t *out;
    if (ej_json_check(r, r->body, reason_create_fields) != 0)
        return;
    const char *code = ej_json_str(r->body, "code");
    if (!ej_reason_code_valid(code)) {
        ej_invalid(r, "code", "must be a lower-case letter, then up to 39 of a-z, 0-9 and _");
        return;
    }
    enum ej_err e = ej_store_absence_reason_create(
        &r->db, code, ej_json_str(r->body, "name"),
        json_is_true(json_object_get(r->body, "excused")), &out);
    if (e == EJ_ERR_CONFLICT) {
        ej_problem(r, 409, "absence_reason_exists",
                   "The absence reason code '%s' exists; change it with PATCH.", code);
        return;
    }
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    snprintf(r->location, sizeof r->location, "/api/v1/absence-reasons/%s", code);
    ej_set_etag(r, 1);
    ej_reply(r, 201, out);
}

void ej_op_get_absence_reason(struct ej_req *r)
{
    json_t *out;
    int64_t version;
    const char *code = path_code(r);
    if (!code)
        return;
    enum ej_err e = ej_store_absence_reason_get(&r->db, code, false, &out, &version);
    if (e == EJ_ERR_NOT_FOUND)
        no_such_code(r);
    else if (e != EJ_OK)
        ej_problem_db(r, e);
    else {
        ej_set_etag(r, version);
        ej_reply(r, 200, out);
    }
}

/* JSON true/false as 1/0, absent as -1 (kept). */
static int tristate(const json_t *v)
{
    return v ? json_is_true(v) : -1;
}

void ej_op_update_absence_reason(struct ej_req *r)
{
    int64_t expected, version;
    json_t *before, *out;
    const char *code = path_code(r);
    if (!code || ej_if_match(r, &expected) != 0 ||
        ej_json_check(r, r->body, reason_update_fields) != 0)
        return;
    enum ej_err e = ej_store_absence_reason_get(&r->db, code, true, &before, &version);
    if (e == EJ_ERR_NOT_FOUND) {
        no_such_code(r);
        return;
    }
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    int excused = tristate(json_object_get(r->body, "excused"));
    bool was_excused = json_is_true(json_object_get(before, "excused"));
    if (expected >= 0 && version != expected) {
        ej_problem(r, 412, "precondition_failed",
                   "The absence reason was changed by someone else; reload and try again.");
        goto out;
    }
    if (excused >= 0 && (excused == 1) != was_excused) {
        bool used;
        if ((e = ej_store_absence_reason_in_use(&r->db, code, &used)) != EJ_OK) {
            ej_problem_db(r, e);
            goto out;
        }
        if (!ej_reason_excused_change_allowed(was_excused, excused == 1, used)) {
            ej_problem(r, 409, "absence_reason_in_use",
                       "The code '%s' is on recorded absences or reports, whose meaning may not "
                       "change after the fact: add a new code and make this one inactive.",
                       code);
            goto out;
        }
    }
    e = ej_store_absence_reason_update(&r->db, code, before, ej_json_str(r->body, "name"), excused,
                                       tristate(json_object_get(r->body, "active")), &out,
                                       &version);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        goto out;
    }
    ej_set_etag(r, version);
    ej_reply(r, 200, out);
out:
    json_decref(before);
}
