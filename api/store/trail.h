/* Reading the audit trail (§19–§21): GET /audit for the superuser and the
 * director, and a student's access log (GDPR art. 15) for the data subject.
 * The trail is written by api/store/audit.c in the transaction of each change
 * (and after each employee's read of personal data); nothing here writes it,
 * and the table refuses UPDATE, DELETE and TRUNCATE (0001_foundation.sql).
 *
 * Both lists are newest first by (at, id), a page at a time: the cursor is
 * the id of the last row of the previous page, and each filter has an index
 * ending in (at, id) (0011_oversight.sql), so a page costs `limit` index
 * entries however long the trail is. JSON results are new references (NULL
 * on error). */
#ifndef EJ_STORE_TRAIL_H
#define EJ_STORE_TRAIL_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct ej_audit_filter {
    int64_t actor_id;      /* 0 = anyone */
    const char *entity;    /* NULL = any */
    const char *entity_id; /* NULL = any; canonical digits */
    const char *action;    /* NULL = any */
    const char *from, *to; /* YYYY-MM-DD, Riga days, inclusive; NULL = open */
    int limit;
    int64_t after; /* 0 = from the newest */
};

/* [{id, at, actor_id, actor, actor_username, action, entity, entity_id,
 * before, after, request_id}]. */
enum ej_err ej_store_audit_list(struct ej_db *db, const struct ej_audit_filter *f, json_t **items);

struct ej_principal;

/* The records that concern one student's data, if who may see the student
 * with `scopes` (EJ_OBJ_ACCESS_LOG), else EJ_ERR_NOT_FOUND: changes to the
 * student, their account, enrollments, absence reports and the lessons whose
 * attendance names them, and the recorded reads of those. Items: {id, at,
 * kind: read|change, operation, entity, entity_id, actor_roles, actor_id,
 * actor}; actor_id and actor (the name) only when with_names, else null. No
 * before/after: those hold other children's data too. */
enum ej_err ej_store_access_log(struct ej_db *db, const struct ej_principal *who,
                                int64_t student_id, unsigned scopes, bool with_names, int limit,
                                int64_t after, json_t **items);

#endif
