#include "rules/users.h"

#include <string.h>

enum ej_own_access ej_own_access_verdict(const struct ej_own_change *c)
{
    if (!c->self)
        return EJ_OWN_ACCESS_KEPT;
    /* ISO dates compare as strings. Access begins on employment_start and
     * lasts through employment_end (user_access()). */
    if ((c->start && strcmp(c->start, c->today) > 0) || (c->end && strcmp(c->end, c->today) < 0))
        return EJ_OWN_ACCESS_ENDS;
    if (!c->roles_given)
        return EJ_OWN_ACCESS_KEPT;
    for (size_t i = 0; i < c->n_roles; i++)
        if (c->roles[i] && strcmp(c->roles[i], "superuser") == 0)
            return EJ_OWN_ACCESS_KEPT;
    return EJ_OWN_ACCESS_DEMOTED;
}

bool ej_may_revoke(bool self)
{
    return !self;
}
