#include "store/entity.h"

#include "store/audit.h"
#include "store/db.h"

int64_t ej_entity_version(const json_t *row)
{
    json_t *v = json_object_get(row, "version");
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

/* Records a failure that no statement reported (a row missing where one must be). */
static enum ej_err fail(struct ej_db *db, enum ej_err e)
{
    db->err = e;
    db->sqlstate[0] = db->constraint[0] = db->column[0] = '\0';
    return e;
}

enum ej_err ej_entity_get(struct ej_db *db, const char *sql, int n, const char *const *params,
                          json_t **out, int64_t *version)
{
    *out = NULL;
    enum ej_err e = db_json(db, out, sql, n, params);
    if (e != EJ_OK)
        return e;
    if (!*out)
        return fail(db, EJ_ERR_NOT_FOUND);
    if (version)
        *version = ej_entity_version(*out);
    return EJ_OK;
}

enum ej_err ej_entity_create(struct ej_db *db, const char *entity, const char *action,
                             const char *sql, int n, const char *const *params, json_t **out,
                             int64_t *version)
{
    *out = NULL;
    enum ej_err e = db_json(db, out, sql, n, params);
    if (e == EJ_OK && !*out)
        e = fail(db, EJ_ERR_INTERNAL);
    if (e == EJ_OK)
        e = ej_audit(db, action, entity, json_integer_value(json_object_get(*out, "id")), NULL,
                     *out);
    if (e != EJ_OK) {
        json_decref(*out);
        *out = NULL;
        return e;
    }
    if (version)
        *version = ej_entity_version(*out);
    return EJ_OK;
}

enum ej_err ej_entity_change(struct ej_db *db, const char *entity, const char *action, int64_t id,
                             int64_t expected_version, const char *load_sql, const char *change_sql,
                             int n, const char *const *params, json_t **out, int64_t *version)
{
    char idbuf[24];
    const char *p[] = {db_i64(idbuf, id)};
    json_t *before = NULL;
    int64_t current = -1;
    *out = NULL;
    enum ej_err e = ej_entity_get(db, load_sql, 1, p, &before, &current);
    if (e != EJ_OK)
        return e;
    if (expected_version >= 0 && current != expected_version)
        e = fail(db, EJ_ERR_STALE);
    if (e == EJ_OK)
        e = db_json(db, out, change_sql, n, params);
    if (e == EJ_OK && !*out)
        e = fail(db, EJ_ERR_NOT_FOUND);
    if (e == EJ_OK)
        e = ej_audit(db, action, entity, id, before, *out);
    json_decref(before);
    if (e != EJ_OK) {
        json_decref(*out);
        *out = NULL;
        return e;
    }
    if (version)
        *version = ej_entity_version(*out);
    return EJ_OK;
}

bool ej_entity_external_id_taken(const struct ej_db *db)
{
    static const char *const keys[] = {"users_external_id_key", "students_external_id_key",
                                       "programs_external_id_key", "groups_external_id_key"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (db_failed_with(db, "23505", keys[i]))
            return true;
    return false;
}
