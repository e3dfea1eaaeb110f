/* Users (§6–§8, §11): only the superuser issues accounts; the director reads. */
#include "resources/resources.h"

#include "auth/password.h"
#include "auth/random.h"
#include "core/json.h"
#include "rules/calendar.h"
#include "rules/users.h"
#include "store/entity.h"
#include "store/users.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct ej_field create_fields[] = {
    {"username", EJ_F_STRING, EJ_F_REQUIRED, 64},
    {"full_name", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 200},
    {"roles", EJ_F_STRING_ARRAY, EJ_F_REQUIRED, 7},
    {"email", EJ_F_STRING, EJ_F_NULLABLE, 254},
    {"phone", EJ_F_STRING, EJ_F_NULLABLE, 40},
    {"employment_start", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"employment_end", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    {NULL, 0, 0, 0},
};
static const struct ej_field update_fields[] = {
    {"full_name", EJ_F_STRING, EJ_F_NAME, 200},
    {"roles", EJ_F_STRING_ARRAY, 0, 7},
    {"email", EJ_F_STRING, EJ_F_NULLABLE, 254},
    {"phone", EJ_F_STRING, EJ_F_NULLABLE, 40},
    {"employment_start", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"employment_end", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"external_id", EJ_F_STRING, EJ_F_NULLABLE, 64},
    {NULL, 0, 0, 0},
};
static const struct ej_field revoke_fields[] = {
    {"reason", EJ_F_STRING, EJ_F_REQUIRED, 500},
    {NULL, 0, 0, 0},
};
static const struct ej_field no_fields[] = {{NULL, 0, 0, 0}};

static const char *const roles[] = {"superuser", "director", "teacher",     "staff",
                                    "student",   "guardian", "integration", NULL};
static const char *const access_states[] = {"active", "pending", "ended", "revoked", NULL};

