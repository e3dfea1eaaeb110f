/* Authentication (§6–§10): login, refresh, logout, password change, /me.
 *
 * Login throttling (state in PostgreSQL, so every instance sees it):
 *  - failures are counted per username+address ("pair") and per username
 *    ("account"); counts older than an hour are forgotten;
 *  - the pair locks after 5 failures, the account after 20; each further
 *    failure doubles the wait from 1 s, capped at 15 min (pair) and 5 min
 *    (account); while locked, attempts get 429 + Retry-After and the password
 *    is not even checked, so guessing is bounded;
 *  - the account-wide lock does not apply to an address that signed in to
 *    that account successfully in the last 90 days, so an attacker elsewhere
 *    cannot lock the owner out; at worst a new address waits 5 minutes;
 *  - a correct password clears both counters;
 *  - an attempt is counted BEFORE its password is hashed (the rows are locked
 *    and the count committed first), so parallel attempts cannot all slip
 *    under the limit: at most 5 wrong passwords per pair are ever checked
 *    between locks (issue 9 #7);
 *  - attempts refused while locked are recorded one row per username, address
 *    and minute with a count (issue 9 #6), so a flood costs no growth and the
 *    owner still sees it in /me/logins.
 * Before all of this the pipeline has charged the client address's budget
 * and taken a hashing slot (api/pipeline.c), so the hashing below never
 * finds every slot busy.
 * Unknown users and wrong passwords get the same 401 body, after the same
 * argon2id work (a verify against a dummy hash). */
#include "resources/resources.h"

#include "auth/password.h"
#include "auth/random.h"
#include "auth/token.h"
#include "core/config.h"
#include "core/json.h"
#include "core/utf8.h"
#include "store/identity.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ej_field login_fields[] = {
    {"username", EJ_F_STRING, EJ_F_REQUIRED, 128},
    {"password", EJ_F_STRING, EJ_F_REQUIRED, 1024},
    {NULL, 0, 0, 0},
};
static const struct ej_field refresh_fields[] = {
    {"refresh_token", EJ_F_STRING, EJ_F_REQUIRED, 256},
    {NULL, 0, 0, 0},
};
static const struct ej_field logout_fields[] = {
    {"everywhere", EJ_F_BOOL, 0, 0},
    {NULL, 0, 0, 0},
};
static const struct ej_field password_fields[] = {
    {"current_password", EJ_F_STRING, EJ_F_REQUIRED, 1024},
    {"new_password", EJ_F_STRING, EJ_F_REQUIRED, 1024},
    {NULL, 0, 0, 0},
};

/* ASCII-lowercases in into out, cutting (if it must) only at a UTF-8
 * character boundary, so the result is still valid UTF-8. */
