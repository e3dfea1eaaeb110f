/* Strict JSON input: depth bounded before parsing, duplicate keys refused,
 * unknown fields refused, types checked, in one call per body. */
#ifndef EJ_CORE_JSON_H
#define EJ_CORE_JSON_H

#include "core/req.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define EJ_JSON_MAX_DEPTH 32

/* Returns the maximum nesting depth of arrays/objects in text, stopping early
 * (returning limit + 1) once it exceeds limit. Strings and escapes are skipped,
 * so brackets inside strings don't count. Iterative: safe on small stacks. */
int ej_json_depth(const char *text, size_t len, int limit);

/* Parses r->body_text into r->body. Refuses depth > EJ_JSON_MAX_DEPTH
 * (400 json_too_deep), invalid UTF-8 (400 invalid_utf8), anything else that
 * is not one JSON object (400 malformed_json). Returns 0 or -1 (problem set). */
int ej_json_parse_body(struct ej_req *r);

enum ej_ftype {
    EJ_F_STRING,
    EJ_F_INT,
    EJ_F_BOOL,
    EJ_F_DATE,     /* "YYYY-MM-DD", checked to be a real date */
    EJ_F_TIME,     /* "HH:MM" */
    EJ_F_ID_ARRAY, /* array of positive integers */
    EJ_F_STRING_ARRAY,
    EJ_F_OBJECT,
    EJ_F_ARRAY,
};

/* EJ_F_NAME: a string that names something (a person, a group, a holiday...): it must contain
 * a visible character (422 validation_failed otherwise), see ej_visible_text. */
enum { EJ_F_REQUIRED = 1u << 0, EJ_F_NULLABLE = 1u << 1, EJ_F_NAME = 1u << 2 };

struct ej_field {
    const char *name;
    enum ej_ftype type;
    unsigned flags;
    size_t max; /* strings: max characters; arrays: max items; 0 = default (1000) */
};

/* Checks obj against a field list terminated by {NULL}: every key known
 * (else 400 unknown_field), types right (else 400 invalid_field), strings
 * valid length, required fields present (else 422 validation_failed).
 * Each complaint names its field in `errors`. Returns 0 or -1. */
int ej_json_check(struct ej_req *r, json_t *obj, const struct ej_field *fields);

/* Like ej_json_check for one row of a bulk request: appends every complaint
 * as {row, field, message} to `errors` instead of replying. Returns the
 * number of complaints. */
size_t ej_json_row_check(const json_t *obj, const struct ej_field *fields, long row,
                         json_t *errors);

/* Borrowed string value of a key, NULL if absent or null. */
const char *ej_json_str(const json_t *obj, const char *key);
/* True if the key is present (even as null). */
bool ej_json_has(const json_t *obj, const char *key);

/* True if s is a real date "YYYY-MM-DD" (years 1900..2200). */
bool ej_valid_date(const char *s);
/* True if s is not NULL and holds nothing but white space. */
bool ej_blank(const char *s);

/* True if s (valid UTF-8) has at least one character that shows: not white space (any
 * Unicode space), not a control, not an invisible format character (zero-width spaces and
 * joiners, direction marks, embeddings, overrides and isolates, the word joiner, BOM, soft
 * hyphen, fillers, variation selectors, tags). A name of nothing but those reads as blank. */
bool ej_visible_text(const char *s);

/* openapi.yaml, `external_id` (tag integration): an external id is 1-64 characters, none of them a
 * control character, with no space at either end (valid UTF-8 assumed). */
bool ej_external_id_valid(const char *s);
/* 422 validation_failed naming external_id unless body's external_id is
 * absent, null or valid. Returns 0 or -1. */
int ej_check_external_id(struct ej_req *r, const json_t *body);

/* Counts UTF-8 code points (input already validated by Jansson). */
size_t ej_utf8_length(const char *s);

#endif
