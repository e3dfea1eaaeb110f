#include "store/users.h"

#include "store/db.h"
#include "store/entity.h"

#include <stdlib.h>
#include <string.h>

#define LOAD_USER "SELECT user_json(u) FROM users u WHERE id = $1 FOR UPDATE"

/* Runs an UPDATE ... RETURNING user_json(u) on one user and audits it. */
static enum ej_err change_user(struct ej_db *db, int64_t id, const char *action, const char *sql,
                               int n, const char *const *params, json_t **user, int64_t *version)
{
    return ej_entity_change(db, "user", action, id, -1, LOAD_USER, sql, n, params, user, version);
}

enum ej_err ej_store_user_create(struct ej_db *db, const json_t *body, const char *hash,
                                 json_t **user, int64_t *version)
{
    char *doc = json_dumps(body, JSON_COMPACT);
    const char *p[] = {doc, hash};
    enum ej_err e = ej_entity_create(
        db, "user", "user.create",
        "INSERT INTO users AS u (username, full_name, email, phone, roles,"
        " employment_start, employment_end, password_hash, must_change_password, external_id)"
        " SELECT $1::jsonb->>'username', $1::jsonb->>'full_name',"
        " $1::jsonb->>'email', $1::jsonb->>'phone',"
        " ARRAY(SELECT DISTINCT jsonb_array_elements_text($1::jsonb->'roles')),"
        " ($1::jsonb->>'employment_start')::date,"
        " ($1::jsonb->>'employment_end')::date, $2, true, $1::jsonb->>'external_id'"
        " RETURNING user_json(u)",
        2, p, user, version);
    free(doc);
    return e;
}

enum ej_err ej_store_user_list(struct ej_db *db, const struct ej_user_filter *f, json_t **items)
{
    char lim[24], aft[24], like[260];
    const char *p[] = {f->role,
                       db_like(f->q, like, sizeof like),
                       f->access,
                       db_i64(lim, f->limit),
                       db_i64(aft, f->after),
                       f->external_id};
    return db_json(db, items,
                   "SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM ("
                   " SELECT u.id, user_json(u) AS j FROM users u"
                   " WHERE ($1::text IS NULL OR $1 = ANY(u.roles))"
                   " AND ($2::text IS NULL OR u.username ILIKE '%' || $2 || '%'"
                   "      OR u.full_name ILIKE '%' || $2 || '%')"
                   " AND ($3::text IS NULL OR user_access(u) = $3)"
                   " AND ($6::text IS NULL OR u.external_id = $6)"
                   " AND u.id > $5 ORDER BY u.id LIMIT $4) s",
                   6, p);
}

enum ej_err ej_store_user_get(struct ej_db *db, int64_t id, json_t **user, int64_t *version)
{
    char idbuf[24];
    const char *p[] = {db_i64(idbuf, id)};
    return ej_entity_get(db, "SELECT user_json(u) FROM users u WHERE id = $1", 1, p, user, version);
}

enum ej_err ej_store_user_update(struct ej_db *db, int64_t id, int64_t expected_version,
                                 const json_t *body, json_t **user, int64_t *version)
{
    char idbuf[24], *doc = json_dumps(body, JSON_COMPACT);
    const char *p[] = {db_i64(idbuf, id), doc};
    enum ej_err e = ej_entity_change(
        db, "user", "user.update", id, expected_version, LOAD_USER,
        "UPDATE users u SET"
        " full_name = CASE WHEN $2::jsonb ? 'full_name' THEN $2::jsonb->>'full_name' ELSE "
        "full_name END,"
        " email = CASE WHEN $2::jsonb ? 'email' THEN $2::jsonb->>'email' ELSE email END,"
        " phone = CASE WHEN $2::jsonb ? 'phone' THEN $2::jsonb->>'phone' ELSE phone END,"
        " roles = CASE WHEN $2::jsonb ? 'roles' THEN ARRAY(SELECT DISTINCT"
        "   jsonb_array_elements_text($2::jsonb->'roles')) ELSE roles END,"
        " employment_start = CASE WHEN $2::jsonb ? 'employment_start'"
        "   THEN ($2::jsonb->>'employment_start')::date ELSE employment_start END,"
        " employment_end = CASE WHEN $2::jsonb ? 'employment_end'"
        "   THEN ($2::jsonb->>'employment_end')::date ELSE employment_end END,"
        " external_id = CASE WHEN $2::jsonb ? 'external_id' THEN $2::jsonb->>'external_id'"
        "   ELSE external_id END,"
        " version = version + 1, updated_at = now()"
        " WHERE id = $1 RETURNING user_json(u)",
        2, p, user, version);
    free(doc);
    return e;
}

enum ej_err ej_store_user_reset_password(struct ej_db *db, int64_t id, const char *hash,
                                         json_t **user, int64_t *version)
{
    char idbuf[24];
    const char *p[] = {db_i64(idbuf, id), hash};
    return change_user(
        db, id, "user.reset_password",
        "WITH s AS (UPDATE sessions SET revoked_at = now(),"
        " revoked_reason = 'password_reset' WHERE user_id = $1 AND revoked_at IS NULL)"
        " UPDATE users u SET password_hash = $2, must_change_password = true,"
        " token_version = token_version + 1, version = version + 1,"
        " updated_at = now() WHERE id = $1 RETURNING user_json(u)",
        2, p, user, version);
}

enum ej_err ej_store_user_revoke(struct ej_db *db, int64_t id, const char *reason, json_t **user,
                                 int64_t *version)
{
    char idbuf[24];
    const char *p[] = {db_i64(idbuf, id), reason};
    return change_user(db, id, "user.revoke",
                       "WITH s AS (UPDATE sessions SET revoked_at = now(),"
                       " revoked_reason = 'revoked' WHERE user_id = $1 AND revoked_at IS NULL)"
                       " UPDATE users u SET revoked_at = now(), revoked_reason = $2,"
                       " token_version = token_version + 1, version = version + 1,"
                       " updated_at = now() WHERE id = $1 RETURNING user_json(u)",
                       2, p, user, version);
}

enum ej_err ej_store_user_reinstate(struct ej_db *db, int64_t id, json_t **user, int64_t *version)
{
    char idbuf[24];
    const char *p[] = {db_i64(idbuf, id)};
    return change_user(db, id, "user.reinstate",
                       "UPDATE users u SET revoked_at = NULL, revoked_reason = NULL,"
                       " version = version + 1, updated_at = now() WHERE id = $1"
                       " RETURNING user_json(u)",
                       1, p, user, version);
}
