#include "core/config.h"

#include "core/alloc.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef EJ_SOURCE_DIR
#define EJ_SOURCE_DIR "."
#endif

static struct ej_config config;

const struct ej_config *ej_cfg(void)
{
    return &config;
}

/* Parses a whole decimal integer in [lo, hi]; no sign junk, no trailing text. */
static int parse_int(const char *s, long lo, long hi, int *out)
{
    if (!s || !*s || !isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int fail(char *err, size_t errlen, const char *name, const char *why)
{
    snprintf(err, errlen, "configuration: %s %s", name, why);
    return -1;
}

static void key_set_kid(struct ej_key *k)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(k->bytes, k->len, digest);
    for (int i = 0; i < 8; i++)
        snprintf(k->kid + 2 * i, 3, "%02x", digest[i]);
}

/* Reads a key from a file: the whole content, one trailing newline removed. */
static int read_key_file(const char *path, struct ej_key *k)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(k->bytes, 1, sizeof k->bytes, f);
    int extra = fgetc(f);
    fclose(f);
    if (extra != EOF)
        return -2;
    while (n > 0 && (k->bytes[n - 1] == '\n' || k->bytes[n - 1] == '\r'))
        n--;
    k->len = n;
    return 0;
}

static int load_key(struct ej_key *k, const char *value, const char *file, const char *name,
                    char *err, size_t errlen)
{
    if (value && file)
        return fail(err, errlen, name, "and its _FILE variant are both set; set one");
    if (file) {
        int rc = read_key_file(file, k);
        if (rc == -1)
            return fail(err, errlen, name, "_FILE cannot be read");
        if (rc == -2)
            return fail(err, errlen, name, "_FILE is longer than 256 bytes");
    } else if (value) {
        size_t n = strlen(value);
        if (n > sizeof k->bytes)
            return fail(err, errlen, name, "is longer than 256 bytes");
        memcpy(k->bytes, value, n);
        k->len = n;
    } else {
        return fail(err, errlen, name, "is required (or its _FILE variant)");
    }
    if (k->len < EJ_MIN_SECRET_LEN)
        return fail(err, errlen, name, "must be at least 32 bytes");
    key_set_kid(k);
    return 0;
}

/* EJ_JWT_PREVIOUS_SECRETS: comma-separated keys still accepted for verification. */
static int load_previous_keys(char *err, size_t errlen)
{
    const char *v = getenv("EJ_JWT_PREVIOUS_SECRETS");
    if (!v || !*v)
        return 0;
    char *copy = ej_xstrdup(v), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (config.jwt_previous_count == EJ_MAX_PREVIOUS_KEYS) {
            rc = fail(err, errlen, "EJ_JWT_PREVIOUS_SECRETS", "lists more than 4 keys");
            break;
        }
        struct ej_key *k = &config.jwt_previous[config.jwt_previous_count];
        if (strlen(tok) < EJ_MIN_SECRET_LEN || strlen(tok) > sizeof k->bytes) {
            rc = fail(err, errlen, "EJ_JWT_PREVIOUS_SECRETS", "keys must be 32..256 bytes");
            break;
        }
        k->len = strlen(tok);
        memcpy(k->bytes, tok, k->len);
        key_set_kid(k);
        config.jwt_previous_count++;
    }
    free(copy);
    return rc;
}

/* An origin is scheme://host[:port] with no path, as browsers send it. */
static int origin_valid(const char *o)
{
    const char *rest;
    if (strncmp(o, "https://", 8) == 0)
        rest = o + 8;
    else if (strncmp(o, "http://", 7) == 0)
        rest = o + 7;
    else
        return 0;
    if (!*rest)
        return 0;
    for (const char *p = rest; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == ':' || *p == '[' ||
              *p == ']'))
            return 0;
    return 1;
}

static int load_cors(char *err, size_t errlen)
{
    const char *v = getenv("EJ_CORS_ORIGINS");
    if (!v || !*v)
        return 0;
    char *copy = ej_xstrdup(v), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t n = strlen(tok);
        while (n && tok[n - 1] == ' ')
            tok[--n] = '\0';
        if (!origin_valid(tok) || config.cors_count == EJ_MAX_CORS_ORIGINS) {
            rc = fail(err, errlen, "EJ_CORS_ORIGINS",
                      "must be up to 16 comma-separated origins like https://app.example");
            break;
        }
        config.cors_origins[config.cors_count++] = ej_xstrdup(tok);
    }
    free(copy);
    return rc;
}

/* EJ_TRUSTED_PROXIES: see core/client_addr.h. */
static int load_trusted_proxies(char *err, size_t errlen)
{
    char why[160];
    if (ej_proxies_parse(getenv("EJ_TRUSTED_PROXIES"), &config.trusted_proxies, why, sizeof why) !=
        0)
        return fail(err, errlen, "EJ_TRUSTED_PROXIES", why);
    return 0;
}

/* host:port, host may be [v6]; port 1..65535. */
static int listen_valid(const char *v)
{
    const char *colon = strrchr(v, ':');
    int port;
    if (!colon || colon == v || strlen(v) >= sizeof config.listen)
        return 0;
    return parse_int(colon + 1, 1, 65535, &port) == 0;
}

static int env_int(const char *name, int def, long lo, long hi, int *out, char *err, size_t errlen)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        *out = def;
        return 0;
    }
    if (parse_int(v, lo, hi, out) != 0) {
        char why[96];
        snprintf(why, sizeof why, "must be an integer from %ld to %ld", lo, hi);
        return fail(err, errlen, name, why);
    }
    return 0;
}

