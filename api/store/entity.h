/* The shape every audited change of one row takes: lock and load the row as
 * JSON, check the caller's If-Match version, change it, record before/after
 * in the audit trail, hand the row's version back (the resource sets the
 * ETag from it). */
#ifndef EJ_STORE_ENTITY_H
#define EJ_STORE_ENTITY_H

#include "core/dbctx.h"
#include "core/req.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The row's "version" member, or -1 when it has none. */
int64_t ej_entity_version(const json_t *row);

/* Runs a query returning one json row or none (EJ_ERR_NOT_FOUND). *out: new
 * reference, NULL on any error; *version (if not NULL): the row's version. */
enum ej_err ej_entity_get(struct ej_db *db, const char *sql, int n, const char *const *params,
                          json_t **out, int64_t *version);

/* Runs a query returning one json row (the created record) and audits it as
 * `action` of `entity`, with the entity id from its "id". No row is
 * EJ_ERR_INTERNAL. *out: NULL on failure (the caller never owns a row that
 * was not stored: issue 14 bug 1). */
enum ej_err ej_entity_create(struct ej_db *db, const char *entity, const char *action,
                             const char *sql, int n, const char *const *params, json_t **out,
                             int64_t *version);

/* load_sql: one json column for row $1 (locked FOR UPDATE), none →
 * EJ_ERR_NOT_FOUND. expected_version: -1 = no If-Match, else a different
 * `version` → EJ_ERR_STALE. change_sql: params as given (first is usually
 * the id), returns the new row's json (none → EJ_ERR_NOT_FOUND). Audits
 * before/after. *out: the row after the change; NULL on failure. */
enum ej_err ej_entity_change(struct ej_db *db, const char *entity, const char *action, int64_t id,
                             int64_t expected_version, const char *load_sql, const char *change_sql,
                             int n, const char *const *params, json_t **out, int64_t *version);

/* True when the statement that failed broke the uniqueness of an external_id
 * (users, students, programmes, groups): the resource answers 409
 * external_id_taken. */
bool ej_entity_external_id_taken(const struct ej_db *db);

#endif
