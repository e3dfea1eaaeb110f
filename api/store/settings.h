/* Settings (SPEC.md "Settings", §22): what the director (and superuser)
 * regulate by order: the institution's name and address, the working days
 * for journal entries (§13), the quality reviews required per year (§16),
 * and the absence reason codes (§14). Rendered here in C, id (or code) first.
 * Every change is audited in its transaction. JSON results are new
 * references. */
#ifndef EJ_STORE_SETTINGS_H
#define EJ_STORE_SETTINGS_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* {institution_name, institution_address, entry_deadline_working_days,
 * required_quality_reviews, version, updated_at}; sets the ETag. */
int ej_store_settings_get(struct ej_req *r, json_t **out);
/* Changes the fields of a checked body (API names, values in range).
 * expected_version -1 = no If-Match (else 412). A new number of deadline
 * days recomputes the deadlines of the lessons not yet recorded (open years
 * only). *out: the settings after, with `deadlines_changed`. */
int ej_store_settings_update(struct ej_req *r, int64_t expected_version, const json_t *body,
                             json_t **out);

/* Absence reason codes: [{code, name, excused, active, version}] in display order. */
int ej_store_absence_reason_list(struct ej_req *r, json_t **items);
/* One code (404 if none); sets the ETag. */
int ej_store_absence_reason_get(struct ej_req *r, const char *code, json_t **out);
/* Adds a code from a checked body {code, name, excused}: 409
 * absence_reason_exists. */
int ej_store_absence_reason_create(struct ej_req *r, const json_t *body, json_t **out);
/* Changes name, excused, active of a checked body. 404, 412; 409
 * absence_reason_in_use when `excused` would change for a code already on
 * an absence or a report (their meaning would change after the fact). */
int ej_store_absence_reason_update(struct ej_req *r, const char *code, int64_t expected_version,
                                   const json_t *body, json_t **out);

#endif
