/* The change feed (SPEC "Integration"): GET /changes and GET /changes/bounds,
 * for the integration account and the superuser. The rows are written by the
 * audit helper (store/audit.c) in the transaction of each change and numbered
 * at commit (store/db.c); this module only reads them. Each page read is one
 * `read` audit record: the route is PERSONAL, and the pipeline audits the
 * integration account's reads like an employee's. */
#include "resources/resources.h"

#include "rules/changes.h"
#include "store/changes.h"

#include <stdio.h>
#include <string.h>

static void expired(struct ej_req *r, int64_t oldest)
{
    char o[24];
    snprintf(o, sizeof o, "%lld", (long long)oldest);
    ej_problem(r, 410, "cursor_expired",
               "The changes after this cursor are no longer kept; the oldest cursor is %s"
               " (GET /changes/bounds). Resynchronise from a full export.",
               o);
    json_object_set_new(r->out, "oldest", json_string(o));
}

void ej_op_list_changes(struct ej_req *r)
{
    char v[32];
    int limit = 50;
    int64_t after = -1, oldest, latest;
    int got = ej_query(r, "limit", v, sizeof v);
    if (got < 0)
        return;
    if (got == 1) {
        int64_t n;
        if (!ej_change_cursor_parse(v, &n) || n < 1 || n > 500) {
            ej_problem(r, 400, "invalid_query", "limit must be an integer from 1 to 500.");
            return;
        }
        limit = (int)n;
    }
    got = ej_query(r, "after", v, sizeof v);
    if (got < 0)
        return;
    if (got == 1 && !ej_change_cursor_parse(v, &after)) {
        ej_problem(r, 400, "invalid_query", "after must be a cursor from GET /changes.");
        return;
    }
    enum ej_err e = ej_store_change_bounds(&r->db, &oldest, &latest);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    if (after < 0)
        after = oldest; /* no cursor: from the oldest change kept */
    switch (ej_change_cursor_verdict(after, oldest, latest)) {
    case EJ_CURSOR_EXPIRED: expired(r, oldest); return;
    case EJ_CURSOR_BEYOND:
        ej_problem(r, 400, "invalid_query",
                   "after is beyond the latest change; it must be a cursor from GET /changes.");
        return;
    case EJ_CURSOR_OK: break;
    }
    json_t *items;
    int64_t last;
    if ((e = ej_store_changes_page(&r->db, after, limit, &items, &last)) != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    /* `ejournal prune` deletes from the oldest end only: if what is kept
     * still starts at or below `after` now, nothing above it was gone when
     * the page was read; otherwise the page may have a hole. */
    if ((e = ej_store_change_bounds(&r->db, &oldest, &latest)) != EJ_OK || after < oldest) {
        json_decref(items);
        if (e != EJ_OK)
            ej_problem_db(r, e);
        else
            expired(r, oldest);
        return;
    }
    char next[24];
    snprintf(next, sizeof next, "%lld", (long long)last);
    ej_reply(r, 200, json_pack("{s:o, s:s}", "items", items, "next", next));
}

void ej_op_get_change_bounds(struct ej_req *r)
{
    int64_t oldest, latest;
    enum ej_err e = ej_store_change_bounds(&r->db, &oldest, &latest);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    char o[24], l[24];
    snprintf(o, sizeof o, "%lld", (long long)oldest);
    snprintf(l, sizeof l, "%lld", (long long)latest);
    ej_reply(r, 200, json_pack("{s:s, s:s}", "oldest", o, "latest", l));
}
