#include "store/changes.h"

#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ej_err ej_store_change_bounds(struct ej_db *db, int64_t *oldest, int64_t *latest)
{
    /* One statement, one snapshot: the clock and the oldest kept commit agree. */
    PGresult *res = db_exec(db, DB_ONE | DB_READ,
                            "SELECT coalesce((SELECT first_position - 1 FROM change_commits"
                            " ORDER BY last_position LIMIT 1), k.position), k.position"
                            " FROM change_clock k",
                            0, NULL);
    if (!res)
        return db->err;
    *oldest = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    *latest = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    return EJ_OK;
}

static json_t *text_or_null(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

enum ej_err ej_store_changes_page(struct ej_db *db, int64_t after, int limit, json_t **items,
                                  int64_t *last)
{
    char a[24], l[24];
    const char *p[] = {db_i64(a, after), db_i64(l, limit)};
    *items = NULL;
    *last = after;
    /* Commits are walked in position order (last_position is unique and
     * indexed), their changes by (xid, n); a page may end inside a commit,
     * the next one starts at the following change of it. */
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            "SELECT t.first_position + c.n - 1, utc(t.committed_at), c.entity,"
                            " c.entity_id, c.op, c.data->>'external_id', c.data::text"
                            " FROM change_commits t JOIN changes c ON c.xid = t.xid"
                            " WHERE t.last_position > $1::bigint"
                            " AND t.first_position + c.n - 1 > $1::bigint"
                            " ORDER BY t.last_position, c.n LIMIT $2::int",
                            2, p);
    if (!res)
        return db->err;
    json_t *out = json_array();
    for (int i = 0; i < PQntuples(res); i++) {
        json_t *data = json_loads(PQgetvalue(res, i, 6), JSON_DECODE_ANY, NULL);
        if (!data) {
            json_decref(out);
            PQclear(res);
            return EJ_ERR_INTERNAL; /* the feed's data is jsonb: cannot happen */
        }
        *last = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        json_array_append_new(
            out,
            json_pack(
                "{s:s, s:o, s:s, s:o, s:s, s:o, s:o}", "cursor", PQgetvalue(res, i, 0),
                "committed_at", text_or_null(res, i, 1), "entity", PQgetvalue(res, i, 2), "id",
                PQgetisnull(res, i, 3) ? json_null()
                                       : json_integer(strtoll(PQgetvalue(res, i, 3), NULL, 10)),
                "op", PQgetvalue(res, i, 4), "external_id", text_or_null(res, i, 5), "data", data));
    }
    PQclear(res);
    *items = out;
    return EJ_OK;
}

int ej_store_changes_prune(struct pg_conn *c, int days, long *deleted)
{
    char d[24];
    snprintf(d, sizeof d, "%d", days);
    /* A batch: the oldest commits past the retention and their changes. The
     * clock is never touched, so positions are never handed out again and
     * GET /changes can tell an expired cursor (below the oldest kept). */
    return db_cli_delete_batches(c,
                                 "WITH t AS (DELETE FROM change_commits WHERE xid IN"
                                 " (SELECT xid FROM change_commits WHERE committed_at <"
                                 " now() - make_interval(days => $1::int)"
                                 " ORDER BY committed_at LIMIT 1000) RETURNING xid)"
                                 " DELETE FROM changes WHERE xid IN (SELECT xid FROM t)",
                                 d, deleted);
}
