/* §23 proposals: who reads which, what a decision is (pure C, table-tested
 * in tests/unit/test_rules_proposals.c). */
#ifndef EJ_RULES_PROPOSALS_H
#define EJ_RULES_PROPOSALS_H

#include <stdbool.h>
#include <stdint.h>

/* Whose proposals user_id reads, given their scopes on EJ_OBJ_PROPOSAL
 * (rules/access.h): 0 = everyone's (EJ_SCOPE_ALL: the director and the
 * superuser), else only their own (user_id). Another's is 404. */
int64_t ej_proposal_author_filter(unsigned scopes, int64_t user_id);

/* A paragraph of the rules a proposal may name: 1 to 23. */
bool ej_proposal_paragraph_valid(long long paragraph);

/* A status a list may filter by (open, accepted, declined, noted), and a
 * decision the director may take (accepted, declined, noted). */
bool ej_proposal_status_valid(const char *status);
bool ej_proposal_decision_valid(const char *status);

/* Each proposal is decided once: only an open one may be. */
bool ej_proposal_decidable(const char *current_status);

#endif
