/* Reports and exports (issue 11, SPEC.md "Reports and exports"): the hours
 * per teacher and group (§15) and a group's journal as one document. Plain
 * indexed SQL returning columns; the JSON is built here in C, in a stable
 * field order, and the resources render CSV and HTML from it. */
#ifndef EJ_STORE_EXPORTS_H
#define EJ_STORE_EXPORTS_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdint.h>

/* Recorded, not cancelled lessons from..to (inclusive dates), per teacher who
 * conducted them and group; teacher_id 0 = every teacher. *out (new):
 * {from, to, teachers: [{teacher_id, full_name, external_id, lessons, hours,
 * substitute_lessons, substitute_hours, groups: [{group_id, group_name,
 * group_external_id, program_id, program_name, lessons, hours,
 * substitute_lessons, substitute_hours}]}], totals: {...}}. */
enum ej_err ej_store_hours_report(struct ej_db *db, const char *from, const char *to,
                                  int64_t teacher_id, json_t **out);

/* A group's journal from..to (NULL: the group's school year's first / last
 * day): the group, its lessons in date order, the students enrolled at any
 * time in the range and, when attendance_scopes lets the caller see them
 * for this group, each one's attendance per lesson. The group must be
 * visible to `who` in `scopes` (else EJ_ERR_NOT_FOUND). *out (new, NULL on
 * failure): see openapi.yaml GroupJournal. */
enum ej_err ej_store_group_journal(struct ej_db *db, const struct ej_principal *who,
                                   unsigned scopes, unsigned attendance_scopes, int64_t group_id,
                                   const char *from, const char *to, json_t **out);

#endif
