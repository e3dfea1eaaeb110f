#include "store/proposals.h"

#include "store/audit.h"
#include "store/db.h"
#include "store/row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROPOSAL_COLUMNS                                                                \
    "SELECT x.id, x.author_id, a.full_name, x.paragraph, x.text, x.status, x.response," \
    " x.decided_by, d.full_name, utc(x.decided_at), x.version, utc(x.created_at),"      \
    " utc(x.updated_at) FROM proposals x JOIN users a ON a.id = x.author_id"            \
    " LEFT JOIN users d ON d.id = x.decided_by"

static json_t *proposal_json(const PGresult *res, int i)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", row_int(res, i, 0));
    json_object_set_new(o, "author_id", row_int(res, i, 1));
    json_object_set_new(o, "author_name", row_str(res, i, 2));
    json_object_set_new(o, "paragraph", row_int(res, i, 3));
    json_object_set_new(o, "text", row_str(res, i, 4));
    json_object_set_new(o, "status", row_str(res, i, 5));
    json_object_set_new(o, "response", row_str(res, i, 6));
    json_object_set_new(o, "decided_by", row_int(res, i, 7));
    json_object_set_new(o, "decided_by_name", row_str(res, i, 8));
    json_object_set_new(o, "decided_at", row_str(res, i, 9));
    json_object_set_new(o, "version", row_int(res, i, 10));
    json_object_set_new(o, "created_at", row_str(res, i, 11));
    json_object_set_new(o, "updated_at", row_str(res, i, 12));
    return o;
}

enum ej_err ej_store_proposal_get(struct ej_db *db, int64_t id, int64_t author_id,
                                  json_t **proposal)
{
    char i[24], a[24];
    const char *p[] = {db_i64(i, id), author_id ? db_i64(a, author_id) : NULL};
    *proposal = NULL;
    PGresult *res;
    enum ej_err e = db_row(
        db, &res, DB_READ,
        PROPOSAL_COLUMNS " WHERE x.id = $1 AND ($2::bigint IS NULL OR x.author_id = $2)", 2, p);
    if (e != EJ_OK)
        return e;
    *proposal = proposal_json(res, 0);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_proposal_create(struct ej_db *db, const char *text, int paragraph,
                                     json_t **proposal)
{
    char by[24], par[24];
    const char *p[] = {db_i64(by, db->who->user_id), text,
                       paragraph ? db_i64(par, paragraph) : NULL};
    *proposal = NULL;
    PGresult *res = db_exec(db, DB_ONE,
                            "INSERT INTO proposals (author_id, text, paragraph) VALUES ($1, $2, $3)"
                            " RETURNING id",
                            3, p);
    if (!res)
        return db->err;
    int64_t id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    json_t *out;
    enum ej_err e = ej_store_proposal_get(db, id, 0, &out);
    if (e == EJ_OK && (e = ej_audit(db, "proposal.create", "proposal", id, NULL, out)) != EJ_OK)
        json_decref(out);
    if (e == EJ_OK)
        *proposal = out;
    return e;
}

enum ej_err ej_store_proposal_list(struct ej_db *db, const struct ej_proposal_filter *f,
                                   json_t **items)
{
    char a[24], lim[24], aft[24];
    const char *p[] = {f->author_id ? db_i64(a, f->author_id) : NULL, f->status,
                       db_i64(lim, f->limit), db_i64(aft, f->after)};
    *items = NULL;
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            PROPOSAL_COLUMNS
                            " WHERE ($1::bigint IS NULL OR x.author_id = $1)"
                            " AND ($2::text IS NULL OR x.status = $2) AND x.id > $4"
                            " ORDER BY x.id LIMIT $3",
                            4, p);
    if (!res)
        return db->err;
    *items = json_array();
    for (int i = 0; i < PQntuples(res); i++)
        json_array_append_new(*items, proposal_json(res, i));
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_proposal_lock(struct ej_db *db, int64_t id, struct ej_proposal_state *out)
{
    char i[24];
    const char *p[] = {db_i64(i, id)};
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT status, version FROM proposals WHERE id = $1"
                           " FOR UPDATE",
                           1, p);
    if (e != EJ_OK)
        return e;
    snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, 0));
    out->version = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_proposal_decide(struct ej_db *db, int64_t id, const char *status,
                                     const char *response, json_t **proposal)
{
    char i[24], by[24];
    const char *p[] = {db_i64(i, id), status, response, db_i64(by, db->who->user_id)};
    json_t *before = NULL, *after = NULL;
    *proposal = NULL;
    enum ej_err e = ej_store_proposal_get(db, id, 0, &before);
    if (e != EJ_OK)
        return e;
    PGresult *res = db_exec(db, DB_NONE,
                            "UPDATE proposals SET status = $2, response = $3, decided_by = $4,"
                            " decided_at = now(), version = version + 1, updated_at = now()"
                            " WHERE id = $1",
                            4, p);
    if (!res)
        e = db->err;
    else
        PQclear(res);
    if (e == EJ_OK)
        e = ej_store_proposal_get(db, id, 0, &after);
    if (e == EJ_OK)
        e = ej_audit(db, "proposal.decide", "proposal", id, before, after);
    json_decref(before);
    if (e != EJ_OK) {
        json_decref(after);
        return e;
    }
    *proposal = after;
    return EJ_OK;
}
