#include "rules/proposals.h"

#include "rules/access.h"

#include <string.h>

static const char *const decisions[] = {"accepted", "declined", "noted", NULL};
static const char *const statuses[] = {"open", "accepted", "declined", "noted", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

int64_t ej_proposal_author_filter(unsigned scopes, int64_t user_id)
{
    return (scopes & EJ_SCOPE_ALL) ? 0 : user_id;
}

bool ej_proposal_paragraph_valid(long long paragraph)
{
    return paragraph >= 1 && paragraph <= 23;
}

bool ej_proposal_status_valid(const char *status)
{
    return one_of(status, statuses);
}

bool ej_proposal_decision_valid(const char *status)
{
    return one_of(status, decisions);
}

bool ej_proposal_decidable(const char *current_status)
{
    return current_status && strcmp(current_status, "open") == 0;
}
