/* `ejournal migrate`: two kinds of schema files, applied in one transaction.
 *
 * Numbered migrations, db/migrations/NNNN_name.sql, hold what has a history: tables, indexes,
 * constraints, triggers, data changes. They are forward-only: each is applied once, in name
 * order, and recorded in schema_migrations with its SHA-256; an applied file whose checksum
 * changed stops the run (add a new migration instead of editing an old one).
 *
 * Repeatable function files, db/functions/NN_topic.sql, hold the current definition of every SQL
 * and PL/pgSQL function (trigger functions included), one CREATE OR REPLACE each, so a function's
 * body is read in one place instead of by replaying every migration that redefined it. They are
 * applied after the numbered migrations, in name order, recorded in schema_functions with their
 * checksum, and applied again whenever their checksum changed — and also, all of them, whenever
 * this run applied a numbered migration: the migrations written before the files existed (up to
 * 0015) define and redefine functions, and the file must win over whatever they left, so a fresh
 * database and an upgraded one end up with the same definitions (tests/api/migrate.test.mjs
 * compares their pg_dump --schema-only). Removing a function takes a numbered migration that
 * drops it and deleting it from its file in the same commit.
 *
 * Everything runs in one transaction under an advisory lock: two migrate runs (two instances
 * starting at once) take turns, the second finds nothing to do; a failing file rolls back the
 * whole run, so a server never sees new tables with old functions, or half a migration. A
 * consequence: a migration cannot use what PostgreSQL refuses inside a transaction block
 * (CREATE INDEX CONCURRENTLY) or a new enum value added earlier in the same run. */
#include "store/migrate.h"

#include "core/alloc.h"
#include "core/digest.h"
#include "store/db.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 1000
#define MAX_FILE_BYTES (4 * 1024 * 1024)
#define MIGRATE_LOCK "7310001"

struct files {
    char *names[MAX_FILES];
    int done[MAX_FILES]; /* applied in this run */
    size_t n;
};

/* NNNN_name.sql */
static int migration_name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len < 10 || len > 120 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
        return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)n[i]))
            return 0;
    return 1;
}

/* NN_topic.sql */
static int functions_name_valid(const char *n)
{
    size_t len = strlen(n);
    return len >= 8 && len <= 120 && strcmp(n + len - 4, ".sql") == 0 &&
           isdigit((unsigned char)n[0]) && isdigit((unsigned char)n[1]) && n[2] == '_';
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The matching names in dir, sorted; -1 when dir cannot be read. */
static int list_files(const char *dir, int (*valid)(const char *), struct files *out)
{
    out->n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) && out->n < MAX_FILES)
        if (valid(e->d_name)) {
            out->done[out->n] = 0;
            out->names[out->n++] = ej_xstrdup(e->d_name);
        }
    closedir(d);
    qsort(out->names, out->n, sizeof out->names[0], cmp_names);
    return 0;
}

static void free_files(struct files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->names[i]);
    f->n = 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = ej_xmalloc(MAX_FILE_BYTES + 1);
    size_t n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
    fclose(f);
    if (n > MAX_FILE_BYTES) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int exec_ok(PGconn *c, PGresult *res, const char *what)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return 1;
    fprintf(stderr, "ejournal migrate: %s failed: %s", what, PQerrorMessage(c));
    return 0;
}

static int run(PGconn *c, const char *sql, const char *what)
{
    PGresult *res = PQexec(c, sql);
    int ok = exec_ok(c, res, what);
    PQclear(res);
    return ok;
}

/* The checksum recorded for key in table (schema_migrations by version, schema_functions by
 * name) into sum[65]: 1 found, 0 not recorded, -1 error. */
static int recorded_sum(PGconn *c, const char *sql, const char *key, char *sum)
{
    const char *p[] = {key};
    PGresult *res = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 0);
    if (!exec_ok(c, res, "lookup")) {
        PQclear(res);
        return -1;
    }
    int found = PQntuples(res) == 1;
    if (found)
        snprintf(sum, 65, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return found;
}

/* Reads dir/name and its SHA-256; NULL (reported) when it cannot be read. */
static char *load(const char *dir, const char *name, char *sum)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *sql = read_file(path, &len);
    if (!sql) {
        fprintf(stderr, "ejournal migrate: cannot read %s\n", path);
        return NULL;
    }
    ej_sha256_hex(sql, len, sum);
    return sql;
}