static int listed(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

static int username_valid(const char *u)
{
    size_t n = strlen(u);
    if (n < 2 || n > 64 || !((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= '0' && u[0] <= '9')))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') || strchr("._-", u[i])))
            return 0;
    return 1;
}

/* Checks what the types can't: role names, e-mail shape, date order. */
static int validate_user(struct ej_req *r, const json_t *b)
{
    const char *field = NULL, *msg = NULL;
    const char *username = ej_json_str(b, "username");
    const char *email = ej_json_str(b, "email");
    const char *start = ej_json_str(b, "employment_start");
    const char *end = ej_json_str(b, "employment_end");
    json_t *rl = json_object_get(b, "roles");
    size_t i;
    json_t *v;
    if (username && !username_valid(username))
        field = "username",
        msg = "must be 2-64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit";
    else if (rl && json_array_size(rl) == 0)
        field = "roles", msg = "must name at least one role";
    else if (email && (!strchr(email, '@') || strchr(email, ' ')))
        field = "email", msg = "must be an e-mail address";
    else if (start && end && strcmp(end, start) < 0)
        field = "employment_end", msg = "must not be before employment_start";
    json_array_foreach(rl, i, v) {
        if (!field && !listed(roles, json_string_value(v)))
            field = "roles",
            msg = "must be superuser, director, teacher, staff, student, guardian or integration";
    }
    return field ? ej_invalid(r, field, msg) : ej_check_external_id(r, b);
}

/* A fresh one-time password and its hash; -1 with 503/500 set. */
static int one_time_password(struct ej_req *r, char *plain, char *hash)
{
    if (ej_random_password(plain, EJ_RANDOM_PASSWORD_SIZE) != 0)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
    enum ej_password_result pr = ej_password_hash(plain, hash, EJ_PASSWORD_ENCODED_SIZE);
    if (pr == EJ_PASSWORD_BUSY) {
        r->retry_after = EJ_PASSWORD_RETRY_AFTER;
        return ej_problem(r, 503, "busy", "The server is busy; try again in a moment.");
    }
    if (pr != EJ_PASSWORD_OK)
        return ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
    return 0;
}

/* A failed write of a user: the constraints this resource names, else the generic mapping. */
static int user_problem(struct ej_req *r, enum ej_err e)
{
    if (e == EJ_ERR_CONFLICT && strcmp(r->db.constraint, EJ_USERS_USERNAME_KEY) == 0)
        return ej_problem(r, 409, "username_taken", "This username is already taken.");
    if (e == EJ_ERR_CONFLICT && ej_entity_external_id_taken(&r->db))
        return ej_problem_external_id_taken(r);
    if (e == EJ_ERR_INVALID && strcmp(r->db.constraint, EJ_USERS_DATES_CHECK) == 0)
        return ej_problem(r, 422, "validation_failed",
                          "employment_end must not be before employment_start.");
    return ej_problem_entity(r, e, "user");
}

/* Replies with the user (stolen) and its ETag. */
static void reply_user(struct ej_req *r, int status, json_t *user, int64_t version)
{
    if (version >= 0)
        ej_set_etag(r, version);
    ej_reply(r, status, user);
}

void ej_op_create_user(struct ej_req *r)
{
    char plain[EJ_RANDOM_PASSWORD_SIZE], hash[EJ_PASSWORD_ENCODED_SIZE];
    json_t *user;
    int64_t version;
    if (ej_json_check(r, r->body, create_fields) != 0 || validate_user(r, r->body) != 0 ||
        one_time_password(r, plain, hash) != 0)
        return;
    enum ej_err e = ej_store_user_create(&r->db, r->body, hash, &user, &version);
    if (e != EJ_OK) {
        memset(plain, 0, sizeof plain);
        user_problem(r, e);
        return;
    }
    json_object_set_new(user, "initial_password", json_string(plain));
    memset(plain, 0, sizeof plain);
    snprintf(r->location, sizeof r->location, "/api/v1/users/%lld",
             (long long)json_integer_value(json_object_get(user, "id")));
    reply_user(r, 201, user, version);
}

void ej_op_list_users(struct ej_req *r)
{
    char role[32], q[128], access[16], external_id[264];
    struct ej_user_filter f;
    json_t *items;
    int has_role = ej_query(r, "role", role, sizeof role);
    int has_q = has_role < 0 ? -1 : ej_query(r, "q", q, sizeof q);
    int has_access = has_q < 0 ? -1 : ej_query(r, "access", access, sizeof access);
    int has_ext = has_access < 0 ? -1 : ej_query(r, "external_id", external_id, sizeof external_id);
    if (has_ext < 0 || ej_page_params(r, &f.limit, &f.after) != 0)
        return;
    if ((has_role && !listed(roles, role)) || (has_access && !listed(access_states, access))) {
        ej_problem(r, 400, "invalid_query", "Unknown role or access filter.");
        return;
    }
    f.role = has_role ? role : NULL;
    f.q = has_q ? q : NULL;
    f.access = has_access ? access : NULL;
    f.external_id = has_ext ? external_id : NULL;
    enum ej_err e = ej_store_user_list(&r->db, &f, &items);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_user(struct ej_req *r)
{
    int64_t id, version;
    json_t *user;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_user_get(&r->db, id, &user, &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "user");
    else
        reply_user(r, 200, user, version);
}

/* The superuser may not take their own superuser role away, nor date their
 * own access out of existence (rules/users.h). */
static int keeps_own_superuser(struct ej_req *r, int64_t id)
{
    const json_t *asked = json_object_get(r->body, "roles");
    const char *names[8] = {0};
    size_t n = 0, i;
    json_t *v;
    json_array_foreach(asked, i, v) {
        if (n < sizeof names / sizeof names[0])
            names[n++] = json_string_value(v);
    }
    /* Today in Riga, as user_access() in the database counts it: not the server's TZ. */
    char today[EJ_DATE_BUFSZ];
    ej_date_format(ej_riga_today(), today);
    struct ej_own_change c = {
        .self = id == r->who.user_id,
        .start = ej_json_str(r->body, "employment_start"),
        .end = ej_json_str(r->body, "employment_end"),
        .today = today,
        .roles = names,
        .n_roles = n,
        .roles_given = asked != NULL,
    };
    switch (ej_own_access_verdict(&c)) {
    case EJ_OWN_ACCESS_ENDS:
        return ej_problem(r, 409, "cannot_end_own_access",
                          "Your own employment dates would end your access.");
    case EJ_OWN_ACCESS_DEMOTED:
        return ej_problem(r, 409, "cannot_demote_self",
                          "You cannot remove your own superuser role.");
    case EJ_OWN_ACCESS_KEPT: break;
    }
    return 0;
}

void ej_op_update_user(struct ej_req *r)
{
    int64_t id, version;
    json_t *user;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, update_fields) != 0 || validate_user(r, r->body) != 0 ||
        keeps_own_superuser(r, id) != 0)
        return;
    enum ej_err e = ej_store_user_update(&r->db, id, version, r->body, &user, &version);
    if (e != EJ_OK)
        user_problem(r, e);
    else
        reply_user(r, 200, user, version);
}

void ej_op_reset_password(struct ej_req *r)
{
    int64_t id, version;
    char plain[EJ_RANDOM_PASSWORD_SIZE], hash[EJ_PASSWORD_ENCODED_SIZE];
    json_t *user;
    if (ej_param_id(r, 0, &id) != 0 || (r->body && ej_json_check(r, r->body, no_fields) != 0) ||
        one_time_password(r, plain, hash) != 0)
        return;
    enum ej_err e = ej_store_user_reset_password(&r->db, id, hash, &user, &version);
    if (e != EJ_OK) {
        ej_problem_entity(r, e, "user");
    } else {
        if (version >= 0)
            ej_set_etag(r, version);
        ej_reply(r, 200, json_pack("{s:s, s:o}", "initial_password", plain, "user", user));
    }
    memset(plain, 0, sizeof plain);
}

void ej_op_revoke_user(struct ej_req *r)
{
    int64_t id, version;
    json_t *user;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, revoke_fields) != 0)
        return;
    if (!ej_may_revoke(id == r->who.user_id)) {
        ej_problem(r, 409, "cannot_revoke_self", "You cannot revoke your own access.");
        return;
    }
    enum ej_err e = ej_store_user_revoke(&r->db, id, ej_json_str(r->body, "reason"), &user,
                                         &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "user");
    else
        reply_user(r, 200, user, version);
}

void ej_op_reinstate_user(struct ej_req *r)
{
    int64_t id, version;
    json_t *user;
    if (ej_param_id(r, 0, &id) != 0 || (r->body && ej_json_check(r, r->body, no_fields) != 0))
        return;
    enum ej_err e = ej_store_user_reinstate(&r->db, id, &user, &version);
    if (e != EJ_OK)
        ej_problem_entity(r, e, "user");
    else
        reply_user(r, 200, user, version);
}
