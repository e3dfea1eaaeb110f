/* §23: the rules may change on proposals from employees, students and
 * parents. Any signed-in user files one, optionally about one paragraph
 * (1–23); the author sees their own and the decision; the director and the
 * superuser see all and decide each once: accepted, declined or noted, with
 * a response. Every proposal and decision is in the audit trail. */
#include "resources/resources.h"

#include "core/json.h"
#include "store/proposals.h"

#include <stdio.h>
#include <string.h>

#define MAX_TEXT 10000

static const struct ej_field proposal_fields[] = {
    {"text", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, MAX_TEXT},
    {"paragraph", EJ_F_INT, EJ_F_NULLABLE, 0},
    {NULL, 0, 0, 0},
};
static const struct ej_field decision_fields[] = {
    {"status", EJ_F_STRING, EJ_F_REQUIRED, 16},
    {"response", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 4000},
    {NULL, 0, 0, 0},
};

static const char *const decisions[] = {"accepted", "declined", "noted", NULL};
static const char *const statuses[] = {"open", "accepted", "declined", "noted", NULL};

static bool one_of(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* The director and the superuser read every proposal; others their own. */
static int64_t own_only(const struct ej_req *r)
{
    return (r->who.roles & (EJ_ROLE_SUPERUSER | EJ_ROLE_DIRECTOR)) ? 0 : r->who.user_id;
}

void ej_op_create_proposal(struct ej_req *r)
{
    json_t *proposal;
    if (ej_json_check(r, r->body, proposal_fields) != 0)
        return;
    json_t *par = json_object_get(r->body, "paragraph");
    json_int_t paragraph = json_is_integer(par) ? json_integer_value(par) : 0;
    if (json_is_integer(par) && (paragraph < 1 || paragraph > 23)) {
        ej_invalid(r, "paragraph", "must be the number of a paragraph of the rules, 1 to 23");
        return;
    }
    if (ej_store_proposal_create(r, ej_json_str(r->body, "text"), (int)paragraph, &proposal) ==
        0) {
        snprintf(r->location, sizeof r->location, "/api/v1/proposals/%lld",
                 (long long)json_integer_value(json_object_get(proposal, "id")));
        ej_reply(r, 201, proposal);
    }
}

void ej_op_list_proposals(struct ej_req *r)
{
    struct ej_proposal_filter f;
    char status[16];
    json_t *items;
    memset(&f, 0, sizeof f);
    if (ej_page_params(r, &f.limit, &f.after) != 0)
        return;
    int got = ej_query(r, "status", status, sizeof status);
    if (got < 0)
        return;
    if (got) {
        if (!one_of(status, statuses)) {
            ej_problem(r, 400, "invalid_query",
                       "status must be open, accepted, declined or noted.");
            return;
        }
        f.status = status;
    }
    f.author_id = own_only(r);
    if (ej_store_proposal_list(r, &f, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_proposal(struct ej_req *r)
{
    int64_t id;
    json_t *proposal;
    if (ej_param_id(r, 0, &id) == 0 && ej_store_proposal_get(r, id, own_only(r), &proposal) == 0)
        ej_reply(r, 200, proposal);
}

void ej_op_decide_proposal(struct ej_req *r)
{
    int64_t id, version;
    json_t *proposal;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, decision_fields) != 0)
        return;
    const char *status = ej_json_str(r->body, "status");
    if (!one_of(status, decisions)) {
        ej_invalid(r, "status", "must be accepted, declined or noted");
        return;
    }
    if (ej_store_proposal_decide(r, id, version, status, ej_json_str(r->body, "response"),
                                 &proposal) == 0)
        ej_reply(r, 200, proposal);
}
