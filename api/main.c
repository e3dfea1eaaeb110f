/* ejournal: the electronic class journal API server.
 *   ejournal migrate                     apply pending database migrations
 *   ejournal create-superuser USERNAME   create or reset a superuser; password on stdin
 *   ejournal prune                       delete login records, throttle rows and
 *                                        idempotency keys past their retention
 *   ejournal serve                       run the API until SIGTERM/SIGINT */
#include "auth/password.h"
#include "auth/random.h"
#include "core/alloc.h"
#include "core/budget.h"
#include "core/config.h"
#include "http/metrics.h"
#include "http/server.h"
#include "http/static.h"
#include "pipeline.h"
#include "resources/resources.h"
#include "router.h"
#include "store/identity.h"
#include "store/migrate.h"
#include "store/store.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: ejournal migrate | create-superuser USERNAME | prune | serve\n"
            "configuration comes from the environment (EJ_DATABASE_URL, ...; see README.md)\n");
    return 2;
}

static int load_config(const char *what)
{
    char err[256];
    if (ej_config_load(what, err, sizeof err) != 0) {
        fprintf(stderr, "ejournal: %s\n", err);
        return -1;
    }
    return 0;
}

/* Reads the first line of stdin (the password), without its line ending. */
static int read_password_line(char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, stdin))
        return -1;
    size_t n = strlen(buf);
    if (n == cap - 1 && buf[n - 1] != '\n')
        return -1;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

static int create_superuser(const char *username)
{
    char *password = ej_xcalloc(1, EJ_PASSWORD_MAX_BYTES + 3);
    char hash[EJ_PASSWORD_ENCODED_SIZE];
    int rc = 1;
    if (read_password_line(password, EJ_PASSWORD_MAX_BYTES + 3) != 0) {
        fprintf(stderr, "ejournal: put the password on the first line of standard input\n");
        goto out;
    }
    const char *bad = ej_password_policy_error(password, username);
    if (bad) {
        fprintf(stderr, "ejournal: password %s\n", bad);
        goto out;
    }
    if (ej_password_init(1) != EJ_PASSWORD_OK ||
        ej_password_hash(password, hash, sizeof hash) != EJ_PASSWORD_OK) {
        fprintf(stderr, "ejournal: hashing the password failed\n");
        goto out;
    }
    if (ej_store_cli_superuser(username, hash) != 0)
        goto out;
    printf("superuser %s is ready\n", username);
    rc = 0;
out:
    memset(password, 0, EJ_PASSWORD_MAX_BYTES + 3);
    free(password);
    return rc;
}

/* Retention (issue 9 #6) is a command the operator schedules (README), not a
 * thread in the server: it runs once however many servers share the
 * database, needs no worker or pooled connection, and its failures land in
 * the scheduler's log. */
static int prune(void)
{
    struct ej_prune_counts n;
    if (ej_store_cli_prune(ej_cfg()->login_retention_days, &n) != 0)
        return 1;
    printf("pruned %ld login attempts older than %d days, %ld throttle rows, %ld idempotency"
           " keys, %ld changes older than %d days\n",
           n.login_attempts, ej_cfg()->login_retention_days, n.throttle_rows, n.idempotency_keys,
           n.changes, ej_cfg()->changes_retention_days);
    return 0;
}

/* --- what the HTTP layer needs from the layers above it (http/ includes only
 * core/): the route table's facts, the pipeline, the database pool --- */

static bool is_api_path(const char *path)
{
    return ej_route_path_exists(ej_routes, ej_route_count, path);
}

static const char *route_name(const struct ej_req *r)
{
    return r->route ? r->route->path : NULL;
}

/* The metrics labels of the route table, by index (r->route_index). */
static struct ej_metrics_label *metrics_labels(void)
{
    struct ej_metrics_label *l = ej_xcalloc(ej_route_count, sizeof *l);
    for (size_t i = 0; i < ej_route_count; i++)
        l[i] = (struct ej_metrics_label){ej_routes[i].method, ej_routes[i].path};
    return l;
}

static int serve(void)
{
    static const struct ej_server_hooks hooks = {
        .run = ej_pipeline_run,
        .release_db = ej_db_release,
        .random_bytes = ej_random_bytes,
        .route_name = route_name,
        .thread_exit = ej_db_thread_cleanup,
        .stopped = ej_db_pool_close,
    };
    if (ej_static_init(is_api_path) != 0)
        return 1;
    struct ej_metrics_label *labels = metrics_labels();
    ej_metrics_init(labels, ej_route_count);
    ej_budget_init(ej_cfg()->address_budget);
    int rc = ej_server_run(&hooks);
    ej_metrics_init(NULL, 0);
    free(labels);
    return rc;
}

int main(int argc, char **argv)
{
    /* Jansson allocates as the rest of the server does: out of memory aborts (core/alloc.h). */
    json_set_alloc_funcs(ej_xmalloc, free);
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (strcmp(cmd, "migrate") == 0 && argc == 2) {
        if (load_config(cmd) != 0)
            return 1;
        return ej_migrate(ej_cfg()->migrations_dir, ej_cfg()->functions_dir);
    }
    if (strcmp(cmd, "create-superuser") == 0 && argc == 3) {
        if (load_config(cmd) != 0)
            return 1;
        return create_superuser(argv[2]);
    }
    if (strcmp(cmd, "prune") == 0 && argc == 2) {
        if (load_config(cmd) != 0)
            return 1;
        return prune();
    }
    if (strcmp(cmd, "serve") == 0 && argc == 2) {
        /* Each worker thread that allocates gets a malloc arena of its own, up
         * to glibc's 8 per core, and each keeps the memory its requests freed:
         * tens of MiB under load with many threads. Two per core bound that
         * (issue 13); MALLOC_ARENA_MAX, when set, still decides. */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        if (!getenv("MALLOC_ARENA_MAX"))
            mallopt(M_ARENA_MAX, (int)(cores > 0 ? 2 * cores : 2));
        if (load_config(cmd) != 0)
            return 1;
        if (ej_openapi_load() != 0) {
            fprintf(stderr, "ejournal: configuration: EJ_OPENAPI_FILE cannot be read (%s)\n",
                    ej_cfg()->openapi_file);
            return 1;
        }
        if (ej_password_init((unsigned)ej_cfg()->hash_slots) != EJ_PASSWORD_OK) {
            fprintf(stderr, "ejournal: password hashing cannot start\n");
            return 1;
        }
        return serve();
    }
    return usage();
}