/* One numbered migration, unless already applied; 0 ok, -1 failure. */
static int apply_migration(PGconn *c, const char *dir, const char *name, int *done)
{
    char version[5], sum[65], old[65];
    char *sql = load(dir, name, sum);
    if (!sql)
        return -1;
    memcpy(version, name, 4);
    version[4] = '\0';

    int rc = -1;
    int found = recorded_sum(c, "SELECT checksum FROM schema_migrations WHERE version = $1::int",
                             version, old);
    if (found < 0)
        goto out;
    if (found) {
        if (strcmp(old, sum) != 0) {
            fprintf(stderr,
                    "ejournal migrate: %s was changed after it was applied; "
                    "migrations are forward-only, add a new one\n",
                    name);
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (!run(c, sql, name))
        goto out;
    const char *ins[] = {version, name, sum};
    PGresult *res = PQexecParams(c,
                                 "INSERT INTO schema_migrations (version, name, checksum) "
                                 "VALUES ($1::int, $2, $3)",
                                 3, NULL, ins, NULL, NULL, 0);
    int ok = exec_ok(c, res, "record");
    PQclear(res);
    if (ok) {
        *done = 1;
        rc = 0;
    }
out:
    free(sql);
    return rc;
}

/* One function file, if it changed since it was last applied or `force`; 0 ok, -1 failure. */
static int apply_functions(PGconn *c, const char *dir, const char *name, int force, int *done)
{
    char sum[65], old[65];
    char *sql = load(dir, name, sum);
    if (!sql)
        return -1;
    int rc = -1;
    int found = recorded_sum(c, "SELECT checksum FROM schema_functions WHERE name = $1", name, old);
    if (found < 0)
        goto out;
    if (found && !force && strcmp(old, sum) == 0) {
        rc = 0;
        goto out;
    }
    if (!run(c, sql, name))
        goto out;
    const char *ins[] = {name, sum};
    PGresult *res = PQexecParams(c,
                                 "INSERT INTO schema_functions (name, checksum) VALUES ($1, $2) "
                                 "ON CONFLICT (name) DO UPDATE "
                                 "SET checksum = EXCLUDED.checksum, applied_at = now()",
                                 2, NULL, ins, NULL, NULL, 0);
    int ok = exec_ok(c, res, "record");
    PQclear(res);
    if (ok) {
        *done = 1;
        rc = 0;
    }
out:
    free(sql);
    return rc;
}

/* COMMIT of a transaction in which a statement failed answers ROLLBACK, as a success: only the
 * command tag tells. */
static int commit(PGconn *c)
{
    PGresult *res = PQexec(c, "COMMIT");
    int ok = exec_ok(c, res, "COMMIT") && strcmp(PQcmdStatus(res), "COMMIT") == 0;
    if (!ok && PQresultStatus(res) == PGRES_COMMAND_OK)
        fprintf(stderr, "ejournal migrate: COMMIT answered %s\n", PQcmdStatus(res));
    PQclear(res);
    return ok;
}

int ej_migrate(const char *migrations_dir, const char *functions_dir)
{
    static struct files mig, fun; /* large: not on the stack */
    if (list_files(migrations_dir, migration_name_valid, &mig) != 0) {
        fprintf(stderr, "ejournal migrate: cannot open %s (set EJ_MIGRATIONS_DIR)\n",
                migrations_dir);
        return 1;
    }
    if (list_files(functions_dir, functions_name_valid, &fun) != 0) {
        fprintf(stderr, "ejournal migrate: cannot open %s (set EJ_FUNCTIONS_DIR)\n", functions_dir);
        free_files(&mig);
        return 1;
    }

    PGconn *c = db_connect_cli();
    int rc = 1, migrated = 0, refreshed = 0;
    if (!run(c, "SET client_min_messages = warning", "settings") || !run(c, "BEGIN", "BEGIN"))
        goto out;
    if (!run(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")", "lock") ||
        !run(c,
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             " version integer PRIMARY KEY, name text NOT NULL,"
             " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
             "schema_migrations") ||
        !run(c,
             "CREATE TABLE IF NOT EXISTS schema_functions ("
             " name text PRIMARY KEY, checksum text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())",
             "schema_functions"))
        goto rollback;
    for (size_t i = 0; i < mig.n; i++) {
        if (apply_migration(c, migrations_dir, mig.names[i], &mig.done[i]) != 0)
            goto rollback;
        migrated += mig.done[i];
    }
    for (size_t i = 0; i < fun.n; i++) {
        if (apply_functions(c, functions_dir, fun.names[i], migrated > 0, &fun.done[i]) != 0)
            goto rollback;
        refreshed += fun.done[i];
    }
    if (!commit(c)) {
        fprintf(stderr, "ejournal migrate: nothing was applied\n");
        goto out;
    }
    for (size_t i = 0; i < mig.n; i++)
        if (mig.done[i])
            printf("applied %s\n", mig.names[i]);
    for (size_t i = 0; i < fun.n; i++)
        if (fun.done[i])
            printf("applied functions %s\n", fun.names[i]);
    printf("migrations up to date (%d applied now, %zu in all; "
           "function files: %d applied now, %zu in all)\n",
           migrated, mig.n, refreshed, fun.n);
    rc = 0;
    goto out;
rollback:
    run(c, "ROLLBACK", "ROLLBACK");
    fprintf(stderr, "ejournal migrate: rolled back, nothing was applied\n");
out:
    PQfinish(c);
    free_files(&mig);
    free_files(&fun);
    return rc;
}
