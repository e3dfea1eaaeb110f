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

/* The same record written by the read's own statement, one round trip
 * fewer: when r->read_audit is set, appends to sql (cap bytes) a
 * data-modifying CTE ", audit_read AS (INSERT ...)" over parameters $n+1 ..
 * $n+6, stored in p[n..n+5] (bufs: their buffer, kept alive until the
 * statement ran), written only when the SQL condition `when` holds (e.g.
 * "EXISTS (SELECT 1 FROM x)"), committed as ej_audit_read's is; clears
 * r->read_audit and returns the new parameter count. Else returns n.
 * sql must be inside a WITH list. */
struct ej_audit_read_bufs {
    char actor[24];
};
int ej_audit_read_in(struct ej_req *r, char *sql, size_t cap, const char *when, const char **p,
                     int n, struct ej_audit_read_bufs *bufs);

#endif
