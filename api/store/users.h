/* Users (SPEC.md "Users"): the superuser's administration of accounts. Every
 * change is audited in its transaction; JSON never carries password hashes. */
#ifndef EJ_STORE_USERS_H
#define EJ_STORE_USERS_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* Creates a user from a checked body with this password hash (one-time:
 * must_change_password). 409 username_taken. *user: new reference. */
int ej_store_user_create(struct ej_req *r, const json_t *body, const char *hash, json_t **user);
/* Lists users; role, q and access may be NULL. *items: new array. */
int ej_store_user_list(struct ej_req *r, const char *role, const char *q, const char *access,
                       const char *external_id,
                       int limit, int64_t after, json_t **items);
/* One user or 404. */
int ej_store_user_get(struct ej_req *r, int64_t id, json_t **user);
/* Applies the fields present in body. expected_version -1 = no If-Match;
 * otherwise a different current version is 412. */
int ej_store_user_update(struct ej_req *r, int64_t id, int64_t expected_version,
                         const json_t *body, json_t **user);
/* New one-time password; every session and token of the user ends. */
int ej_store_user_reset_password(struct ej_req *r, int64_t id, const char *hash, json_t **user);
/* Revokes access now (every token dies on its next use) or reinstates it. */
int ej_store_user_revoke(struct ej_req *r, int64_t id, const char *reason, json_t **user);
int ej_store_user_reinstate(struct ej_req *r, int64_t id, json_t **user);

#endif