static char *env_or(const char *name, const char *def)
{
    const char *v = getenv(name);
    return ej_xstrdup(v && *v ? v : def);
}

/* The folder `name` beside `dir` (db/migrations → db/functions): where the repeatable function
 * files are unless EJ_FUNCTIONS_DIR says otherwise, so an installation that copied db/ whole
 * needs no second setting. */
static char *sibling_dir(const char *dir, const char *name)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t cut = len;
    while (cut > 0 && dir[cut - 1] != '/')
        cut--;
    size_t n = cut + strlen(name) + 1;
    char *out = ej_xmalloc(n);
    memcpy(out, dir, cut);
    memcpy(out + cut, name, strlen(name) + 1);
    return out;
}

int ej_config_load(const char *what, char *err, size_t errlen)
{
    int serving = strcmp(what, "serve") == 0;
    const char *v;

    v = getenv("EJ_LOG_LEVEL");
    config.log_level = EJ_LOG_INFO;
    if (v && *v) {
        config.log_level = ej_log_level_parse(v);
        if (config.log_level < 0)
            return fail(err, errlen, "EJ_LOG_LEVEL", "must be error, warn, info or debug");
    }
    ej_log_set_level(config.log_level);

    v = getenv("EJ_DATABASE_URL");
    if (!v || !*v)
        return fail(err, errlen, "EJ_DATABASE_URL", "is required");
    config.database_url = ej_xstrdup(v);
    config.migrations_dir = env_or("EJ_MIGRATIONS_DIR", EJ_SOURCE_DIR "/db/migrations");
    v = getenv("EJ_FUNCTIONS_DIR");
    config.functions_dir = v && *v ? ej_xstrdup(v)
                                   : sibling_dir(config.migrations_dir, "functions");
    config.openapi_file = env_or("EJ_OPENAPI_FILE", EJ_SOURCE_DIR "/openapi.yaml");
    /* Checked for every command, used by serve only: the command-line tools connect without a
     * statement timeout (store/db.c db_connect_cli: a migration may take long). */
    if (env_int("EJ_STATEMENT_TIMEOUT_MS", 5000, 100, 600000, &config.statement_timeout_ms, err,
                errlen))
        return -1;
    if (env_int("EJ_LOGIN_RETENTION_DAYS", 90, 1, 3650, &config.login_retention_days, err, errlen))
        return -1;
    /* The change feed keeps at least 90 days (openapi.yaml, tag integration). */
    if (env_int("EJ_CHANGES_RETENTION_DAYS", 90, 90, 3650, &config.changes_retention_days, err,
                errlen))
        return -1;
    if (!serving)
        return 0;

    v = getenv("EJ_LISTEN");
    snprintf(config.listen, sizeof config.listen, "%s", v && *v ? v : "127.0.0.1:8080");
    if (!listen_valid(config.listen))
        return fail(err, errlen, "EJ_LISTEN", "must be address:port, e.g. 127.0.0.1:8080");

    if (load_key(&config.jwt_key, getenv("EJ_JWT_SECRET"), getenv("EJ_JWT_SECRET_FILE"),
                 "EJ_JWT_SECRET", err, errlen))
        return -1;
    if (load_previous_keys(err, errlen))
        return -1;

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    /* CivetWeb holds a worker for each connected client, also while it is
     * idle, so there are many threads; they share a few database
     * connections (EJ_DB_CONNECTIONS: the pool of store/db.c, borrowed on a
     * request's first statement and given back before its reply is written),
     * so an idle client costs a thread (~100 KiB of stack) but no database
     * connection. */
    if (env_int("EJ_THREADS", 256, 1, 1024, &config.threads, err, errlen))
        return -1;
    /* Database work is mostly waiting on PostgreSQL: a few connections per
     * core keep it busy without queueing inside it. */
    int def_db = (int)(cores * 4 < 4 ? 4 : (cores * 4 > 64 ? 64 : cores * 4));
    if (env_int("EJ_DB_CONNECTIONS", def_db, 1, 256, &config.db_connections, err, errlen))
        return -1;
    if (env_int("EJ_DB_WAIT_MS", 2000, 0, 60000, &config.db_wait_ms, err, errlen))
        return -1;
    if (env_int("EJ_REQUEST_TIMEOUT_MS", 10000, 100, 600000, &config.request_timeout_ms, err,
                errlen))
        return -1;
    if (env_int("EJ_KEEP_ALIVE_TIMEOUT_MS", 2000, 100, 600000, &config.keep_alive_timeout_ms, err,
                errlen))
        return -1;
    if (env_int("EJ_HASH_CONCURRENCY", (int)cores, 1, 64, &config.hash_slots, err, errlen))
        return -1;
    if (env_int("EJ_ACCESS_TOKEN_TTL", 900, 30, 900, &config.access_ttl, err, errlen))
        return -1;
    if (env_int("EJ_REFRESH_TOKEN_TTL", 30 * 86400, 300, 90 * 86400, &config.refresh_ttl, err,
                errlen))
        return -1;
    if (env_int("EJ_HASH_WAIT_MS", 2000, 0, 30000, &config.hash_wait_ms, err, errlen))
        return -1;
    if (env_int("EJ_ADDRESS_HASH_BUDGET", 600, 0, 1000000, &config.address_budget, err, errlen))
        return -1;
    if (load_trusted_proxies(err, errlen))
        return -1;
    return load_cors(err, errlen);
}

int ej_config_cors_allowed(const char *origin)
{
    for (size_t i = 0; i < config.cors_count; i++)
        if (strcmp(config.cors_origins[i], origin) == 0)
            return 1;
    return 0;
}
