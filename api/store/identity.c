#include "store/identity.h"

#include "core/config.h"
#include "rules/login.h"
#include "store/audit.h"
#include "store/changes.h"
#include "store/db.h"
#include "store/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {"superuser", "director", "teacher",    "staff",
                                         "student",   "guardian", "integration"};

unsigned ej_roles_from_text(const char *a)
{
    unsigned roles = 0;
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
        size_t n = strlen(role_names[i]);
        for (const char *p = strstr(a, role_names[i]); p; p = strstr(p + 1, role_names[i]))
            if ((p == a || p[-1] == '{' || p[-1] == ',') && (p[n] == ',' || p[n] == '}'))
                roles |= 1u << i;
    }
    return roles;
}

enum ej_err ej_store_principal(struct ej_db *db, int64_t user_id, int64_t session_id,
                               int64_t token_version, struct ej_principal *who)
{
    char uid[24], sid[24], tv[24];
    const char *p[] = {db_i64(uid, user_id), db_i64(sid, session_id), db_i64(tv, token_version)};
    memset(who, 0, sizeof *who);
    PGresult *res;
    enum ej_err e = db_row(db, &res, DB_READ,
                           "SELECT u.roles::text, u.must_change_password, u.username"
                           " FROM users u JOIN sessions s ON s.user_id = u.id"
                           " WHERE u.id = $1 AND s.id = $2 AND u.token_version = $3"
                           " AND s.revoked_at IS NULL AND s.expires_at > now()"
                           " AND user_access(u) = 'active'",
                           3, p);
    if (e != EJ_OK)
        return e;
    who->user_id = user_id;
    who->session_id = session_id;
    who->roles = ej_roles_from_text(PQgetvalue(res, 0, 0));
    who->must_change_password = PQgetvalue(res, 0, 1)[0] == 't';
    snprintf(who->username, sizeof who->username, "%s", PQgetvalue(res, 0, 2));
    PQclear(res);
    return EJ_OK;
}

static int cli_ok(PGconn *c, PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 1;
    fprintf(stderr, "ejournal: %s", PQerrorMessage(c));
    return 0;
}

