#include "store/migrate.h"

#include "core/digest.h"
#include "store/db.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MIGRATIONS 1000
#define MAX_MIGRATION_BYTES (4 * 1024 * 1024)

static int name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len < 10 || len > 120 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
        return 0;
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)n[i]))
            return 0;
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(MAX_MIGRATION_BYTES + 1);
    size_t n = fread(buf, 1, MAX_MIGRATION_BYTES + 1, f);
    fclose(f);
    if (n > MAX_MIGRATION_BYTES) {
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

/* Applies one file unless already applied; 0 ok, -1 failure. */
static int apply_one(PGconn *c, const char *dir, const char *name, int *applied)
{
    char path[4096], version[5], sum[65];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    char *sql = read_file(path, &len);
    if (!sql) {
        fprintf(stderr, "ejournal migrate: cannot read %s\n", path);
        return -1;
    }
    memcpy(version, name, 4);
    version[4] = '\0';
    ej_sha256_hex(sql, len, sum);

    int rc = -1;
    if (!run(c, "BEGIN", "BEGIN") ||
        !run(c, "SELECT pg_advisory_xact_lock(7310001)", "lock"))
        goto out;
    const char *p[] = {version};
    PGresult *res = PQexecParams(c, "SELECT checksum FROM schema_migrations WHERE version = $1::int",
                                 1, NULL, p, NULL, NULL, 0);
    if (!exec_ok(c, res, "lookup")) {
        PQclear(res);
        goto out;
    }
    if (PQntuples(res) == 1) {
        int same = strcmp(PQgetvalue(res, 0, 0), sum) == 0;
        PQclear(res);
        if (!same) {
            fprintf(stderr, "ejournal migrate: %s was changed after it was applied; "
                            "migrations are forward-only, add a new one\n", name);
            goto out;
        }
        rc = run(c, "COMMIT", "COMMIT") ? 0 : -1;
        goto out;
    }
    PQclear(res);
    if (!run(c, sql, name))
        goto out;
    const char *ins[] = {version, name, sum};
    res = PQexecParams(c, "INSERT INTO schema_migrations (version, name, checksum) "
                          "VALUES ($1::int, $2, $3)", 3, NULL, ins, NULL, NULL, 0);
    int ok = exec_ok(c, res, "record");
    PQclear(res);
    if (!ok || !run(c, "COMMIT", "COMMIT"))
        goto out;
    printf("applied %s\n", name);
    (*applied)++;
    rc = 0;
out:
    if (rc != 0)
        run(c, "ROLLBACK", "ROLLBACK");
    free(sql);
    return rc;
}

int ej_migrate(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "ejournal migrate: cannot open %s (set EJ_MIGRATIONS_DIR)\n", dir);
        return 1;
    }
    char *names[MAX_MIGRATIONS];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < MAX_MIGRATIONS)
        if (name_valid(e->d_name))
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_names);

    PGconn *c = db_connect_cli();
    int rc = 0, applied = 0;
    if (!run(c, "SET client_min_messages = warning", "settings") ||
        !run(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
             "schema_migrations"))
        rc = 1;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (apply_one(c, dir, names[i], &applied) != 0)
            rc = 1;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    PQfinish(c);
    if (rc == 0)
        printf("migrations up to date (%d applied now, %zu in all)\n", applied, n);
    return rc;
}
