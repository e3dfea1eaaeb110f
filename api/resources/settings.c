/* Settings (§22): what the director regulates by order where the rules are
 * open: the institution's name and address (§1–§3), how many working days a
 * teacher has for an entry (§13), how many quality reviews a year needs
 * (§16), and the absence reason codes (§14). Everyone signed in reads them
 * (clients show the deadline rule); the director and the superuser change
 * them (the route table), with If-Match. */
#include "resources/resources.h"

#include "core/json.h"
#include "store/settings.h"

#include <stdio.h>
#include <string.h>

#define END {NULL, 0, 0, 0}
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
static const struct ej_field reason_update_fields[] = {
    {"name", EJ_F_STRING, EJ_F_NAME, 100},
    {"excused", EJ_F_BOOL, 0, 0},
    {"active", EJ_F_BOOL, 0, 0},
    END};

/* 422 naming field unless the integer in body is within lo..hi (or absent). */
static int in_range(struct ej_req *r, const json_t *body, const char *field, long lo, long hi)
{
    const json_t *v = json_object_get(body, field);
    if (!v || (json_integer_value(v) >= lo && json_integer_value(v) <= hi))
        return 0;
    char msg[64];
    snprintf(msg, sizeof msg, "must be from %ld to %ld", lo, hi);
    return ej_invalid(r, field, msg);
}

void ej_op_get_settings(struct ej_req *r)
{
    json_t *out;
    if (ej_store_settings_get(r, &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_update_settings(struct ej_req *r)
{
    int64_t version;
    json_t *out;
    if (ej_if_match(r, &version) == 0 && ej_json_check(r, r->body, settings_fields) == 0 &&
        in_range(r, r->body, "entry_deadline_working_days", 1, 10) == 0 &&
        in_range(r, r->body, "required_quality_reviews", 0, 12) == 0 &&
        ej_store_settings_update(r, version, r->body, &out) == 0)
        ej_reply(r, 200, out);
}

/* ---- absence reason codes ---------------------------------------------------------------- */

/* A code as the database allows it: a lower-case letter, then up to 39 of
 * a-z, 0-9 and _ (0006_journal.sql). */
static bool valid_code(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 40 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* The {code} of the path: one that cannot exist is 404 like an unknown one. */
static const char *path_code(struct ej_req *r)
{
    const char *code = r->nparams ? r->params[0] : NULL;
    if (!valid_code(code)) {
        ej_problem(r, 404, "not_found", "No such absence reason code.");
        return NULL;
    }
    return code;
}

void ej_op_list_absence_reasons(struct ej_req *r)
{
    json_t *items;
    if (ej_store_absence_reason_list(r, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, 0));
}

void ej_op_create_absence_reason(struct ej_req *r)
{
    json_t *out;
    if (ej_json_check(r, r->body, reason_create_fields) != 0)
        return;
    const char *code = ej_json_str(r->body, "code");
    if (!valid_code(code)) {
        ej_invalid(r, "code", "must be a lower-case letter, then up to 39 of a-z, 0-9 and _");
        return;
    }
    if (ej_store_absence_reason_create(r, r->body, &out) == 0) {
        snprintf(r->location, sizeof r->location, "/api/v1/absence-reasons/%s", code);
        ej_reply(r, 201, out);
    }
}

void ej_op_get_absence_reason(struct ej_req *r)
{
    json_t *out;
    const char *code = path_code(r);
    if (code && ej_store_absence_reason_get(r, code, &out) == 0)
        ej_reply(r, 200, out);
}

void ej_op_update_absence_reason(struct ej_req *r)
{
    int64_t version;
    json_t *out;
    const char *code = path_code(r);
    if (code && ej_if_match(r, &version) == 0 &&
        ej_json_check(r, r->body, reason_update_fields) == 0 &&
        ej_store_absence_reason_update(r, code, version, r->body, &out) == 0)
        ej_reply(r, 200, out);
}
