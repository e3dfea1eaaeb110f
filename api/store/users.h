/* Users (SPEC.md "Users"): the superuser's administration of accounts. Every
 * change is audited in its transaction; JSON never carries password hashes.
 *
 * Each function returns EJ_OK or the error (core/dbctx.h); *user is a new
 * reference on success and NULL on failure; *version (may be NULL) the row's
 * version for the ETag. A duplicate username is EJ_ERR_CONFLICT on
 * users_username_key, a duplicate external id on users_external_id_key
 * (store/entity.h ej_entity_external_id_taken), employment_end before
 * employment_start EJ_ERR_INVALID on users_check. */
#ifndef EJ_STORE_USERS_H
#define EJ_STORE_USERS_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdint.h>

/* Constraints whose failure the resource names (db->constraint). */
#define EJ_USERS_USERNAME_KEY "users_username_key"
#define EJ_USERS_DATES_CHECK "users_check"

/* Filters of the list; NULL = not filtered. */
struct ej_user_filter {
    const char *role, *q, *access, *external_id;
    int limit;
    int64_t after;
};

/* Creates a user from a checked body with this password hash (one-time:
 * must_change_password). */
enum ej_err ej_store_user_create(struct ej_db *db, const json_t *body, const char *hash,
                                 json_t **user, int64_t *version);
/* *items: new array, in id order. */
enum ej_err ej_store_user_list(struct ej_db *db, const struct ej_user_filter *f, json_t **items);
/* One user, or EJ_ERR_NOT_FOUND. */
enum ej_err ej_store_user_get(struct ej_db *db, int64_t id, json_t **user, int64_t *version);
/* Applies the fields present in a checked body. expected_version -1 = no
 * If-Match; otherwise a different current version is EJ_ERR_STALE. */
enum ej_err ej_store_user_update(struct ej_db *db, int64_t id, int64_t expected_version,
                                 const json_t *body, json_t **user, int64_t *version);
/* New one-time password; every session and token of the user ends. */
enum ej_err ej_store_user_reset_password(struct ej_db *db, int64_t id, const char *hash,
                                         json_t **user, int64_t *version);
/* Revokes access now (every token dies on its next use) or reinstates it. */
enum ej_err ej_store_user_revoke(struct ej_db *db, int64_t id, const char *reason, json_t **user,
                                 int64_t *version);
enum ej_err ej_store_user_reinstate(struct ej_db *db, int64_t id, json_t **user, int64_t *version);

#endif
