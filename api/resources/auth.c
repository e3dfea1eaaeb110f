/* Authentication (§6–§10): login, refresh, logout, password change, /me.
 *
 * Login throttling (state in PostgreSQL, so every instance sees it):
 *  - failures are counted per username+address ("pair") and per username
 *    ("account"); counts older than an hour are forgotten;
 *  - the pair locks after 5 failures, the account after 20; each further
 *    failure doubles the wait from 1 s, capped at 15 min (pair) and 5 min
 *    (account) (rules/login.c); while locked, attempts get 429 + Retry-After
 *    and the password is not even checked, so guessing is bounded;
 *  - the lock is set when the attempt is counted, and set again from the
 *    answer once the password is found wrong, so the hashing in between
 *    (most of a second on a loaded server) does not shorten the wait;
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
#include "rules/login.h"
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

static int internal(struct ej_req *r)
{
    return ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
}

/* Replies {access_token, token_type, expires_in, refresh_token, user}. */
static void reply_tokens(struct ej_req *r, int64_t user_id, int64_t session_id,
                         int64_t token_version, const char *refresh_token)
{
    json_t *me = NULL;
    if (ej_store_me(&r->db, user_id, &me) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    int ttl = ej_cfg()->access_ttl;
    char *access = ej_token_issue(user_id, session_id, token_version, ttl);
    if (!access) {
        json_decref(me);
        internal(r);
        return;
    }
    ej_reply(r, 200,
             json_pack("{s:s, s:s, s:i, s:s, s:o}", "access_token", access, "token_type", "Bearer",
                       "expires_in", ttl, "refresh_token", refresh_token, "user", me));
    memset(access, 0, strlen(access));
    free(access);
}

/* Opens a new session for user_id and replies with its tokens. */
static void start_session(struct ej_req *r, int64_t user_id, int64_t token_version)
{
    char refresh[EJ_REFRESH_TOKEN_SIZE], hash[65];
    int64_t sid;
    if (ej_refresh_token_new(refresh, hash) != 0) {
        internal(r);
        return;
    }
    if (ej_store_session_open(&r->db, user_id, hash, r->remote_addr, ej_req_header(r, "User-Agent"),
                              &sid) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    reply_tokens(r, user_id, sid, token_version, refresh);
}

/* 429 for an attempt refused by throttling (recorded under the account too,
 * so its owner sees it in /me/logins). */
static void throttled(struct ej_req *r, int64_t user_id, const char *username, int wait)
{
    r->db.keep_changes = true;
    if (ej_store_login_throttled(&r->db, user_id, username, r->remote_addr,
                                 ej_req_header(r, "User-Agent")) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    r->retry_after = wait;
    ej_problem(r, 429, "too_many_attempts", "Too many failed attempts; try again in %d second%s.",
               wait, wait == 1 ? "" : "s");
}

/* Records the attempt's outcome; the record stays even when the reply is an
 * error (keep_changes). 0, or -1 with the problem set. */
static int record(struct ej_req *r, int64_t user_id, const char *username, const char *outcome)
{
    if (ej_store_login_record(&r->db, user_id, username, r->remote_addr,
                              ej_req_header(r, "User-Agent"), outcome) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    return 0;
}

/* The attempt was counted before its check: commit that before hashing, so
 * parallel attempts see it, and so no transaction stays open while we hash.
 * 0, or -1 with the problem set. */
static int commit_count(struct ej_req *r)
{
    if (ej_db_commit(&r->db) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    return 0;
}

/* The transaction for everything after the hash. 0, or -1 with the problem set. */
static int begin_after_hash(struct ej_req *r)
{
    if (ej_db_begin(&r->db) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    return 0;
}

void ej_op_login(struct ej_req *r)
{
    if (ej_json_check(r, r->body, login_fields) != 0)
        return;
    char username[EJ_USERNAME_MAX_BYTES + 1];
    lowercase(ej_json_str(r->body, "username"), username, sizeof username);
    const char *password = ej_json_str(r->body, "password");

    struct ej_login_account a;
    struct ej_throttle_count count;
    if (ej_store_login_account(&r->db, username, &a) != EJ_OK ||
        ej_store_throttle_reserve(&r->db, username, r->remote_addr, &count) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    struct ej_login_facts f = {
        .throttle_wait = count.wait,
        .found = a.found,
        .has_password = a.hash[0] != '\0',
        .access = a.access,
    };
    int64_t uid = a.found ? a.id : 0;
    if (ej_login_verdict(&f) == EJ_LOGIN_THROTTLED) {
        throttled(r, uid, username, count.wait);
        return;
    }
    if (commit_count(r) != 0)
        return;
    bool rehash = false;
    enum ej_password_result pr = ej_login_checks_hash(&f)
                                     ? ej_password_verify(a.hash, password, &rehash)
                                     : ej_password_burn(password);
    if (pr == EJ_PASSWORD_BUSY) {
        busy(r);
        return;
    }
    if (begin_after_hash(r) != 0)
        return;
    f.password_ok = ej_login_checks_hash(&f) && pr == EJ_PASSWORD_OK;
    char outcome[32];
    switch (ej_login_verdict(&f)) {
    case EJ_LOGIN_THROTTLED: /* decided above */
    case EJ_LOGIN_INVALID:
        r->db.keep_changes = true; /* the record and the lock must stay */
        if (ej_store_throttle_restart(&r->db, username, r->remote_addr, &count) != EJ_OK) {
            ej_problem_db(r, r->db.err);
            return;
        }
        if (record(r, uid, username, ej_login_outcome(&f, outcome)) == 0)
            ej_problem(r, 401, "invalid_credentials", "Wrong username or password.");
        return;
    case EJ_LOGIN_NO_ACCESS:
        /* The password was right: that attempt is not a failure. */
        if (ej_store_throttle_clear(&r->db, username, r->remote_addr) != EJ_OK) {
            ej_problem_db(r, r->db.err);
            return;
        }
        r->db.keep_changes = true;
        if (record(r, a.id, username, ej_login_outcome(&f, outcome)) != 0)
            return;
        ej_problem(r, 403, "access_revoked", "This account has no access (%s).", a.access);
        json_object_set_new(r->out, "access", json_string(a.access));
        return;
    case EJ_LOGIN_OK: break;
    }
    if (ej_store_throttle_clear(&r->db, username, r->remote_addr) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    char fresh[EJ_PASSWORD_ENCODED_SIZE];
    if (rehash && ej_password_hash(password, fresh, sizeof fresh) == EJ_PASSWORD_OK &&
        ej_store_password_rehash(&r->db, a.id, fresh) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    if (record(r, a.id, username, ej_login_outcome(&f, outcome)) != 0)
        return;
    start_session(r, a.id, a.token_version);
}

void ej_op_refresh_token(struct ej_req *r)
{
    if (ej_json_check(r, r->body, refresh_fields) != 0)
        return;
    char old_hash[65], token[EJ_REFRESH_TOKEN_SIZE], new_hash[65];
    if (ej_refresh_token_hash(ej_json_str(r->body, "refresh_token"), old_hash) != 0) {
        ej_problem(r, 401, "invalid_refresh_token", "The refresh token is not valid.");
        return;
    }
    struct ej_refresh got;
    if (ej_store_refresh_find(&r->db, old_hash, &got) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    struct ej_refresh_facts f = {.found = got.found, .spent = got.spent, .live = got.live};
    switch (ej_refresh_verdict(&f)) {
    case EJ_REFRESH_UNKNOWN:
        ej_problem(r, 401, "invalid_refresh_token", "The refresh token is not valid.");
        return;
    case EJ_REFRESH_REUSED:
        /* Someone holds a copy of an old token: end the whole login, and
         * keep that although the reply is an error. */
        if (ej_store_session_end(&r->db, got.session_id, "refresh_token_reused") != EJ_OK) {
            ej_problem_db(r, r->db.err);
            return;
        }
        r->db.keep_changes = true;
        ej_problem(r, 401, "refresh_token_reused",
                   "This refresh token was already used; the session has been ended.");
        return;
    case EJ_REFRESH_ENDED:
        ej_problem(r, 401, "invalid_refresh_token", "The session has ended.");
        return;
    case EJ_REFRESH_ROTATE: break;
    }
    if (ej_refresh_token_new(token, new_hash) != 0) {
        internal(r);
        return;
    }
    if (ej_store_refresh_rotate(&r->db, got.session_id, old_hash, new_hash) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    reply_tokens(r, got.user_id, got.session_id, got.token_version, token);
}

void ej_op_logout(struct ej_req *r)
{
    if (r->body && ej_json_check(r, r->body, logout_fields) != 0)
        return;
    bool everywhere = r->body && json_is_true(json_object_get(r->body, "everywhere"));
    enum ej_err e = everywhere
                        ? ej_store_sessions_end_all(&r->db, r->who.user_id, "logout_everywhere")
                        : ej_store_session_end(&r->db, r->who.session_id, "logout");
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    ej_reply_empty(r, 204);
}

void ej_op_change_password(struct ej_req *r)
{
    if (ej_json_check(r, r->body, password_fields) != 0)
        return;
    const char *current = ej_json_str(r->body, "current_password");
    const char *next = ej_json_str(r->body, "new_password");
    struct ej_throttle_count count;
    char hash[EJ_PASSWORD_ENCODED_SIZE];
    /* Wrong current passwords count like failed logins, counted before the
     * check (see the top of this file). */
    if (ej_store_own_hash(&r->db, r->who.user_id, hash, sizeof hash) != EJ_OK ||
        ej_store_throttle_reserve(&r->db, r->who.username, r->remote_addr, &count) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    struct ej_password_change_facts f = {.throttle_wait = count.wait};
    if (ej_password_change_verdict(&f) == EJ_PWCHANGE_THROTTLED) {
        r->retry_after = count.wait;
        ej_problem(r, 429, "too_many_attempts", "Too many failed attempts; try again later.");
        return;
    }
    if (commit_count(r) != 0)
        return;
    enum ej_password_result pr = ej_password_verify(hash, current, NULL);
    if (pr == EJ_PASSWORD_BUSY) {
        busy(r);
        return;
    }
    if (begin_after_hash(r) != 0)
        return;
    f.current_ok = pr == EJ_PASSWORD_OK;
    f.weak = f.current_ok ? ej_password_policy_error(next, r->who.username) : NULL;
    f.same = f.current_ok && strcmp(current, next) == 0;
    enum ej_password_change_verdict v = ej_password_change_verdict(&f);
    switch (v) {
    case EJ_PWCHANGE_THROTTLED: /* decided above */
    case EJ_PWCHANGE_WRONG_CURRENT:
        r->db.keep_changes = true; /* the lock must stay */
        if (ej_store_throttle_restart(&r->db, r->who.username, r->remote_addr, &count) != EJ_OK) {
            ej_problem_db(r, r->db.err);
            return;
        }
        ej_problem(r, 403, "current_password_incorrect", "The current password is wrong.");
        return;
    case EJ_PWCHANGE_WEAK:
    case EJ_PWCHANGE_SAME:
        /* The current password was right: that attempt is not a failure. */
        r->db.keep_changes = true;
        if (ej_store_throttle_clear(&r->db, r->who.username, r->remote_addr) != EJ_OK) {
            ej_problem_db(r, r->db.err);
            return;
        }
        if (v == EJ_PWCHANGE_SAME) {
            ej_problem(r, 422, "weak_password",
                       "The new password must differ from the current one.");
            ej_problem_field(r, "new_password", "must differ from the current password");
        } else {
            ej_problem(r, 422, "weak_password", "The new password %s.", f.weak);
            ej_problem_field(r, "new_password", f.weak);
        }
        return;
    case EJ_PWCHANGE_OK: break;
    }
    pr = ej_password_hash(next, hash, sizeof hash);
    if (pr != EJ_PASSWORD_OK) {
        if (pr == EJ_PASSWORD_BUSY)
            busy(r);
        else
            internal(r);
        return;
    }
    int64_t tv;
    if (ej_store_throttle_clear(&r->db, r->who.username, r->remote_addr) != EJ_OK ||
        ej_store_password_change(&r->db, r->who.user_id, hash, &tv) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    start_session(r, r->who.user_id, tv);
}

void ej_op_get_me(struct ej_req *r)
{
    json_t *me;
    if (ej_store_me(&r->db, r->who.user_id, &me) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    ej_reply(r, 200, me);
}

void ej_op_list_my_logins(struct ej_req *r)
{
    int limit;
    int64_t after;
    json_t *items;
    if (ej_page_params(r, &limit, &after) != 0)
        return;
    if (ej_store_my_logins(&r->db, r->who.user_id, limit, after, &items) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    ej_reply(r, 200, ej_page_wrap(items, limit));
}
