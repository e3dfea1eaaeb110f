/* §23 proposals (api/rules/proposals.h): who reads which, what may be decided. */
#include "check.h"
#include "core/req.h"
#include "rules/access.h"
#include "rules/proposals.h"

int main(void)
{
    /* §23 the director and the superuser read all; everyone else only their own. */
    static const struct {
        unsigned roles;
        int64_t want; /* 0 = all, else the user's own id (42) */
    } readers[] = {
        {EJ_ROLE_DIRECTOR, 0},
        {EJ_ROLE_SUPERUSER, 0},
        {EJ_ROLE_DIRECTOR | EJ_ROLE_GUARDIAN, 0},
        {EJ_ROLE_TEACHER, 42},
        {EJ_ROLE_GUARDIAN, 42},
        {EJ_ROLE_STUDENT, 42},
        {EJ_ROLE_STAFF | EJ_ROLE_TEACHER, 42},
        {EJ_ROLE_INTEGRATION, 42},
        {0, 42},
    };
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++) {
        unsigned scopes = ej_read_scopes(readers[i].roles, EJ_OBJ_PROPOSAL);
        CHECK(ej_proposal_author_filter(scopes, 42) == readers[i].want);
    }

    /* §23 a proposal may name a paragraph of the rules, §1 to §23. */
    CHECK(!ej_proposal_paragraph_valid(0));
    CHECK(ej_proposal_paragraph_valid(1));
    CHECK(ej_proposal_paragraph_valid(23));
    CHECK(!ej_proposal_paragraph_valid(24));
    CHECK(!ej_proposal_paragraph_valid(-1));

    /* decisions and statuses */
    static const struct {
        const char *s;
        bool status, decision, decidable;
    } words[] = {
        {"open", true, false, true},     {"accepted", true, true, false},
        {"declined", true, true, false}, {"noted", true, true, false},
        {"Open", false, false, false},   {"", false, false, false},
        {NULL, false, false, false},     {"rejected", false, false, false},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        CHECK(ej_proposal_status_valid(words[i].s) == words[i].status);
        CHECK(ej_proposal_decision_valid(words[i].s) == words[i].decision);
        /* §23 each proposal is decided once */
        CHECK(ej_proposal_decidable(words[i].s) == words[i].decidable);
    }
    return check_summary("test_rules_proposals");
}
