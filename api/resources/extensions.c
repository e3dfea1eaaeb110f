/* Teachers' requests for an extension of the entry deadline (§13, issue 15):
 * the teacher who conducts a lesson (its substitute if one is assigned, else
 * the group's teachers) asks with a reason; the superuser lists the requests,
 * grants one (the lesson's extension, as POST /lessons/{id}/extension) or
 * declines it with a note. A teacher sees their own requests and their state.
 * The facts come from the store (store/journal's entry facts, the request
 * locked), the verdicts from rules/lessons.h; the problems are here. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "rules/lessons.h"
#include "store/extensions.h"
#include "store/journal.h"

#include <stdio.h>
#include <string.h>

static const struct ej_field request_fields[] = {
    {"reason", EJ_F_STRING, EJ_F_REQUIRED, 500},
    {NULL, 0, 0, 0},
};
static const struct ej_field grant_fields[] = {
    {"until", EJ_F_STRING, EJ_F_REQUIRED, 40},
    {NULL, 0, 0, 0},
};
static const struct ej_field decline_fields[] = {
    {"note", EJ_F_STRING, EJ_F_REQUIRED, 500},
    {NULL, 0, 0, 0},
};

static bool superuser(const struct ej_req *r)
{
    return r->who.roles & EJ_ROLE_SUPERUSER;
}

static int no_request(struct ej_req *r)
{
    return ej_problem(r, 404, "not_found", "No such extension request.");
}

static void request_etag(struct ej_req *r, const json_t *request)
{
    ej_set_etag(r, json_integer_value(json_object_get(request, "version")));
}

/* Authorize: the caller conducts the lesson, and asking still makes sense. */
static int may_request(struct ej_req *r, const struct ej_entry_ctx *c)
{
    int64_t me = r->who.user_id;
    switch (ej_extension_request_allowed(c->f.substitute_id != 0, c->f.substitute_id == me,
                                         c->f.caller_teaches, c->f.year_closed, c->f.cancelled,
                                         c->f.extended)) {
    case EJ_EXTENSION_REQUEST_OK: return 0;
    case EJ_EXTENSION_REQUEST_NOT_SUBSTITUTE:
        return ej_problem(r, 403, "not_conducting_teacher",
                          "A substitute is assigned to this lesson: only they ask (§15).");
    case EJ_EXTENSION_REQUEST_NOT_CONDUCTING:
        return ej_problem(r, 403, "not_conducting_teacher",
                          "Only the teacher who conducts the lesson asks for an extension (§15).");
    case EJ_EXTENSION_REQUEST_YEAR_CLOSED: return ej_problem_year_closed(r);
    case EJ_EXTENSION_REQUEST_CANCELLED:
        return ej_problem(r, 409, "lesson_cancelled", "The lesson is cancelled.");
    case EJ_EXTENSION_REQUEST_EXTENDED: break;
    }
    char until[EJ_RIGA_BUFSZ];
    ej_utc_text_to_riga(c->extension_until, until);
    ej_problem(r, 409, "extension_in_force",
               "An extension is in force until %s: record the lesson now (§13).", until);
    if (r->out)
        json_object_set_new(r->out, "extension_until", json_string(c->extension_until));
    return -1;
}

