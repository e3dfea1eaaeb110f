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

/* ---- login, sessions, throttling (the rules: rules/login.h) ---- */

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

/* What counting an attempt did (ej_store_throttle_reserve). */
struct ej_throttle_count {
    int wait; /* > 0: a lock in force for this long (seconds); nothing was counted */
    /* else, per key (enum ej_throttle_key): the failures now counted, and
     * the lock (seconds) this attempt set, 0 if none */
    int failures[2];
    int lock[2];
};

/* Counts a login attempt before its password is checked (issue 9 #7): unless
 * this username+address pair, or the account (from an address never used
 * successfully for it), is locked, both failure counts go up by one and the
 * lock is set once over the threshold (rules/login.h), with the rows locked
 * so that parallel attempts wait and see the new counts; the caller commits
 * before hashing. The address may be NULL. */
enum ej_err ej_store_throttle_reserve(struct ej_db *db, const char *username, const char *address,
                                      struct ej_throttle_count *out);
/* After the password was found wrong: the locks this attempt set (count)
 * start again now, so that each lasts its full time from the answer on, not
 * less the time the hashing took (under load, most of a 1 s lock). A key
 * whose count has moved on since (a correct password cleared it) is left
 * alone; no lock is ever shortened. */
enum ej_err ej_store_throttle_restart(struct ej_db *db, const char *username, const char *address,
                                      const struct ej_throttle_count *count);
/* Forgets the failures of this username and pair (after a correct password). */
enum ej_err ej_store_throttle_clear(struct ej_db *db, const char *username, const char *address);

enum ej_err ej_store_login_account(struct ej_db *db, const char *username,
                                   struct ej_login_account *a);
/* Records a login attempt (time, address, user agent as sent or NULL, outcome).
 * user_id 0 = unknown user. */
enum ej_err ej_store_login_record(struct ej_db *db, int64_t user_id, const char *username,
                                  const char *address, const char *user_agent, const char *outcome);
/* Records an attempt refused by throttling: one row per username, address and
 * minute, whose `attempts` counts them. */
enum ej_err ej_store_login_throttled(struct ej_db *db, int64_t user_id, const char *username,
                                     const char *address, const char *user_agent);
enum ej_err ej_store_password_rehash(struct ej_db *db, int64_t user_id, const char *hash);

/* Opens a session (one login) from address with user_agent (either NULL)
 * and its first refresh token (hash, hex). */
enum ej_err ej_store_session_open(struct ej_db *db, int64_t user_id, const char *refresh_hash,
                                  const char *address, const char *user_agent, int64_t *session_id);

/* The refresh token whose hash is token_hash, its row and its session's
 * locked until the transaction ends (rules/login.h decides). */
struct ej_refresh {
    bool found, spent, live; /* as struct ej_refresh_facts */
    int64_t user_id, session_id, token_version;
};
enum ej_err ej_store_refresh_find(struct ej_db *db, const char *token_hash, struct ej_refresh *out);
/* Spends the refresh token old_hash of session_id and stores new_hash in it. */
enum ej_err ej_store_refresh_rotate(struct ej_db *db, int64_t session_id, const char *old_hash,
                                    const char *new_hash);

/* Ends one session (reason: logout, refresh_token_reused...). */
enum ej_err ej_store_session_end(struct ej_db *db, int64_t session_id, const char *reason);
/* Ends every session and token of a user (logout everywhere). */
enum ej_err ej_store_sessions_end_all(struct ej_db *db, int64_t user_id, const char *reason);
/* The user's password hash (for the current-password check); "" if none. */
enum ej_err ej_store_own_hash(struct ej_db *db, int64_t user_id, char *out, size_t outlen);
/* Sets the user's new password: every session and token ends; audited
 * (actor db->who). *token_version gets the new version. */
enum ej_err ej_store_password_change(struct ej_db *db, int64_t user_id, const char *hash,
                                     int64_t *token_version);

/* GET /me body (new reference); EJ_ERR_NOT_FOUND if there is no such user. */
enum ej_err ej_store_me(struct ej_db *db, int64_t user_id, json_t **out);
/* The user's login records, newest first, keyset-paginated by id (new reference). */
enum ej_err ej_store_my_logins(struct ej_db *db, int64_t user_id, int limit, int64_t before_id,
                               json_t **out);

#endif