int ej_store_cli_superuser(const char *username, const char *hash)
{
    PGconn *c = db_connect_cli();
    const char *p[] = {username, hash};
    /* Creating or resetting ends every session of that account (its sessions
     * are revoked and token_version bumped), and the change is in the audit
     * trail, attributed to the command line. */
    PGresult *res = PQexecParams(
        c,
        "WITH s AS (UPDATE sessions SET revoked_at = now(), revoked_reason = 'superuser_reset'"
        " WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE username = $1)),"
        " up AS ("
        " INSERT INTO users (username, full_name, roles, password_hash, must_change_password)"
        " VALUES ($1, $1, ARRAY['superuser'], $2, false)"
        " ON CONFLICT (username) DO UPDATE SET password_hash = $2,"
        "  roles = CASE WHEN 'superuser' = ANY(users.roles) THEN users.roles"
        "               ELSE users.roles || 'superuser'::text END,"
        "  must_change_password = false, revoked_at = NULL, revoked_reason = NULL,"
        "  employment_start = CASE WHEN users.employment_start > riga_today() THEN NULL"
        "                          ELSE users.employment_start END,"
        "  employment_end = CASE WHEN users.employment_end < riga_today() THEN NULL"
        "                        ELSE users.employment_end END,"
        "  token_version = users.token_version + 1, version = users.version + 1,"
        "  updated_at = now()"
        " RETURNING id, (xmax = 0) AS created, username, roles)"
        " INSERT INTO audit_log (actor_id, action, entity, entity_id, after)"
        " SELECT NULL, CASE WHEN created THEN 'user.create_superuser' ELSE"
        " 'user.reset_superuser' END, 'user', id::text,"
        " jsonb_build_object('username', username, 'roles', roles) FROM up",
        2, NULL, p, NULL, NULL, 0);
    int ok = cli_ok(c, res);
    PQclear(res);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* ---- throttling ---- */

static void throttle_keys(const char *username, const char *address, char *acct, size_t al,
                          char *pair, size_t pl)
{
    snprintf(acct, al, "account:%s", username);
    snprintf(pair, pl, "pair:%s|%s", username, address ? address : "");
}

/* Buffers for the keys: a username of up to EJ_USERNAME_MAX_BYTES plus an address. */
#define ACCT_KEY (EJ_USERNAME_MAX_BYTES + 16)
#define PAIR_KEY (EJ_USERNAME_MAX_BYTES + 80)

/* The wait in seconds now in force for this pair, or for the account from an
 * address that never signed in to it (the account-wide lock does not apply to
 * an address that has: an attacker elsewhere cannot lock the owner out). */
static enum ej_err throttle_wait(struct ej_db *db, const char *const p[4], int *seconds)
{
    PGresult *res = db_exec(
        db, DB_ONE,
        "SELECT coalesce(ceil(extract(epoch FROM max(locked_until) - now())), 0)::int"
        " FROM login_throttle WHERE locked_until > now() AND (key = $2 OR (key = $1"
        " AND NOT EXISTS (SELECT 1 FROM login_attempts WHERE username = $3"
        " AND address = $4 AND outcome = 'success' AND at > now() - interval '90 days')))",
        4, p);
    if (!res)
        return db->err;
    *seconds = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_throttle_reserve(struct ej_db *db, const char *username, const char *address,
                                      struct ej_throttle_count *out)
{
    memset(out, 0, sizeof *out);
    char acct[ACCT_KEY], pair[PAIR_KEY];
    throttle_keys(username, address, acct, sizeof acct, pair, sizeof pair);
    const char *p[] = {acct, pair, username, address ? address : ""};
    /* A locked pair or account answers without taking any row lock, so a flood
     * against a locked account does not queue on its rows. */
    enum ej_err e = throttle_wait(db, p, &out->wait);
    if (e != EJ_OK || out->wait > 0)
        return e;
    /* Otherwise: make sure both rows exist, lock them (always in key order:
     * 'account:' < 'pair:'), look again, and count this attempt as a failure
     * in advance; a correct password clears the count afterwards. Parallel
     * attempts wait at the lock until this one commits, and then see its
     * count (each statement here sees what was committed before it began,
     * and FOR UPDATE the row as the lock holder left it). */
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO login_throttle (key) SELECT k FROM unnest(ARRAY[$1, $2])"
                            " k ON CONFLICT (key) DO NOTHING",
                            2, p);
    if (!res)
        return db->err;
    PQclear(res);
    res = db_exec(db, DB_MANY,
                  "SELECT key, failures, updated_at < now() - interval '1 hour' FROM login_throttle"
                  " WHERE key IN ($1, $2) ORDER BY key FOR UPDATE",
                  2, p);
    if (!res)
        return db->err;
    int failures[2] = {0, 0};
    bool stale[2] = {true, true};
    for (int i = 0; i < PQntuples(res); i++) {
        int k = strcmp(PQgetvalue(res, i, 0), acct) == 0 ? EJ_THROTTLE_ACCOUNT : EJ_THROTTLE_PAIR;
        failures[k] = (int)strtol(PQgetvalue(res, i, 1), NULL, 10);
        stale[k] = PQgetvalue(res, i, 2)[0] == 't';
    }
    PQclear(res);
    if ((e = throttle_wait(db, p, &out->wait)) != EJ_OK || out->wait > 0)
        return e;
    char n[2][12], s[2][12];
    for (int k = 0; k < 2; k++) {
        out->failures[k] = ej_throttle_next_failures(failures[k], stale[k]);
        out->lock[k] = ej_throttle_lock_seconds((enum ej_throttle_key)k, out->failures[k]);
        snprintf(n[k], sizeof n[k], "%d", out->failures[k]);
        snprintf(s[k], sizeof s[k], "%d", out->lock[k]);
    }
    const char *q[] = {acct,
                       pair,
                       n[EJ_THROTTLE_ACCOUNT],
                       s[EJ_THROTTLE_ACCOUNT],
                       n[EJ_THROTTLE_PAIR],
                       s[EJ_THROTTLE_PAIR]};
    res = db_exec(db, DB_NONE,
                  "UPDATE login_throttle t SET failures = v.f, updated_at = now(),"
                  " locked_until = CASE WHEN v.s > 0 THEN now() + make_interval(secs => v.s)"
                  " ELSE t.locked_until END"
                  " FROM (VALUES ($1::text, $3::int, $4::int), ($2::text, $5::int, $6::int))"
                  " v (key, f, s) WHERE t.key = v.key",
                  6, q);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_throttle_restart(struct ej_db *db, const char *username, const char *address,
                                      const struct ej_throttle_count *count)
{
    if (count->lock[EJ_THROTTLE_ACCOUNT] <= 0 && count->lock[EJ_THROTTLE_PAIR] <= 0)
        return EJ_OK;
    char acct[ACCT_KEY], pair[PAIR_KEY], n[2][12], s[2][12];
    throttle_keys(username, address, acct, sizeof acct, pair, sizeof pair);
    for (int k = 0; k < 2; k++) {
        snprintf(n[k], sizeof n[k], "%d", count->failures[k]);
        snprintf(s[k], sizeof s[k], "%d", count->lock[k]);
    }
    const char *p[] = {acct,
                       pair,
                       n[EJ_THROTTLE_ACCOUNT],
                       s[EJ_THROTTLE_ACCOUNT],
                       n[EJ_THROTTLE_PAIR],
                       s[EJ_THROTTLE_PAIR]};
    PGresult *res = db_exec(
        db, DB_NONE,
        "UPDATE login_throttle t SET locked_until = greatest(t.locked_until,"
        " now() + make_interval(secs => v.s))"
        " FROM (VALUES ($1::text, $3::int, $4::int), ($2::text, $5::int, $6::int))"
        " v (key, f, s) WHERE t.key = v.key AND v.s > 0 AND t.failures = v.f",
        6, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_throttle_clear(struct ej_db *db, const char *username, const char *address)
{
    char acct[ACCT_KEY], pair[PAIR_KEY];
    throttle_keys(username, address, acct, sizeof acct, pair, sizeof pair);
    const char *p[] = {acct, pair};
    PGresult *res = db_exec(db, DB_NONE, "DELETE FROM login_throttle WHERE key IN ($1, $2)", 2, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

/* ---- login ---- */

enum ej_err ej_store_login_account(struct ej_db *db, const char *username,
                                   struct ej_login_account *a)
{
    memset(a, 0, sizeof *a);
    const char *p[] = {username};
    PGresult *res = db_exec(db, DB_OPT,
                            "SELECT id, coalesce(password_hash, ''), user_access(u), token_version"
                            " FROM users u WHERE username = $1",
                            1, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        a->found = true;
        a->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        snprintf(a->hash, sizeof a->hash, "%s", PQgetvalue(res, 0, 1));
        snprintf(a->access, sizeof a->access, "%s", PQgetvalue(res, 0, 2));
        a->token_version = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
    }
    PQclear(res);
    return EJ_OK;
}

/* The User-Agent as stored: printable ASCII only (anything else becomes '?'),
 * at most len - 1 bytes, so that the insert can never fail on encoding and
 * take the throttling record with it. */
static const char *user_agent(const char *ua, char *buf, size_t len)
{
    if (!ua)
        return NULL;
    size_t i = 0;
    for (; ua[i] && i + 1 < len; i++)
        buf[i] = ua[i] >= 0x20 && ua[i] < 0x7f ? ua[i] : '?';
    buf[i] = '\0';
    return buf;
}

enum ej_err ej_store_login_record(struct ej_db *db, int64_t user_id, const char *username,
                                  const char *address, const char *ua, const char *outcome)
{
    char uid[24], agent[256];
    const char *p[] = {user_id ? db_i64(uid, user_id) : NULL, username, address,
                       user_agent(ua, agent, sizeof agent), outcome};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO login_attempts (user_id, username, address, user_agent,"
                            " outcome) VALUES ($1, left($2, 128), $3, $4, $5)",
                            5, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_login_throttled(struct ej_db *db, int64_t user_id, const char *username,
                                     const char *address, const char *ua)
{
    char uid[24], agent[256];
    const char *p[] = {user_id ? db_i64(uid, user_id) : NULL, username, address,
                       user_agent(ua, agent, sizeof agent)};
    /* One row per username, address and minute (issue 9 #6): a flood against a
     * locked account costs one row a minute, and its owner still sees it. */
    PGresult *res = db_exec(
        db, DB_NONE,
        "INSERT INTO login_attempts AS a (user_id, username, address, user_agent,"
        " outcome, minute, last_at) VALUES ($1, left($2, 128), $3, $4,"
        " 'throttled', date_trunc('minute', now()), now())"
        " ON CONFLICT (username, coalesce(address, ''), minute)"
        " WHERE outcome = 'throttled' DO UPDATE SET attempts = a.attempts + 1,"
        " last_at = now(), user_agent = EXCLUDED.user_agent",
        4, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_password_rehash(struct ej_db *db, int64_t user_id, const char *hash)
{
    char uid[24];
    const char *p[] = {db_i64(uid, user_id), hash};
    PGresult *res = db_exec(db, DB_NONE, "UPDATE users SET password_hash = $2 WHERE id = $1", 2, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

static enum ej_err insert_refresh(struct ej_db *db, const char *hash, const char *sid)
{
    const char *p[] = {hash, sid};
    PGresult *res = db_exec(db, DB_NONE,
                            "INSERT INTO refresh_tokens (token_hash, session_id)"
                            " VALUES (decode($1, 'hex'), $2)",
                            2, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_session_open(struct ej_db *db, int64_t user_id, const char *refresh_hash,
                                  const char *address, const char *ua, int64_t *session_id)
{
    char uid[24], ttl[24], agent[256];
    const char *p[] = {db_i64(uid, user_id), db_i64(ttl, ej_cfg()->refresh_ttl), address,
                       user_agent(ua, agent, sizeof agent)};
    PGresult *res = db_exec(db, DB_ONE,
                            "INSERT INTO sessions (user_id, token_version, expires_at, address,"
                            " user_agent) SELECT $1, token_version,"
                            " now() + make_interval(secs => $2::int), $3, $4 FROM users"
                            " WHERE id = $1 RETURNING id",
                            4, p);
    if (!res)
        return db->err;
    *session_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    char sid[24];
    snprintf(sid, sizeof sid, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return insert_refresh(db, refresh_hash, sid);
}

enum ej_err ej_store_session_end(struct ej_db *db, int64_t session_id, const char *reason)
{
    char sid[24];
    const char *p[] = {db_i64(sid, session_id), reason};
    PGresult *res = db_exec(db, DB_NONE,
                            "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
                            " WHERE id = $1 AND revoked_at IS NULL",
                            2, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_refresh_find(struct ej_db *db, const char *token_hash, struct ej_refresh *out)
{
    memset(out, 0, sizeof *out);
    const char *p[] = {token_hash};
    PGresult *res = db_exec(
        db, DB_OPT,
        "SELECT rt.session_id, rt.spent_at IS NOT NULL,"
        " s.revoked_at IS NULL AND s.expires_at > now() AND user_access(u) = 'active'"
        " AND s.token_version = u.token_version,"
        " u.id, u.token_version"
        " FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id"
        " JOIN users u ON u.id = s.user_id WHERE rt.token_hash = decode($1, 'hex')"
        " FOR UPDATE OF rt, s",
        1, p);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1) {
        out->found = true;
        out->session_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        out->spent = PQgetvalue(res, 0, 1)[0] == 't';
        out->live = PQgetvalue(res, 0, 2)[0] == 't';
        out->user_id = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
        out->token_version = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
    }
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_refresh_rotate(struct ej_db *db, int64_t session_id, const char *old_hash,
                                    const char *new_hash)
{
    char sid[24];
    const char *q[] = {old_hash, db_i64(sid, session_id)};
    PGresult *res = db_exec(db, DB_NONE,
                            "WITH spent AS (UPDATE refresh_tokens SET spent_at = now()"
                            " WHERE token_hash = decode($1, 'hex'))"
                            " UPDATE sessions SET last_used_at = now() WHERE id = $2",
                            2, q);
    if (!res)
        return db->err;
    PQclear(res);
    return insert_refresh(db, new_hash, sid);
}

enum ej_err ej_store_sessions_end_all(struct ej_db *db, int64_t user_id, const char *reason)
{
    char uid[24];
    const char *p[] = {db_i64(uid, user_id), reason};
    PGresult *res = db_exec(db, DB_NONE,
                            "WITH s AS (UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
                            " WHERE user_id = $1 AND revoked_at IS NULL)"
                            " UPDATE users SET token_version = token_version + 1 WHERE id = $1",
                            2, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_own_hash(struct ej_db *db, int64_t user_id, char *out, size_t outlen)
{
    char uid[24];
    const char *p[] = {db_i64(uid, user_id)};
    PGresult *res = db_exec(db, DB_ONE,
                            "SELECT coalesce(password_hash, '') FROM users WHERE id = $1", 1, p);
    if (!res)
        return db->err;
    snprintf(out, outlen, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_password_change(struct ej_db *db, int64_t user_id, const char *hash,
                                     int64_t *token_version)
{
    enum ej_err e = ej_store_sessions_end_all(db, user_id, "password_change");
    if (e != EJ_OK)
        return e;
    char uid[24];
    const char *p[] = {db_i64(uid, user_id), hash};
    PGresult *res = db_exec(db, DB_ONE,
                            "UPDATE users SET password_hash = $2, must_change_password = false,"
                            " version = version + 1, updated_at = now() WHERE id = $1"
                            " RETURNING token_version",
                            2, p);
    if (!res)
        return db->err;
    *token_version = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return ej_audit(db, "user.password_change", "user", user_id, NULL, NULL);
}

enum ej_err ej_store_me(struct ej_db *db, int64_t user_id, json_t **out)
{
    char uid[24];
    const char *p[] = {db_i64(uid, user_id)};
    enum ej_err e = db_json(
        db, out,
        "SELECT jsonb_build_object('id', u.id, 'username', u.username,"
        " 'full_name', u.full_name, 'roles', to_jsonb(u.roles),"
        " 'must_change_password', u.must_change_password, 'email', u.email,"
        " 'phone', u.phone, 'access', user_access(u),"
        " 'student_id', (SELECT id FROM students WHERE user_id = u.id),"
        " 'children', coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id,"
        "   'full_name', s.full_name) ORDER BY s.id) FROM student_guardians g"
        "   JOIN students s ON s.id = g.student_id WHERE g.guardian_id = u.id), '[]'),"
        " 'teaches', coalesce((SELECT jsonb_agg(t.group_id ORDER BY t.group_id)"
        "   FROM group_teachers t WHERE t.teacher_id = u.id), '[]'))"
        " FROM users u WHERE u.id = $1",
        1, p);
    if (e == EJ_OK && !*out)
        e = db->err = EJ_ERR_NOT_FOUND;
    return e;
}

enum ej_err ej_store_my_logins(struct ej_db *db, int64_t user_id, int limit, int64_t before_id,
                               json_t **out)
{
    char uid[24], lim[24], before[24];
    const char *p[] = {db_i64(uid, user_id), db_i64(lim, limit),
                       before_id ? db_i64(before, before_id) : NULL};
    return db_json(db, out,
                   "SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'at', utc(at),"
                   " 'address', address, 'user_agent', user_agent, 'outcome', outcome,"
                   " 'attempts', attempts, 'last_at', utc(coalesce(last_at, at)))"
                   " ORDER BY id DESC), '[]'::jsonb) FROM (SELECT * FROM login_attempts"
                   " WHERE user_id = $1 AND ($3::bigint IS NULL OR id < $3)"
                   " ORDER BY id DESC LIMIT $2) a",
                   3, p);
}

/* ---- retention (`ejournal prune`) ---- */

int ej_store_cli_prune(int retention_days, struct ej_prune_counts *out)
{
    char days[24];
    snprintf(days, sizeof days, "%d", retention_days);
    memset(out, 0, sizeof *out);
    PGconn *c = db_connect_cli();
    int rc = -1;
    /* Login records older than the retention (§10 shows recent ones). */
    if (db_cli_delete_batches(
            c,
            "DELETE FROM login_attempts WHERE id IN (SELECT id FROM login_attempts"
            " WHERE at < now() - make_interval(days => $1::int) LIMIT 5000)",
            days, &out->login_attempts) != 0)
        goto done;
    /* Throttle rows whose failures are forgotten (an hour after the last) and
     * whose lock has run out: deleting them changes no decision. */
    if (db_cli_delete_batches(
            c,
            "DELETE FROM login_throttle WHERE key IN (SELECT key FROM login_throttle"
            " WHERE updated_at < now() - interval '1 hour' AND (locked_until IS NULL"
            " OR locked_until < now()) LIMIT 5000)",
            NULL, &out->throttle_rows) != 0)
        goto done;
    if (ej_idem_prune(c, &out->idempotency_keys) != 0)
        goto done;
    if (ej_store_changes_prune(c, ej_cfg()->changes_retention_days, &out->changes) != 0)
        goto done;
    rc = 0;
done:
    PQfinish(c);
    return rc;
}
