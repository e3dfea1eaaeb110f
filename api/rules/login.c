#include "rules/login.h"

#include <stdio.h>
#include <string.h>

/* Failures before a lock, and the longest lock (seconds). */
#define PAIR_THRESHOLD 5
#define PAIR_CAP 900
#define ACCOUNT_THRESHOLD 20
#define ACCOUNT_CAP 300

int ej_throttle_next_failures(int failures, bool stale)
{
    if (stale || failures < 0)
        return 1;
    return failures + 1;
}

int ej_throttle_lock_seconds(enum ej_throttle_key key, int failures)
{
    int threshold = key == EJ_THROTTLE_ACCOUNT ? ACCOUNT_THRESHOLD : PAIR_THRESHOLD;
    int cap = key == EJ_THROTTLE_ACCOUNT ? ACCOUNT_CAP : PAIR_CAP;
    if (failures < threshold)
        return 0;
    /* The threshold-th failure locks for 1 s, each further one doubles it;
     * past 2^10 s every cap is reached, so the shift never overflows. */
    int doublings = failures - threshold;
    if (doublings >= 10)
        return cap;
    int wait = 1 << doublings;
    return wait < cap ? wait : cap;
}

bool ej_login_checks_hash(const struct ej_login_facts *f)
{
    return f->found && f->has_password;
}

enum ej_login_verdict ej_login_verdict(const struct ej_login_facts *f)
{
    if (f->throttle_wait > 0)
        return EJ_LOGIN_THROTTLED;
    if (!ej_login_checks_hash(f) || !f->password_ok)
        return EJ_LOGIN_INVALID;
    if (!f->access || strcmp(f->access, "active") != 0)
        return EJ_LOGIN_NO_ACCESS;
    return EJ_LOGIN_OK;
}

const char *ej_login_outcome(const struct ej_login_facts *f, char buf[32])
{
    switch (ej_login_verdict(f)) {
    case EJ_LOGIN_OK: return "success";
    case EJ_LOGIN_THROTTLED: return "throttled";
    case EJ_LOGIN_INVALID: return "invalid_credentials";
    case EJ_LOGIN_NO_ACCESS: break;
    }
    snprintf(buf, 32, "access_%s", f->access ? f->access : "none");
    return buf;
}

enum ej_refresh_verdict ej_refresh_verdict(const struct ej_refresh_facts *f)
{
    if (!f->found)
        return EJ_REFRESH_UNKNOWN;
    /* A spent token ends its session even when the session is over anyway:
     * the reuse is what the owner must learn of. */
    if (f->spent)
        return EJ_REFRESH_REUSED;
    if (!f->live)
        return EJ_REFRESH_ENDED;
    return EJ_REFRESH_ROTATE;
}

enum ej_password_change_verdict ej_password_change_verdict(const struct ej_password_change_facts *f)
{
    if (f->throttle_wait > 0)
        return EJ_PWCHANGE_THROTTLED;
    if (!f->current_ok)
        return EJ_PWCHANGE_WRONG_CURRENT;
    if (f->weak)
        return EJ_PWCHANGE_WEAK;
    if (f->same)
        return EJ_PWCHANGE_SAME;
    return EJ_PWCHANGE_OK;
}
