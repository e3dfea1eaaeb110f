/* Signing in (§6, §9–§11, issue 9 #7): the throttling schedule and the
 * verdicts of a login, a refresh and a password change (api/rules/login.c). */
#include "check.h"
#include "rules/login.h"

#include <stddef.h>

static void throttle_schedule(void)
{
    /* A failure counts on; one after an hour of quiet starts again. */
    CHECK(ej_throttle_next_failures(0, false) == 1);
    CHECK(ej_throttle_next_failures(4, false) == 5);
    CHECK(ej_throttle_next_failures(19, true) == 1);
    CHECK(ej_throttle_next_failures(0, true) == 1);

    /* §9: the pair locks at the 5th failure for 1 s, each further failure doubles the wait. */
    static const struct {
        enum ej_throttle_key key;
        int failures, seconds;
    } table[] = {
        {EJ_THROTTLE_PAIR, 0, 0},
        {EJ_THROTTLE_PAIR, 1, 0},
        {EJ_THROTTLE_PAIR, 4, 0},
        {EJ_THROTTLE_PAIR, 5, 1},
        {EJ_THROTTLE_PAIR, 6, 2},
        {EJ_THROTTLE_PAIR, 7, 4},
        {EJ_THROTTLE_PAIR, 8, 8},
        {EJ_THROTTLE_PAIR, 14, 512},
        /* capped at 15 minutes */
        {EJ_THROTTLE_PAIR, 15, 900},
        {EJ_THROTTLE_PAIR, 16, 900},
        {EJ_THROTTLE_PAIR, 1000, 900},
        {EJ_THROTTLE_PAIR, 2147483647, 900},
        /* the account after 20, capped at 5 minutes (a new address waits at most that) */
        {EJ_THROTTLE_ACCOUNT, 5, 0},
        {EJ_THROTTLE_ACCOUNT, 19, 0},
        {EJ_THROTTLE_ACCOUNT, 20, 1},
        {EJ_THROTTLE_ACCOUNT, 21, 2},
        {EJ_THROTTLE_ACCOUNT, 28, 256},
        {EJ_THROTTLE_ACCOUNT, 29, 300},
        {EJ_THROTTLE_ACCOUNT, 100000, 300},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int got = ej_throttle_lock_seconds(table[i].key, table[i].failures);
        if (got != table[i].seconds)
            fprintf(stderr, "row %zu: %d failures: %d s, want %d\n", i, table[i].failures, got,
                    table[i].seconds);
        CHECK(got == table[i].seconds);
    }
}

static void login(void)
{
    static const struct {
        struct ej_login_facts f;
        enum ej_login_verdict verdict;
        int checks_hash;
        const char *outcome;
    } table[] = {
        /* a lock in force refuses before anything else, even the right password */
        {{3, true, true, true, "active"}, EJ_LOGIN_THROTTLED, 1, "throttled"},
        {{1, false, false, false, NULL}, EJ_LOGIN_THROTTLED, 0, "throttled"},
        /* unknown user, no password, wrong password: the same verdict; the hash is only
         * checked for an account with one */
        {{0, false, false, false, NULL}, EJ_LOGIN_INVALID, 0, "invalid_credentials"},
        {{0, true, false, false, "active"}, EJ_LOGIN_INVALID, 0, "invalid_credentials"},
        {{0, true, false, true, "active"}, EJ_LOGIN_INVALID, 0, "invalid_credentials"},
        {{0, true, true, false, "active"}, EJ_LOGIN_INVALID, 1, "invalid_credentials"},
        /* a wrong password says nothing about access */
        {{0, true, true, false, "revoked"}, EJ_LOGIN_INVALID, 1, "invalid_credentials"},
        /* §7 §11: a right password of an account without access */
        {{0, true, true, true, "pending"}, EJ_LOGIN_NO_ACCESS, 1, "access_pending"},
        {{0, true, true, true, "ended"}, EJ_LOGIN_NO_ACCESS, 1, "access_ended"},
        {{0, true, true, true, "revoked"}, EJ_LOGIN_NO_ACCESS, 1, "access_revoked"},
        {{0, true, true, true, "active"}, EJ_LOGIN_OK, 1, "success"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char buf[32];
        CHECK(ej_login_verdict(&table[i].f) == table[i].verdict);
        CHECK(ej_login_checks_hash(&table[i].f) == (table[i].checks_hash != 0));
        CHECK_STR(ej_login_outcome(&table[i].f, buf), table[i].outcome);
    }
}

static void refresh(void)
{
    static const struct {
        struct ej_refresh_facts f;
        enum ej_refresh_verdict verdict;
    } table[] = {
        {{false, false, false}, EJ_REFRESH_UNKNOWN},
        {{true, false, true}, EJ_REFRESH_ROTATE},
        /* reuse ends the session, whether or not it was still live */
        {{true, true, true}, EJ_REFRESH_REUSED},
        {{true, true, false}, EJ_REFRESH_REUSED},
        /* logged out, expired, revoked access, password changed */
        {{true, false, false}, EJ_REFRESH_ENDED},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        CHECK(ej_refresh_verdict(&table[i].f) == table[i].verdict);
}

static void password_change(void)
{
    static const struct {
        struct ej_password_change_facts f;
        enum ej_password_change_verdict verdict;
    } table[] = {
        {{2, true, NULL, false}, EJ_PWCHANGE_THROTTLED},
        {{0, false, NULL, false}, EJ_PWCHANGE_WRONG_CURRENT},
        /* the current password is checked first: a weak new one says nothing before it */
        {{0, false, "is too short", false}, EJ_PWCHANGE_WRONG_CURRENT},
        {{0, true, "is too short", false}, EJ_PWCHANGE_WEAK},
        {{0, true, "is too short", true}, EJ_PWCHANGE_WEAK},
        {{0, true, NULL, true}, EJ_PWCHANGE_SAME},
        {{0, true, NULL, false}, EJ_PWCHANGE_OK},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        CHECK(ej_password_change_verdict(&table[i].f) == table[i].verdict);
}

int main(void)
{
    throttle_schedule();
    login();
    refresh();
    password_change();
    return check_summary("test_rules_login");
}
