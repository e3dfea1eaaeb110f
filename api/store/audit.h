/* The audit trail (§19): one call records who did what to which entity, with
 * the state before and after, in the transaction of the change itself. */
#ifndef EJ_STORE_AUDIT_H
#define EJ_STORE_AUDIT_H

#include "core/dbctx.h"
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
 * rows their positions. On error the transaction will roll back. */
enum ej_err ej_audit(struct ej_db *db, const char *action, const char *entity, int64_t entity_id,
                     const json_t *before, const json_t *after);

/* As ej_audit, for an entity whose id is a text key (an absence reason's
 * code), or none (key NULL: the settings, of which there is one). */
enum ej_err ej_audit_key(struct ej_db *db, const char *action, const char *entity, const char *key,
                         const json_t *before, const json_t *after);

/* Many lessons one operation changed in one statement (a calendar or
 * settings change moved their deadlines, §13, §22): one audit record each,
 * entity lesson, with its own before and after (rows: [{id, before, after}],
 * borrowed), written by one statement, and one upsert each in the change
 * feed with the lesson's representation as it is now. */
enum ej_err ej_audit_lessons(struct ej_db *db, const char *action, const json_t *rows);

/* Many entities of one kind one set-based statement changed (a bulk import's
 * students, enrollments, guardian links): what ej_audit does for each, in two
 * statements for any number of rows ([{id, before, after}], borrowed; id is
 * the entity_id): one audit record each and, for an entity the feed carries,
 * one feed row each with `after` (a delete: `before`) as the representation;
 * for student.guardian_link/unlink (entity student, id the student) the
 * link's feed row as ej_audit writes it. Both in id order. Not for actions
 * whose `after` is not the representation (schedule.create,
 * absence_report.apply: use ej_audit). Nothing is written for no rows. */
enum ej_err ej_audit_many(struct ej_db *db, const char *action, const char *entity,
                          const json_t *rows);

/* §20: records that an employee read students' personal data through this
 * request (operation, and db->read_target: path id, path and query). Outside
 * any transaction. On error the data is not sent. */
enum ej_err ej_audit_read(struct ej_db *db, const char *operation);

/* The same record written by the read's own statement, one round trip
 * fewer: when db->read_audit is set, appends to sql (cap bytes) a
 * data-modifying CTE ", audit_read AS (INSERT ...)" over parameters $n+1 ..
 * $n+6, stored in p[n..n+5] (bufs: their buffer, kept alive until the
 * statement ran), written only when the SQL condition `when` holds (e.g.
 * "EXISTS (SELECT 1 FROM x)"), committed as ej_audit_read's is; clears
 * db->read_audit and returns the new parameter count. Else returns n.
 * sql must be inside a WITH list. */
struct ej_audit_read_bufs {
    char actor[24];
};
int ej_audit_read_in(struct ej_db *db, char *sql, size_t cap, const char *when, const char **p,
                     int n, struct ej_audit_read_bufs *bufs);

#endif
