/* Identity queries: principals, users, sessions, refresh tokens, login
 * records and throttling. */
#ifndef EJ_STORE_IDENTITY_H
#define EJ_STORE_IDENTITY_H

#include "core/req.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads the caller named by a verified token into *who: the user must exist
 * with this token version and be `active`, and the session must be live;
 * else EJ_ERR_NOT_FOUND (auth/authn.c answers 401 invalid_token). */
enum ej_err ej_store_principal(struct ej_db *db, int64_t user_id, int64_t session_id,
                               int64_t token_version, struct ej_principal *who);

/* Roles text[] <-> bits. */
unsigned ej_roles_from_text(const char *pg_array);

/* Command line: creates or resets superuser `username` with a password hash.
 * Audited with actor NULL. Returns 0 or -1 (message on stderr). */
int ej_store_cli_superuser(const char *username, const char *hash);

struct ej_prune_counts {
    long login_attempts, throttle_rows, idempotency_keys, changes;
};
/* Command line (`ejournal prune`): deletes login attempts older than
 * retention_days, throttle rows that no longer decide anything, and
 * idempotency keys past their 24 hours, and change-feed rows older than
 * EJ_CHANGES_RETENTION_DAYS. Never journal or audit data.
 * Returns 0 or -1 (message on stderr). */
int ej_store_cli_prune(int retention_days, struct ej_prune_counts *out);

/* ---- login, sessions, throttling (see docs in api/resources/auth.c) ---- */

struct ej_login_account {
    bool found;
    int64_t id;
    int64_t token_version;
    char hash[160]; /* "" if no password is set */
    char access[16];
};

/* The longest username (in bytes) that login handles as such: 128 code points
 * of up to 4 bytes (longer ones are refused by validation first). */
#define EJ_USERNAME_MAX_BYTES 512

/* Counts a login attempt before its password is checked (issue 9 #7): unless
 * this username+address pair, or the account (from an address never used
 * successfully for it), is locked, both failure counts go up by one and the
 * lock is set once over the threshold, with the rows locked so that parallel
 * attempts wait and see the new counts; commit before hashing. *seconds gets
 * the wait in force (0: the attempt may go ahead and was counted; > 0: it is
 * refused and nothing was counted). */
int ej_store_throttle_reserve(struct ej_req *r, const char *username, const char *address,
                              int *seconds);
/* Forgets the failures of this username and pair (after a correct password). */
int ej_store_throttle_clear(struct ej_req *r, const char *username, const char *address);

int ej_store_login_account(struct ej_req *r, const char *username, struct ej_login_account *a);
/* Records a login attempt (time, address, user agent, outcome). user_id 0 = unknown user. */
int ej_store_login_record(struct ej_req *r, int64_t user_id, const char *username,
                          const char *address, const char *outcome);
/* Records an attempt refused by throttling: one row per username, address and
 * minute, whose `attempts` counts them. */
int ej_store_login_throttled(struct ej_req *r, int64_t user_id, const char *username,
                             const char *address);
int ej_store_password_rehash(struct ej_req *r, int64_t user_id, const char *hash);

/* Opens a session (one login) with its first refresh token (hash, hex). */
int ej_store_session_open(struct ej_req *r, int64_t user_id, const char *refresh_hash,
                          int64_t *session_id);

struct ej_refresh {
    int64_t user_id, session_id, token_version;
};
/* Spends the refresh token old_hash and stores new_hash in its session.
 * Unknown → 401 invalid_refresh_token; already spent → the whole session is
 * ended (r->db.keep_changes) and 401 refresh_token_reused. */
int ej_store_refresh_rotate(struct ej_req *r, const char *old_hash, const char *new_hash,
                            struct ej_refresh *out);

/* Ends the caller's session, or every session and token (everywhere). */
int ej_store_logout(struct ej_req *r, bool everywhere);
/* The caller's password hash (for the current-password check). */
int ej_store_own_hash(struct ej_req *r, char *out, size_t outlen);
/* Sets the caller's new password: every session and token ends; audited.
 * *token_version gets the new version. */
int ej_store_password_change(struct ej_req *r, const char *hash, int64_t *token_version);

/* GET /me body (new reference). */
int ej_store_me(struct ej_req *r, json_t **out);
/* The caller's login records, newest first, keyset-paginated by id. */
int ej_store_my_logins(struct ej_req *r, int limit, int64_t before_id, json_t **out);

#endif
