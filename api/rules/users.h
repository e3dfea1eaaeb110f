/* The superuser's own account (§6, §11): the institution must never be left
 * without anyone to administer it, so a superuser may not take their own
 * superuser role away, date their own access out of existence, or revoke
 * themself. Pure C over the change asked for; the resource answers 409 with
 * the verdict's code. */
#ifndef EJ_RULES_USERS_H
#define EJ_RULES_USERS_H

#include <stdbool.h>
#include <stddef.h>

enum ej_own_access {
    EJ_OWN_ACCESS_KEPT = 0,
    EJ_OWN_ACCESS_ENDS,    /* cannot_end_own_access: the dates would end it */
    EJ_OWN_ACCESS_DEMOTED, /* cannot_demote_self: superuser not among the roles */
};

/* A change of user `target` asked by `actor`. start / end: the new
 * employment dates as YYYY-MM-DD, NULL when not given (or cleared); today:
 * Riga's date as user_access() counts it; roles: the new role list, NULL
 * when not given. Another user's change is always KEPT. */
struct ej_own_change {
    bool self;
    const char *start, *end, *today;
    const char *const *roles; /* n_roles names */
    size_t n_roles;
    bool roles_given;
};
enum ej_own_access ej_own_access_verdict(const struct ej_own_change *c);

/* Revoking: never one's own access. */
bool ej_may_revoke(bool self);

#endif
