/* Signing in (§6, §9–§11): the verdicts of a login, a refresh and a password
 * change, and the throttling schedule, as pure functions over the facts the
 * store read (store/identity.h). The resource (resources/auth.c) turns a
 * verdict into its reply; nothing here knows HTTP or the database.
 *
 * Throttling: failures are counted per username+address ("pair") and per
 * username ("account"); a count whose last failure is over an hour old starts
 * again. The pair locks after 5 failures, the account after 20; each further
 * failure doubles the wait from 1 s, up to 15 min (pair) or 5 min (account).
 * Whether a lock is in force, and for whom, is read by the store (the
 * account-wide lock does not apply to an address that signed in to the account
 * successfully in the last 90 days). */
#ifndef EJ_RULES_LOGIN_H
#define EJ_RULES_LOGIN_H

#include <stdbool.h>

enum ej_throttle_key {
    EJ_THROTTLE_PAIR,    /* username + address */
    EJ_THROTTLE_ACCOUNT, /* username, from any address */
};

/* The failure count after one more failure: `stale` = the last failure is
 * over an hour old, so the count starts again. */
int ej_throttle_next_failures(int failures, bool stale);

/* The lock in seconds that a key with this many failures gets: 0 below the
 * threshold, then 1, 2, 4, ... up to the cap. */
int ej_throttle_lock_seconds(enum ej_throttle_key key, int failures);

/* ---- login ---- */

struct ej_login_facts {
    int throttle_wait;  /* seconds of a lock in force; > 0: the password is not checked */
    bool found;         /* the username names an account */
    bool has_password;  /* it has a password hash */
    bool password_ok;   /* the password was checked against that hash and is right */
    const char *access; /* user_access(): active, pending, ended, revoked */
};

enum ej_login_verdict {
    EJ_LOGIN_OK,        /* open a session */
    EJ_LOGIN_THROTTLED, /* 429: refused before the password is checked */
    EJ_LOGIN_INVALID,   /* 401: unknown user, no password or a wrong one, alike */
    EJ_LOGIN_NO_ACCESS, /* 403: the password is right but the account has no access now */
};

/* Whether the password is checked against the account's hash; if not, the
 * same work is burnt on a dummy hash, so that unknown users cost the same. */
bool ej_login_checks_hash(const struct ej_login_facts *f);

/* The verdict. Before the password is checked (password_ok false) it can
 * only be THROTTLED or INVALID; the resource asks first, and only hashes when
 * the answer is not THROTTLED. */
enum ej_login_verdict ej_login_verdict(const struct ej_login_facts *f);

/* The outcome recorded in the login records (/me/logins): "success",
 * "throttled", "invalid_credentials", "access_<access>" (written into buf,
 * which must hold 32 bytes). */
const char *ej_login_outcome(const struct ej_login_facts *f, char buf[32]);

/* ---- refresh ---- */

struct ej_refresh_facts {
    bool found; /* the token is one the server issued */
    bool spent; /* it was already exchanged for a new one */
    bool live;  /* its session is open, unexpired, of the current token version, and the
                   account has access */
};

enum ej_refresh_verdict {
    EJ_REFRESH_ROTATE,  /* spend it, issue the next one */
    EJ_REFRESH_UNKNOWN, /* 401 invalid_refresh_token: not a token of ours */
    EJ_REFRESH_REUSED,  /* 401 refresh_token_reused: someone holds a copy; end the session */
    EJ_REFRESH_ENDED,   /* 401 invalid_refresh_token: the session has ended */
};

enum ej_refresh_verdict ej_refresh_verdict(const struct ej_refresh_facts *f);

/* ---- password change ---- */

struct ej_password_change_facts {
    int throttle_wait; /* as for login: > 0 refuses before the check */
    bool current_ok;   /* the current password was checked and is right */
    const char *weak;  /* the policy's objection to the new password, or NULL */
    bool same;         /* the new password equals the current one */
};

enum ej_password_change_verdict {
    EJ_PWCHANGE_OK,
    EJ_PWCHANGE_THROTTLED,     /* 429 */
    EJ_PWCHANGE_WRONG_CURRENT, /* 403 current_password_incorrect: counted as a failure */
    EJ_PWCHANGE_WEAK,          /* 422 weak_password: the current one was right, not a failure */
    EJ_PWCHANGE_SAME,          /* 422 weak_password: must differ from the current one */
};

enum ej_password_change_verdict
ej_password_change_verdict(const struct ej_password_change_facts *f);

#endif
