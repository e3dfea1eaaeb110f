#include "core/json.h"

#include "core/utf8.h"
#include "rules/calendar.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int ej_json_depth(const char *text, size_t len, int limit)
{
    int depth = 0, max = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max) {
                max = depth;
                if (max > limit)
                    return limit + 1;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return max;
}

int ej_json_parse_body(struct ej_req *r)
{
    if (!r->body_text || r->body_len == 0)
        return ej_problem(r, 400, "malformed_json", "The request body must be a JSON object.");
    if (ej_json_depth(r->body_text, r->body_len, EJ_JSON_MAX_DEPTH) > EJ_JSON_MAX_DEPTH)
        return ej_problem(r, 400, "json_too_deep",
                          "JSON nesting deeper than %d levels is not accepted.", EJ_JSON_MAX_DEPTH);
    json_error_t error;
    json_t *v = json_loadb(r->body_text, r->body_len, JSON_REJECT_DUPLICATES, &error);
    if (!v) {
        if (json_error_code(&error) == json_error_invalid_utf8)
            return ej_problem(r, 400, "invalid_utf8", "The request body is not valid UTF-8.");
        return ej_problem(r, 400, "malformed_json", "Malformed JSON at line %d, column %d: %s.",
                          error.line, error.column, error.text);
    }
    if (!json_is_object(v)) {
        json_decref(v);
        return ej_problem(r, 400, "malformed_json", "The request body must be a JSON object.");
    }
    r->body = v;
    return 0;
}

size_t ej_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* One date parser: rules/calendar's (the same years, 1900-2200, and real dates only). */
bool ej_valid_date(const char *s)
{
    ej_day d;
    return ej_date_parse(s, &d);
}

static bool valid_time(const char *s)
{
    if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return false;
    return (s[0] - '0') * 10 + (s[1] - '0') < 24 && (s[3] - '0') * 10 + (s[4] - '0') < 60;
}

static const struct ej_field *find_field(const struct ej_field *fields, const char *key)
{
    for (const struct ej_field *f = fields; f->name; f++)
        if (strcmp(f->name, key) == 0)
            return f;
    return NULL;
}

/* Checks one value's type; returns NULL if fine, else the message. */
static const char *check_value(const struct ej_field *f, json_t *v, bool *semantic)
{
    size_t max = f->max ? f->max : 1000;
    *semantic = false;
    if (json_is_null(v))
        return (f->flags & EJ_F_NULLABLE) ? NULL : "must not be null";
    switch (f->type) {
    case EJ_F_STRING:
        if (!json_is_string(v))
            return "must be a string";
        if (ej_utf8_length(json_string_value(v)) > max) {
            *semantic = true;
            return "is too long";
        }
        if ((f->flags & EJ_F_NAME) && !ej_visible_text(json_string_value(v))) {
            *semantic = true;
            return "must contain a visible character";
        }
        return NULL;
    case EJ_F_INT: return json_is_integer(v) ? NULL : "must be an integer";
    case EJ_F_BOOL: return json_is_boolean(v) ? NULL : "must be true or false";
    case EJ_F_DATE:
        if (!json_is_string(v))
            return "must be a date string YYYY-MM-DD";
        *semantic = true;
        return ej_valid_date(json_string_value(v)) ? NULL : "must be a real date YYYY-MM-DD";
    case EJ_F_TIME:
        if (!json_is_string(v))
            return "must be a time string HH:MM";
        *semantic = true;
        return valid_time(json_string_value(v)) ? NULL : "must be a time HH:MM";
    case EJ_F_ID_ARRAY:
    case EJ_F_STRING_ARRAY: {
        if (!json_is_array(v))
            return "must be an array";
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (f->type == EJ_F_ID_ARRAY &&
                (!json_is_integer(item) || json_integer_value(item) <= 0))
                return "must be an array of positive integer ids";
            if (f->type == EJ_F_STRING_ARRAY && !json_is_string(item))
                return "must be an array of strings";
        }
        if (json_array_size(v) > max) {
            *semantic = true;
            return "has too many items";
        }
        return NULL;
    }
    case EJ_F_OBJECT: return json_is_object(v) ? NULL : "must be an object";
    case EJ_F_ARRAY:
        if (!json_is_array(v))
            return "must be an array";
        if (json_array_size(v) > max) {
            *semantic = true;
            return "has too many items";
        }
        return NULL;
    }
    return "has an unsupported type";
}

