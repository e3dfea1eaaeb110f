/* The audit trail, read (§19–§21): GET /audit for the superuser and the
 * director (who changed what, with before and after, and which employee read
 * which student's data), and GET /students/{id}/access-log for the data
 * subject (GDPR art. 15): the child's guardians and the student see who, by
 * role, read or changed the child's data and when; the superuser and the
 * director see the names too. No route changes or deletes a record. */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/access.h"
#include "store/trail.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* entity and action are short names made of letters, digits, '_' and '.'. */
static int name_param(struct ej_req *r, const char *name, char *buf, size_t len, const char **out)
{
    *out = NULL;
    int got = ej_query(r, name, buf, len);
    if (got <= 0)
        return got;
    size_t n = strlen(buf);
    bool ok = n > 0;
    for (size_t i = 0; i < n && ok; i++)
        ok = isalnum((unsigned char)buf[i]) || buf[i] == '_' || buf[i] == '.';
    if (!ok)
        return ej_problem(r, 400, "invalid_query",
                          "%s must be 1 to 64 letters, digits, '_' or '.'.", name);
    *out = buf;
    return 0;
}

void ej_op_list_audit(struct ej_req *r)
{
    struct ej_audit_filter f;
    char entity[65], action[65], from[16], to[16], eid[24];
    int64_t entity_id = 0;
    json_t *items;
    memset(&f, 0, sizeof f);
    if (ej_page_params(r, &f.limit, &f.after) != 0 ||
        ej_query_id(r, "actor_id", &f.actor_id) != 0 ||
        name_param(r, "entity", entity, sizeof entity, &f.entity) != 0 ||
        ej_query_id(r, "entity_id", &entity_id) != 0 ||
        name_param(r, "action", action, sizeof action, &f.action) != 0 ||
        ej_query_date(r, "from", from, sizeof from, &f.from) != 0 ||
        ej_query_date(r, "to", to, sizeof to, &f.to) != 0)
        return;
    if (entity_id) {
        /* An id means nothing without its kind (and the index is by both). */
        if (!f.entity) {
            ej_problem(r, 400, "invalid_query", "entity_id needs entity (e.g. entity=lesson).");
            return;
        }
        snprintf(eid, sizeof eid, "%lld", (long long)entity_id);
        f.entity_id = eid;
    }
    if (f.from && f.to && strcmp(f.from, f.to) > 0) {
        ej_problem(r, 400, "invalid_query", "from must not be after to.");
        return;
    }
    enum ej_err e = ej_store_audit_list(&r->db, &f, &items);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_student_access_log(struct ej_req *r)
{
    int64_t id, after;
    int limit;
    json_t *items;
    if (ej_param_id(r, 0, &id) != 0 || ej_page_params(r, &limit, &after) != 0)
        return;
    unsigned scopes = ej_read_scopes(r->who.roles, EJ_OBJ_ACCESS_LOG);
    /* Names only for those who may see everything (§20); the family sees roles. */
    bool names = scopes & EJ_SCOPE_ALL;
    enum ej_err e = ej_store_access_log(&r->db, &r->who, id, scopes, names, limit, after, &items);
    if (e == EJ_ERR_NOT_FOUND)
        ej_problem(r, 404, "not_found", "No such student.");
    else if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, limit));
}