static void lowercase(const char *in, char *out, size_t outlen)
{
    size_t i = 0;
    for (; in[i] && i + 1 < outlen; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
    ej_utf8_truncate(out, i);
}

static int busy(struct ej_req *r)
{
    r->retry_after = EJ_PASSWORD_RETRY_AFTER;
    return ej_problem(r, 503, "busy", "The server is busy; try again in a moment.");
}

/* Replies {access_token, token_type, expires_in, refresh_token, user}. */
static void reply_tokens(struct ej_req *r, int64_t user_id, int64_t session_id,
                         int64_t token_version, const char *refresh_token)
{
    int ttl = ej_cfg()->access_ttl;
    char *access = ej_token_issue(user_id, session_id, token_version, ttl);
    if (!access) {
        ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
        return;
    }
    struct ej_principal saved = r->who;
    r->who.user_id = user_id;
    json_t *me = NULL;
    int rc = ej_store_me(r, &me);
    r->who = saved;
    if (rc == 0)
        ej_reply(r, 200, json_pack("{s:s, s:s, s:i, s:s, s:o}", "access_token", access,
                                   "token_type", "Bearer", "expires_in", ttl, "refresh_token",
                                   refresh_token, "user", me ? me : json_null()));
    memset(access, 0, strlen(access));
    free(access);
}

/* Opens a new session for user_id and replies with its tokens. */
static void start_session(struct ej_req *r, int64_t user_id, int64_t token_version)
{
    char refresh[EJ_REFRESH_TOKEN_SIZE], hash[65];
    int64_t sid;
    if (ej_refresh_token_new(refresh, hash) != 0) {
        ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
        return;
    }
    if (ej_store_session_open(r, user_id, hash, &sid) == 0)
        reply_tokens(r, user_id, sid, token_version, refresh);
}

/* 429 for an attempt refused by throttling (recorded under the account too,
 * so its owner sees it in /me/logins). */
static void throttled(struct ej_req *r, int64_t user_id, const char *username, int wait)
{
    r->db.keep_changes = true;
    if (ej_store_login_throttled(r, user_id, username, r->remote_addr) != 0)
        return;
    r->retry_after = wait;
    ej_problem(r, 429, "too_many_attempts", "Too many failed attempts; try again in %d second%s.",
               wait, wait == 1 ? "" : "s");
}

void ej_op_login(struct ej_req *r)
{
    if (ej_json_check(r, r->body, login_fields) != 0)
        return;
    char username[EJ_USERNAME_MAX_BYTES + 1];
    lowercase(ej_json_str(r->body, "username"), username, sizeof username);
    const char *password = ej_json_str(r->body, "password");

    struct ej_login_account a;
    int wait = 0;
    if (ej_store_login_account(r, username, &a) != 0 ||
        ej_store_throttle_reserve(r, username, r->remote_addr, &wait) != 0)
        return;
    int64_t uid = a.found ? a.id : 0;
    if (wait > 0) {
        throttled(r, uid, username, wait);
        return;
    }
    /* The attempt is counted: commit that before hashing, so parallel
     * attempts see it, and so no transaction stays open while we hash. */
    if (ej_db_commit(&r->db) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    bool rehash = false;
    enum ej_password_result pr = a.found && a.hash[0]
                                     ? ej_password_verify(a.hash, password, &rehash)
                                     : ej_password_burn(password);
    if (pr == EJ_PASSWORD_BUSY) {
        busy(r);
        return;
    }
    if (ej_db_begin(&r->db) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    if (pr != EJ_PASSWORD_OK || !a.found || !a.hash[0]) {
        r->db.keep_changes = true; /* the record must stay */
        if (ej_store_login_record(r, uid, username, r->remote_addr, "invalid_credentials") == 0)
            ej_problem(r, 401, "invalid_credentials", "Wrong username or password.");
        return;
    }
    if (ej_store_throttle_clear(r, username, r->remote_addr) != 0)
        return;
    if (strcmp(a.access, "active") != 0) {
        char outcome[32];
        snprintf(outcome, sizeof outcome, "access_%s", a.access);
        r->db.keep_changes = true;
        if (ej_store_login_record(r, a.id, username, r->remote_addr, outcome) != 0)
            return;
        ej_problem(r, 403, "access_revoked", "This account has no access (%s).", a.access);
        json_object_set_new(r->out, "access", json_string(a.access));
        return;
    }
    char fresh[EJ_PASSWORD_ENCODED_SIZE];
    if (rehash && ej_password_hash(password, fresh, sizeof fresh) == EJ_PASSWORD_OK &&
        ej_store_password_rehash(r, a.id, fresh) != 0)
        return;
    if (ej_store_login_record(r, a.id, username, r->remote_addr, "success") != 0)
        return;
    start_session(r, a.id, a.token_version);
}

void ej_op_refresh(struct ej_req *r)
{
    if (ej_json_check(r, r->body, refresh_fields) != 0)
        return;
    char old_hash[65], token[EJ_REFRESH_TOKEN_SIZE], new_hash[65];
    if (ej_refresh_token_hash(ej_json_str(r->body, "refresh_token"), old_hash) != 0) {
        ej_problem(r, 401, "invalid_refresh_token", "The refresh token is not valid.");
        return;
    }
    struct ej_refresh got;
    if (ej_refresh_token_new(token, new_hash) != 0 ||
        ej_store_refresh_rotate(r, old_hash, new_hash, &got) != 0)
        return;
    reply_tokens(r, got.user_id, got.session_id, got.token_version, token);
}

void ej_op_logout(struct ej_req *r)
{
    if (r->body && ej_json_check(r, r->body, logout_fields) != 0)
        return;
    bool everywhere = r->body && json_is_true(json_object_get(r->body, "everywhere"));
    if (ej_store_logout(r, everywhere) == 0)
        ej_reply_empty(r, 204);
}

void ej_op_change_password(struct ej_req *r)
{
    if (ej_json_check(r, r->body, password_fields) != 0)
        return;
    const char *current = ej_json_str(r->body, "current_password");
    const char *next = ej_json_str(r->body, "new_password");
    int wait = 0;
    char hash[EJ_PASSWORD_ENCODED_SIZE];
    /* Wrong current passwords count like failed logins, counted before the
     * check (see the top of this file). */
    if (ej_store_own_hash(r, hash, sizeof hash) != 0 ||
        ej_store_throttle_reserve(r, r->who.username, r->remote_addr, &wait) != 0)
        return;
    if (wait > 0) {
        r->retry_after = wait;
        ej_problem(r, 429, "too_many_attempts", "Too many failed attempts; try again later.");
        return;
    }
    if (ej_db_commit(&r->db) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    enum ej_password_result pr = ej_password_verify(hash, current, NULL);
    if (pr == EJ_PASSWORD_BUSY) {
        busy(r);
        return;
    }
    if (ej_db_begin(&r->db) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    if (pr != EJ_PASSWORD_OK) {
        ej_problem(r, 403, "current_password_incorrect", "The current password is wrong.");
        return;
    }
    const char *weak = ej_password_policy_error(next, r->who.username);
    bool same = !weak && strcmp(current, next) == 0;
    if (weak || same) {
        /* The current password was right: that attempt is not a failure. */
        r->db.keep_changes = true;
        if (ej_store_throttle_clear(r, r->who.username, r->remote_addr) != 0)
            return;
        if (same) {
            ej_problem(r, 422, "weak_password",
                       "The new password must differ from the current one.");
            ej_problem_field(r, "new_password", "must differ from the current password");
        } else {
            ej_problem(r, 422, "weak_password", "The new password %s.", weak);
            ej_problem_field(r, "new_password", weak);
        }
        return;
    }
    pr = ej_password_hash(next, hash, sizeof hash);
    if (pr != EJ_PASSWORD_OK) {
        if (pr == EJ_PASSWORD_BUSY)
            busy(r);
        else
            ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
        return;
    }
    int64_t tv;
    if (ej_store_throttle_clear(r, r->who.username, r->remote_addr) != 0 ||
        ej_store_password_change(r, hash, &tv) != 0)
        return;
    start_session(r, r->who.user_id, tv);
}

void ej_op_me(struct ej_req *r)
{
    json_t *me;
    if (ej_store_me(r, &me) == 0)
        ej_reply(r, 200, me);
}

void ej_op_my_logins(struct ej_req *r)
{
    int limit;
    int64_t after;
    json_t *items;
    if (ej_page_params(r, &limit, &after) != 0 ||
        ej_store_my_logins(r, limit, after, &items) != 0)
        return;
    ej_reply(r, 200, ej_page_wrap(items, limit));
}
