/* §23: the rules may change on proposals from employees, students and
 * parents. Any signed-in user files one, optionally about one paragraph
 * (1–23); the author sees their own and the decision; the director and the
 * superuser see all and decide each once: accepted, declined or noted, with
 * a response. Every proposal and decision is in the audit trail. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/access.h"
#include "rules/proposals.h"
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

/* §23 the director and the superuser read every proposal; others their own. */
static int64_t author_filter(const struct ej_req *r)
{
    return ej_proposal_author_filter(ej_read_scopes(r->who.roles, EJ_OBJ_PROPOSAL), r->who.user_id);
}

/* A proposal's reply carries its version as the ETag (If-Match of a decision). */
static void reply_proposal(struct ej_req *r, int status, json_t *proposal)
{
    ej_set_etag(r, json_integer_value(json_object_get(proposal, "version")));
    ej_reply(r, status, proposal);
}

static void no_such_proposal(struct ej_req *r)
{
    ej_problem(r, 404, "not_found", "No such proposal.");
}

void ej_op_create_proposal(struct ej_req *r)
{
    json_t *proposal;
    if (ej_json_check(r, r->body, proposal_fields) != 0)
        return;
    json_t *par = json_object_get(r->body, "paragraph");
    json_int_t paragraph = json_is_integer(par) ? json_integer_value(par) : 0;
    if (json_is_integer(par) && !ej_proposal_paragraph_valid(paragraph)) {
        ej_invalid(r, "paragraph", "must be the number of a paragraph of the rules, 1 to 23");
        return;
    }
    enum ej_err e = ej_store_proposal_create(&r->db, ej_json_str(r->body, "text"), (int)paragraph,
                                             &proposal);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    snprintf(r->location, sizeof r->location, "/api/v1/proposals/%lld",
             (long long)json_integer_value(json_object_get(proposal, "id")));
    reply_proposal(r, 201, proposal);
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
        if (!ej_proposal_status_valid(status)) {
            ej_problem(r, 400, "invalid_query",
                       "status must be open, accepted, declined or noted.");
            return;
        }
        f.status = status;
    }
    f.author_id = author_filter(r);
    enum ej_err e = ej_store_proposal_list(&r->db, &f, &items);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_proposal(struct ej_req *r)
{
    int64_t id;
    json_t *proposal;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_proposal_get(&r->db, id, author_filter(r), &proposal);
    if (e == EJ_ERR_NOT_FOUND)
        no_such_proposal(r);
    else if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        reply_proposal(r, 200, proposal);
}

void ej_op_decide_proposal(struct ej_req *r)
{
    int64_t id, version;
    json_t *proposal;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, decision_fields) != 0)
        return;
    const char *status = ej_json_str(r->body, "status");
    if (!ej_proposal_decision_valid(status)) {
        ej_invalid(r, "status", "must be accepted, declined or noted");
        return;
    }
    struct ej_proposal_state now;
    enum ej_err e = ej_store_proposal_lock(&r->db, id, &now);
    if (e == EJ_ERR_NOT_FOUND) {
        no_such_proposal(r);
        return;
    }
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    if (version >= 0 && now.version != version) {
        ej_problem(r, 412, "precondition_failed",
                   "The proposal was changed by someone else; reload and try again.");
        return;
    }
    if (!ej_proposal_decidable(now.status)) {
        ej_problem(r, 409, "proposal_decided", "The proposal was already decided (%s).",
                   now.status);
        if (r->out)
            json_object_set_new(r->out, "proposal_status", json_string(now.status));
        return;
    }
    e = ej_store_proposal_decide(&r->db, id, status, ej_json_str(r->body, "response"), &proposal);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        reply_proposal(r, 200, proposal);
}
