/* Settings (SPEC.md "Settings", §22): what the director (and superuser)
 * regulate by order: the institution's name and address, the working days
 * for journal entries (§13), the quality reviews required per year (§16),
 * and the absence reason codes (§14). Rendered here in C, id (or code) first.
 * Every change is audited in its transaction (the actor is db->who). JSON
 * results are new references; on error the caller owns nothing. What may be
 * set is decided by rules/settings.h. */
#ifndef EJ_STORE_SETTINGS_H
#define EJ_STORE_SETTINGS_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* {institution_name, institution_address, entry_deadline_working_days,
 * required_quality_reviews, version, updated_at}; *version for the ETag. */
enum ej_err ej_store_settings_get(struct ej_db *db, json_t **out, int64_t *version);
/* Changes the fields of a checked body (API names, values in range).
 * expected_version -1 = no If-Match, else EJ_ERR_STALE when it is not the
 * current one. A new number of deadline days recomputes the deadlines of the
 * lessons not yet recorded (open years only). *out: the settings after, with
 * `deadlines_changed`; *version the new one. */
enum ej_err ej_store_settings_update(struct ej_db *db, int64_t expected_version, const json_t *body,
                                     json_t **out, int64_t *version);

/* Absence reason codes: [{code, name, excused, active, version}] in display order. */
enum ej_err ej_store_absence_reason_list(struct ej_db *db, json_t **items);
/* One code (EJ_ERR_NOT_FOUND if none); lock: FOR UPDATE until the
 * transaction ends. *version for the ETag. */
enum ej_err ej_store_absence_reason_get(struct ej_db *db, const char *code, bool lock, json_t **out,
                                        int64_t *version);
/* Adds a code at the end of the list: EJ_ERR_CONFLICT when it exists. */
enum ej_err ej_store_absence_reason_create(struct ej_db *db, const char *code, const char *name,
                                           bool excused, json_t **out);
/* Whether the code is on a recorded absence or an absence report. */
enum ej_err ej_store_absence_reason_in_use(struct ej_db *db, const char *code, bool *in_use);
/* Changes a code locked by ej_store_absence_reason_get (before: that row):
 * name (NULL: kept), excused and active (-1: kept, else 0 or 1). *out the
 * row after, *version its version. */
enum ej_err ej_store_absence_reason_update(struct ej_db *db, const char *code, const json_t *before,
                                           const char *name, int excused, int active, json_t **out,
                                           int64_t *version);

#endif
