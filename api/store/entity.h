/* The shape every audited change of one row takes: lock and load the row as
 * JSON, check the caller's If-Match version, change it, record before/after
 * in the audit trail, set the reply's ETag. */
#ifndef EJ_STORE_ENTITY_H
#define EJ_STORE_ENTITY_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* load_sql: one json column for row $1 (locked FOR UPDATE), none → 404.
 * expected_version: -1 = no If-Match, else a different `version` → 412.
 * change_sql: params as given (first is usually the id), returns the new
 * row's json. *out: new reference to the row after the change; NULL when the
 * call fails (these functions, and the store functions built on them, never
 * leave the caller a reference on failure). */
int ej_store_change(struct ej_req *r, const char *entity, const char *action, int64_t id,
                    int64_t expected_version, const char *load_sql, const char *change_sql,
                    int n, const char *const *params, json_t **out);

/* Runs a query returning one json row (the created record), audits it as
 * `action` with entity id from its "id", sets the ETag. *out: NULL on failure. */
int ej_store_create(struct ej_req *r, const char *entity, const char *action,
                    const char *sql, int n, const char *const *params, json_t **out);

/* Runs a query returning one json row or none (→ 404 "No such <what>."),
 * sets the ETag from its "version" if present. */
int ej_store_get(struct ej_req *r, const char *what, const char *sql, int n,
                 const char *const *params, json_t **out);

/* Passes rc through; when the statement that failed broke the uniqueness of
 * an external_id (users, students, programmes, groups), sets 409
 * external_id_taken instead of the generic error. */
int ej_store_external_id_conflict(struct ej_req *r, int rc);

/* Sets the reply's ETag from the row's "version" (if it has one). */
void ej_store_etag(struct ej_req *r, const json_t *row);

#endif