/* Files the request of a lesson locked by ej_store_entry_begin: one pending at a time. */
static int file_request(struct ej_req *r, int64_t lesson_id, json_t **request)
{
    int64_t pending;
    if (ej_store_extension_request_pending(&r->db, lesson_id, &pending) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    if (pending) {
        ej_problem(r, 409, "extension_request_pending",
                   "This lesson already has a pending extension request (id %lld); the "
                   "superuser decides it.",
                   (long long)pending);
        if (r->out)
            json_object_set_new(r->out, "request_id", json_integer(pending));
        return -1;
    }
    if (ej_store_extension_request_create(&r->db, lesson_id, ej_json_str(r->body, "reason"),
                                          request) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    request_etag(r, *request);
    return 0;
}

/* Locks a request to decide and judges it: only while the lesson's year is
 * open, and only once. f->request owned by the caller (also on failure). */
static int lock_pending(struct ej_req *r, int64_t id, struct ej_extension_request_facts *f)
{
    enum ej_err e = ej_store_extension_request_lock(&r->db, id, f);
    if (e != EJ_OK)
        return e == EJ_ERR_NOT_FOUND ? no_request(r) : ej_problem_db(r, e);
    switch (ej_extension_decision_allowed(f->year_closed, f->status)) {
    case EJ_EXTENSION_DECISION_OK: return 0;
    case EJ_EXTENSION_DECISION_YEAR_CLOSED:
        /* A decision is a write into the lesson's journal too: not once its year is closed. */
        return ej_problem_year_closed(r);
    case EJ_EXTENSION_DECISION_NOT_PENDING: break;
    }
    ej_problem(r, 409, "extension_request_not_pending", "The request was already %s.", f->status);
    if (r->out)
        /* Not "status": that is the problem's HTTP status (RFC 9457). */
        json_object_set_new(r->out, "request_status", json_string(f->status));
    return -1;
}

/* A decision written: the request's ETag and the reply. */
static void decided(struct ej_req *r, enum ej_err e, json_t *request)
{
    if (e != EJ_OK) {
        if (e == EJ_ERR_NOT_FOUND)
            no_request(r);
        else
            ej_problem_db(r, e);
        return;
    }
    request_etag(r, request);
    ej_reply(r, 200, request);
}

void ej_op_request_lesson_extension(struct ej_req *r)
{
    int64_t id;
    struct ej_entry_ctx c;
    json_t *request;
    memset(&c, 0, sizeof c);
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, request_fields) != 0)
        return;
    if (ej_blank(ej_json_str(r->body, "reason"))) {
        ej_invalid(r, "reason", "must not be blank");
        return;
    }
    if (ej_store_entry_begin(&r->db, &r->who, id, ej_read_scopes(r->who.roles, EJ_OBJ_LESSON),
                             &c) != EJ_OK) {
        if (r->db.err == EJ_ERR_NOT_FOUND)
            ej_problem(r, 404, "not_found", "No such lesson.");
        else
            ej_problem_db(r, r->db.err);
    } else if (may_request(r, &c) == 0 && file_request(r, id, &request) == 0) {
        snprintf(r->location, sizeof r->location, "/api/v1/extension-requests/%lld",
                 (long long)json_integer_value(json_object_get(request, "id")));
        ej_reply(r, 201, request);
    }
    ej_entry_ctx_cleanup(&c);
}

void ej_op_list_extension_requests(struct ej_req *r)
{
    static const char *const statuses[] = {"pending", "granted", "declined", NULL};
    struct ej_extension_request_filter f;
    char status[16];
    json_t *items;
    memset(&f, 0, sizeof f);
    if (ej_page_params(r, &f.limit, &f.after) != 0 ||
        ej_query_id(r, "lesson_id", &f.lesson_id) != 0)
        return;
    int got = ej_query(r, "status", status, sizeof status);
    if (got < 0)
        return;
    if (got) {
        bool known = false;
        for (const char *const *s = statuses; *s && !known; s++)
            known = strcmp(*s, status) == 0;
        if (!known) {
            ej_problem(r, 400, "invalid_query", "status must be pending, granted or declined.");
            return;
        }
        f.status = status;
    }
    f.requested_by = superuser(r) ? 0 : r->who.user_id;
    if (ej_store_extension_request_list(&r->db, &f, &items) != EJ_OK)
        ej_problem_db(r, r->db.err);
    else
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_extension_request(struct ej_req *r)
{
    int64_t id;
    json_t *request;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_extension_request_get(&r->db, id, superuser(r) ? 0 : r->who.user_id,
                                                   &request);
    if (e == EJ_OK) {
        request_etag(r, request);
        ej_reply(r, 200, request);
    } else if (e == EJ_ERR_NOT_FOUND) {
        no_request(r);
    } else {
        ej_problem_db(r, e);
    }
}

void ej_op_grant_extension_request(struct ej_req *r)
{
    int64_t id;
    char until[EJ_UTC_BUFSZ];
    json_t *request = NULL;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, grant_fields) != 0)
        return;
    if (!ej_parse_until(ej_json_str(r->body, "until"), until)) {
        ej_invalid(r, "until",
                   "must be a date YYYY-MM-DD (the end of that day in Riga) or an "
                   "RFC 3339 instant");
        return;
    }
    struct ej_extension_request_facts f;
    json_t *lesson = NULL;
    /* The lesson's extension as POST /lessons/{id}/extension grants it (its refusals apply),
     * with the request's reason; then the request is granted. */
    if (lock_pending(r, id, &f) == 0 &&
        ej_lesson_extension_grant(r, f.lesson_id, until,
                                  json_string_value(json_object_get(f.request, "reason")),
                                  &lesson) == 0) {
        enum ej_err e = ej_store_extension_request_grant(&r->db, id, f.request, until, &request);
        decided(r, e, request);
    }
    json_decref(lesson);
    json_decref(f.request);
}

void ej_op_decline_extension_request(struct ej_req *r)
{
    int64_t id;
    json_t *request;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, decline_fields) != 0)
        return;
    if (ej_blank(ej_json_str(r->body, "note"))) {
        ej_invalid(r, "note", "must not be blank");
        return;
    }
    struct ej_extension_request_facts f;
    if (lock_pending(r, id, &f) == 0) {
        enum ej_err e = ej_store_extension_request_decline(&r->db, id, f.request,
                                                           ej_json_str(r->body, "note"), &request);
        decided(r, e, request);
    }
    json_decref(f.request);
}