int ej_json_check(struct ej_req *r, json_t *obj, const struct ej_field *fields)
{
    if (!json_is_object(obj))
        return ej_problem(r, 400, "malformed_json", "Expected a JSON object.");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (!find_field(fields, key)) {
            char echo[EJ_ECHO_BUFSZ];
            ej_problem(r, 400, "unknown_field", "Unknown field '%s'.", ej_utf8_echo(key, echo));
            ej_problem_field(r, echo, "is not a field of this resource");
            return -1;
        }
    }
    /* Type errors first (400), then semantic and missing ones (422). */
    for (int pass = 0; pass < 2; pass++) {
        bool any = false;
        for (const struct ej_field *f = fields; f->name; f++) {
            json_t *val = json_object_get(obj, f->name);
            const char *msg = NULL;
            bool semantic = true;
            if (!val) {
                if (f->flags & EJ_F_REQUIRED)
                    msg = "is required";
            } else {
                msg = check_value(f, val, &semantic);
            }
            if (!msg || semantic != (pass == 1))
                continue;
            if (!any) {
                if (pass == 0)
                    ej_problem(r, 400, "invalid_field", "Field '%s' %s.", f->name, msg);
                else
                    ej_problem(r, 422, "validation_failed", "Field '%s' %s.", f->name, msg);
            }
            any = true;
            ej_problem_field(r, f->name, msg);
        }
        if (any)
            return -1;
    }
    return 0;
}

static void row_error(json_t *errors, long row, const char *field, const char *message)
{
    json_array_append_new(errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field",
                                            field, "message", message));
}

size_t ej_json_row_check(const json_t *obj, const struct ej_field *fields, long row, json_t *errors)
{
    size_t before = json_array_size(errors);
    if (!json_is_object(obj)) {
        row_error(errors, row, "", "must be an object");
        return 1;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!find_field(fields, key))
            row_error(errors, row, key, "is not a field of a row");
    }
    for (const struct ej_field *f = fields; f->name; f++) {
        json_t *val = json_object_get(obj, f->name);
        bool semantic;
        const char *msg = val                          ? check_value(f, val, &semantic)
                          : (f->flags & EJ_F_REQUIRED) ? "is required"
                                                       : NULL;
        if (msg)
            row_error(errors, row, f->name, msg);
    }
    return json_array_size(errors) - before;
}

/* Decodes the code point at *s (valid UTF-8 assumed; a stray byte counts as itself) and
 * advances *s past it. */
static unsigned long next_code_point(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned long c = *p++;
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (more)
        c &= 0x3Fu >> more;
    for (; more > 0 && (*p & 0xC0) == 0x80; more--)
        c = (c << 6) | (*p++ & 0x3F);
    *s = p;
    return c;
}

/* White space, controls and the format characters that show nothing. */
static bool invisible(unsigned long c)
{
    static const unsigned long ranges[][2] = {
        {0x0000, 0x0020}, {0x007F, 0x00A0}, {0x00AD, 0x00AD},   {0x034F, 0x034F},
        {0x061C, 0x061C}, {0x115F, 0x1160}, {0x1680, 0x1680},   {0x17B4, 0x17B5},
        {0x180B, 0x180F}, {0x2000, 0x200F}, {0x2028, 0x202F},   {0x205F, 0x206F},
        {0x3000, 0x3000}, {0x3164, 0x3164}, {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},
        {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFB}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1])
            return true;
    return false;
}

bool ej_visible_text(const char *s)
{
    if (!s)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    while (*p)
        if (!invisible(next_code_point(&p)))
            return true;
    return false;
}

bool ej_blank(const char *s)
{
    return s && s[strspn(s, " \t\r\n")] == '\0';
}

const char *ej_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

bool ej_json_has(const json_t *obj, const char *key)
{
    return json_object_get(obj, key) != NULL;
}

bool ej_external_id_valid(const char *s)
{
    size_t n = ej_utf8_length(s), len = strlen(s);
    if (n < 1 || n > 64 || s[0] == ' ' || s[len - 1] == ' ')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return false; /* C0, DEL and C1 controls */
    return true;
}

int ej_check_external_id(struct ej_req *r, const json_t *body)
{
    const char *s = ej_json_str(body, "external_id");
    if (!s || ej_external_id_valid(s))
        return 0;
    return ej_invalid(r, "external_id",
                      "must be 1-64 characters, no control characters, no space at either end");
}
