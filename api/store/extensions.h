/* Teachers' requests for an extension of a lesson's entry deadline (§13,
 * issue 15): the conducting teacher asks with a reason, the superuser grants
 * (the lesson's extension, ej_store_extension_grant) or declines with a note.
 * Who may ask is decided by the handler from ej_store_entry_begin's facts;
 * the store writes, audits and sets the ETag. JSON results are new
 * references. */
#ifndef EJ_STORE_EXTENSIONS_H
#define EJ_STORE_EXTENSIONS_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

/* Files a request for a lesson the caller has locked (ej_store_entry_begin).
 * 409 extension_request_pending (with `request_id`) when the lesson has a
 * pending one already. Audited as extension_request.create. */
int ej_store_extension_request_create(struct ej_req *r, int64_t lesson_id, const char *reason,
                                      json_t **request);

struct ej_extension_request_filter {
    int64_t requested_by; /* 0 = anyone's (the superuser) */
    const char *status;   /* pending, granted, declined; NULL = any */
    int64_t lesson_id;    /* 0 = any */
    int limit;
    int64_t after;
};
int ej_store_extension_request_list(struct ej_req *r, const struct ej_extension_request_filter *f,
                                    json_t **items);
/* requested_by 0: any request; else only that user's (others are 404). */
int ej_store_extension_request_get(struct ej_req *r, int64_t id, int64_t requested_by,
                                   json_t **request);

/* Grants a pending request: the lesson's extension until `until` (UTC
 * "YYYY-MM-DDTHH:MM:SSZ") with the request's reason, through
 * ej_store_extension_grant (its refusals apply), and the request becomes
 * granted. 404, 409 extension_request_not_pending. */
int ej_store_extension_request_grant(struct ej_req *r, int64_t id, const char *until,
                                     json_t **request);
/* Declines a pending request with a note. 404, 409 extension_request_not_pending. */
int ej_store_extension_request_decline(struct ej_req *r, int64_t id, const char *note,
                                       json_t **request);

#endif
