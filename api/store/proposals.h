/* §23: proposals to change the rules, by any signed-in user, decided by the
 * director or the superuser with a response the author reads. JSON results
 * are new references, rendered in C; on error the caller owns nothing. Who
 * reads which and what may be decided: rules/proposals.h. */
#ifndef EJ_STORE_PROPOSALS_H
#define EJ_STORE_PROPOSALS_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdint.h>

/* By db->who; paragraph 0 = none. Audited as proposal.create. */
enum ej_err ej_store_proposal_create(struct ej_db *db, const char *text, int paragraph,
                                     json_t **proposal);
/* author_id 0: any proposal; else only that author's (others are
 * EJ_ERR_NOT_FOUND). */
enum ej_err ej_store_proposal_get(struct ej_db *db, int64_t id, int64_t author_id,
                                  json_t **proposal);

struct ej_proposal_filter {
    int64_t author_id;  /* 0 = everyone's */
    const char *status; /* open, accepted, declined, noted; NULL = any */
    int limit;
    int64_t after;
};
enum ej_err ej_store_proposal_list(struct ej_db *db, const struct ej_proposal_filter *f,
                                   json_t **items);

/* The facts a decision is judged by, the row locked until the transaction
 * ends: EJ_ERR_NOT_FOUND, else its status and version. */
struct ej_proposal_state {
    char status[16];
    int64_t version;
};
enum ej_err ej_store_proposal_lock(struct ej_db *db, int64_t id, struct ej_proposal_state *out);

/* Decides a proposal locked by ej_store_proposal_lock (status accepted,
 * declined or noted) by db->who. Audited as proposal.decide with before and
 * after. */
enum ej_err ej_store_proposal_decide(struct ej_db *db, int64_t id, const char *status,
                                     const char *response, json_t **proposal);

#endif
