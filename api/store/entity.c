#include "store/entity.h"

#include "store/audit.h"
#include "store/db.h"

void ej_store_etag(struct ej_req *r, const json_t *row)
{
    json_t *v = json_object_get(row, "version");
    if (json_is_integer(v))
        ej_set_etag(r, json_integer_value(v));
}

int ej_store_get(struct ej_req *r, const char *what, const char *sql, int n,
                 const char *const *params, json_t **out)
{
    if (db_json(r, out, sql, n, params) != 0)
        return -1;
    if (!*out)
        return ej_problem(r, 404, "not_found", "No such %s.", what);
    ej_store_etag(r, *out);
    return 0;
}

/* On failure *out is NULL: the caller never owns a row that was not stored. */
int ej_store_create(struct ej_req *r, const char *entity, const char *action,
                    const char *sql, int n, const char *const *params, json_t **out)
{
    *out = NULL;
    if (db_json(r, out, sql, n, params) != 0)
        return -1;
    if (!*out)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
    if (ej_audit(r, action, entity, json_integer_value(json_object_get(*out, "id")), NULL, *out) !=
        0) {
        json_decref(*out);
        *out = NULL;
        return -1;
    }
    ej_store_etag(r, *out);
    return 0;
}

int ej_store_change(struct ej_req *r, const char *entity, const char *action, int64_t id,
                    int64_t expected_version, const char *load_sql, const char *change_sql,
                    int n, const char *const *params, json_t **out)
{
    char idbuf[24];
    const char *p[] = {db_i64(idbuf, id)};
    json_t *before = NULL;
    *out = NULL;
    if (ej_store_get(r, entity, load_sql, 1, p, &before) != 0)
        return -1;
    if (expected_version >= 0 &&
        json_integer_value(json_object_get(before, "version")) != expected_version) {
        json_decref(before);
        return ej_problem(r, 412, "precondition_failed",
                          "The %s was changed by someone else; reload and try again.", entity);
    }
    int rc = db_json(r, out, change_sql, n, params);
    if (rc == 0 && !*out)
        rc = ej_problem(r, 404, "not_found", "No such %s.", entity);
    if (rc == 0)
        rc = ej_audit(r, action, entity, id, before, *out);
    if (rc == 0)
        ej_store_etag(r, *out);
    json_decref(before);
    if (rc != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int ej_store_external_id_conflict(struct ej_req *r, int rc)
{
    static const char *const keys[] = {"users_external_id_key", "students_external_id_key",
                                       "programs_external_id_key", "groups_external_id_key"};
    for (size_t i = 0; rc != 0 && i < sizeof keys / sizeof keys[0]; i++)
        if (db_failed_with(&r->db, "23505", keys[i]))
            ej_problem(r, 409, "external_id_taken",
                       "Another record of this kind already has this external_id.");
    return rc;
}
