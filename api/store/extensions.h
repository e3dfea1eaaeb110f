/* Teachers' requests for an extension of a lesson's entry deadline (§13,
 * issue 15): the conducting teacher asks with a reason, the superuser grants
 * (the lesson's extension, ej_store_extension_grant of store/journal.h) or
 * declines with a note. Who may ask, and whether a request may still be
 * decided, is decided by rules/lessons.h in resources/extensions.c over the
 * facts read here; the store reads, writes and audits. JSON results are new
 * references; on error the caller owns nothing. */
#ifndef EJ_STORE_EXTENSIONS_H
#define EJ_STORE_EXTENSIONS_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The pending request of a lesson the caller has locked (ej_store_entry_begin),
 * so that none can appear before the insert: *pending_id, 0 if none. */
enum ej_err ej_store_extension_request_pending(struct ej_db *db, int64_t lesson_id,
                                               int64_t *pending_id);
/* Files a request (audited as extension_request.create). */
enum ej_err ej_store_extension_request_create(struct ej_db *db, int64_t lesson_id,
                                              const char *reason, json_t **request);

struct ej_extension_request_filter {
    int64_t requested_by; /* 0 = anyone's (the superuser) */
    const char *status;   /* pending, granted, declined; NULL = any */
    int64_t lesson_id;    /* 0 = any */
    int limit;
    int64_t after;
};
enum ej_err ej_store_extension_request_list(struct ej_db *db,
                                            const struct ej_extension_request_filter *f,
                                            json_t **items);
/* requested_by 0: any request; else only that user's (others are EJ_ERR_NOT_FOUND). */
enum ej_err ej_store_extension_request_get(struct ej_db *db, int64_t id, int64_t requested_by,
                                           json_t **request);

/* A request about to be decided, locked (the lesson first, as entry writers
 * and requesters lock it, then the request): the facts
 * ej_extension_decision_allowed judges. request: its view (owned). */
struct ej_extension_request_facts {
    int64_t lesson_id;
    bool year_closed;
    char status[16];
    json_t *request;
};
enum ej_err ej_store_extension_request_lock(struct ej_db *db, int64_t id,
                                            struct ej_extension_request_facts *f);
/* Writes the decision on a locked request, audited against `before`:
 * granted until `until` (UTC "YYYY-MM-DDTHH:MM:SSZ"), or declined with note. */
enum ej_err ej_store_extension_request_grant(struct ej_db *db, int64_t id, const json_t *before,
                                             const char *until, json_t **request);
enum ej_err ej_store_extension_request_decline(struct ej_db *db, int64_t id, const json_t *before,
                                               const char *note, json_t **request);

#endif
