/* §23: proposals to change the rules, by any signed-in user, decided by the
 * director or the superuser with a response the author reads. JSON results
 * are new references, rendered in C. */
#ifndef EJ_STORE_PROPOSALS_H
#define EJ_STORE_PROPOSALS_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* paragraph 0 = none. Audited as proposal.create; sets the ETag. */
int ej_store_proposal_create(struct ej_req *r, const char *text, int paragraph,
                             json_t **proposal);
/* author_id 0: any proposal; else only that author's (others are 404). */
int ej_store_proposal_get(struct ej_req *r, int64_t id, int64_t author_id, json_t **proposal);

struct ej_proposal_filter {
    int64_t author_id;  /* 0 = everyone's */
    const char *status; /* open, accepted, declined, noted; NULL = any */
    int limit;
    int64_t after;
};
int ej_store_proposal_list(struct ej_req *r, const struct ej_proposal_filter *f, json_t **items);

/* Decides an open proposal (status accepted, declined or noted). 404, 412
 * (expected_version >= 0 and stale), 409 proposal_decided when it already
 * is. Audited as proposal.decide with before and after. */
int ej_store_proposal_decide(struct ej_req *r, int64_t id, int64_t expected_version,
                             const char *status, const char *response, json_t **proposal);

#endif
