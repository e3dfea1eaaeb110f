/* Configuration from the environment (README.md, "Configuration").
 * Loaded once at start-up; read-only afterwards, so threads share it freely. */
#ifndef EJ_CORE_CONFIG_H
#define EJ_CORE_CONFIG_H

#include "core/client_addr.h"

#include <stddef.h>

#define EJ_MAX_CORS_ORIGINS 16
#define EJ_MAX_PREVIOUS_KEYS 4
#define EJ_MIN_SECRET_LEN 32

struct ej_key {
    unsigned char bytes[256];
    size_t len;
    char kid[17]; /* first 16 hex digits of SHA-256(key): names the key, reveals nothing */
};

struct ej_config {
    char *database_url;
    char listen[128];
    struct ej_key jwt_key;                            /* signs and verifies */
    struct ej_key jwt_previous[EJ_MAX_PREVIOUS_KEYS]; /* verify only (rotation) */
    size_t jwt_previous_count;
    int threads;
    char *cors_origins[EJ_MAX_CORS_ORIGINS];
    size_t cors_count;
    int log_level;
    char *migrations_dir;
    char *functions_dir; /* repeatable db/functions/NN_topic.sql, applied by migrate */
    char *openapi_file;
    int statement_timeout_ms;
    int access_ttl;                    /* seconds, at most 900 */
    int refresh_ttl;                   /* seconds */
    int hash_slots;                    /* concurrent password hashes */
    int hash_wait_ms;                  /* how long a hashing request waits for a slot (FIFO) */
    int address_budget;                /* hashing requests per minute per client address; 0 = off */
    struct ej_proxies trusted_proxies; /* EJ_TRUSTED_PROXIES */
    int login_retention_days;          /* `ejournal prune`: login attempts kept this long */
    int changes_retention_days;        /* `ejournal prune`: change-feed rows kept this long */
    int request_timeout_ms;            /* request line, headers and body must arrive within it */
    int keep_alive_timeout_ms;         /* an idle kept-alive connection is closed after it */
    int db_connections;                /* database connections shared by the worker threads */
    int db_wait_ms;                    /* longest wait for a free database connection */
};

/* The process-wide configuration (borrowed). Valid after ej_config_load. */
const struct ej_config *ej_cfg(void);

/* Loads settings needed by `what` ("serve", "migrate", "create-superuser", "prune").
 * On error writes one line naming the setting into err and returns -1. */
int ej_config_load(const char *what, char *err, size_t errlen);

/* True if origin is listed in EJ_CORS_ORIGINS (exact match). */
int ej_config_cors_allowed(const char *origin);

#endif
