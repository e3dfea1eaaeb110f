/* The audit trail (§19): one call records who did what to which entity, with
 * the state before and after, in the transaction of the change itself. */
#ifndef EJ_STORE_AUDIT_H
#define EJ_STORE_AUDIT_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* Appends an audit record for the current request's user. before/after are
 * borrowed (either may be NULL). Must run inside the request's transaction.
 * A change to an entity the change feed carries (GET /changes: users,
 * students, guardian links, programs, groups, enrollments, schedule slots,
 * lessons, absence reports and reasons, calendar entries, school years,
 * settings) also
 * gets its feed row here, in the same transaction, with `after` (or, for a
 * delete, `before`) as the entity's representation; ej_db_commit gives the
 * rows their positions. Returns 0 or -1 (problem set; the transaction will
 * roll back). */
int ej_audit(struct ej_req *r, const char *action, const char *entity,
             int64_t entity_id, const json_t *before, const json_t *after);

/* As ej_audit, for an entity whose id is a text key (an absence reason's
 * code), or none (key NULL: the settings, of which there is one). */
int ej_audit_key(struct ej_req *r, const char *action, const char *entity, const char *key,
                 const json_t *before, const json_t *after);

/* §20: records that an employee read students' personal data through this
 * request (operation, path id, path and query). Outside any transaction.
 * Returns 0 or -1 (problem set: the data is then not sent). */
int ej_audit_read(struct ej_req *r, const char *operation);

#endif
