/* core/config (api/core/config.c): the environment is read once, and every bad setting is
 * refused at start-up with one line naming it (README, Configuration). The configuration is
 * process-wide and loaded once, so each case runs in a child process of its own. */
#include "check.h"
#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SECRET "0123456789abcdef0123456789abcdef"

static const char *const settings[] = {
    "EJ_DATABASE_URL",
    "EJ_JWT_SECRET",
    "EJ_JWT_SECRET_FILE",
    "EJ_JWT_PREVIOUS_SECRETS",
    "EJ_LISTEN",
    "EJ_THREADS",
    "EJ_LOG_LEVEL",
    "EJ_CORS_ORIGINS",
    "EJ_STATEMENT_TIMEOUT_MS",
    "EJ_ACCESS_TOKEN_TTL",
    "EJ_CHANGES_RETENTION_DAYS",
    "EJ_DB_CONNECTIONS",
    "EJ_TRUSTED_PROXIES",
    "EJ_MIGRATIONS_DIR",
    "EJ_FUNCTIONS_DIR",
    NULL,
};

/* What a case expects: NULL for a load that succeeds, else a piece of the error line. Checks on
 * the loaded configuration are made by `check` in the child. */
struct config_case {
    const char *what;
    const char *env[6]; /* "NAME=value" */
    const char *error;
    int (*check)(const struct ej_config *c);
};

static int defaults(const struct ej_config *c)
{
    return strcmp(c->listen, "127.0.0.1:8080") == 0 && c->threads == 256 &&
           c->statement_timeout_ms == 5000 && c->access_ttl == 900 && c->jwt_key.len == 32 &&
           strlen(c->jwt_key.kid) == 16 && c->jwt_previous_count == 0 && c->cors_count == 0 &&
           c->changes_retention_days == 90;
}

static int rotation(const struct ej_config *c)
{
    return c->jwt_previous_count == 2 && strcmp(c->jwt_previous[0].kid, c->jwt_key.kid) != 0 &&
           strcmp(c->jwt_previous[0].kid, c->jwt_previous[1].kid) != 0;
}

static int cors(const struct ej_config *c)
{
    return c->cors_count == 2 && ej_config_cors_allowed("https://app.example") &&
           ej_config_cors_allowed("http://localhost:5173") &&
           !ej_config_cors_allowed("https://app.example/") && !ej_config_cors_allowed("");
}

static int functions_beside(const struct ej_config *c)
{
    return strcmp(c->functions_dir, "/srv/db/functions") == 0;
}

static int migrate_only(const struct ej_config *c)
{
    return c->jwt_key.len == 0 && c->statement_timeout_ms == 1500;
}

static const struct config_case cases[] = {
    {"serve", {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET}, NULL, defaults},
    {"serve", {"EJ_JWT_SECRET=" SECRET}, "EJ_DATABASE_URL is required", NULL},
    {"serve", {"EJ_DATABASE_URL=dbname=x"}, "EJ_JWT_SECRET is required", NULL},
    {"serve", {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=short"}, "at least 32 bytes", NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_JWT_SECRET_FILE=/x"},
     "both set",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET_FILE=/nonexistent/key"},
     "cannot be read",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET,
      "EJ_JWT_PREVIOUS_SECRETS=" SECRET "1," SECRET "2"},
     NULL,
     rotation},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_JWT_PREVIOUS_SECRETS=a"},
     "keys must be 32..256 bytes",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_LISTEN=8080"},
     "EJ_LISTEN must be address:port",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_LISTEN=[::1]:70000"},
     "EJ_LISTEN",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_THREADS=0"},
     "EJ_THREADS must be an integer from 1 to 1024",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_THREADS=12abc"},
     "EJ_THREADS must be an integer",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_THREADS=-5"},
     "EJ_THREADS must be an integer",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_ACCESS_TOKEN_TTL=901"},
     "EJ_ACCESS_TOKEN_TTL must be an integer from 30 to 900",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_LOG_LEVEL=loud"},
     "EJ_LOG_LEVEL must be",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET,
      "EJ_CORS_ORIGINS=https://app.example, http://localhost:5173"},
     NULL,
     cors},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET,
      "EJ_CORS_ORIGINS=https://a.example/path"},
     "EJ_CORS_ORIGINS",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_CORS_ORIGINS=*"},
     "EJ_CORS_ORIGINS",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_TRUSTED_PROXIES=nonsense"},
     "EJ_TRUSTED_PROXIES",
     NULL},
    /* SPEC "Integration": the change feed is kept at least 90 days */
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_CHANGES_RETENTION_DAYS=30"},
     "EJ_CHANGES_RETENTION_DAYS must be an integer from 90",
     NULL},
    {"serve",
     {"EJ_DATABASE_URL=dbname=x", "EJ_JWT_SECRET=" SECRET, "EJ_MIGRATIONS_DIR=/srv/db/migrations/"},
     NULL,
     functions_beside},
    /* migrate needs no signing key, but its own settings are still checked */
    {"migrate", {"EJ_DATABASE_URL=dbname=x", "EJ_STATEMENT_TIMEOUT_MS=1500"}, NULL, migrate_only},
    {"migrate",
     {"EJ_DATABASE_URL=dbname=x", "EJ_STATEMENT_TIMEOUT_MS=50"},
     "EJ_STATEMENT_TIMEOUT_MS must be an integer from 100",
     NULL},
};

/* Runs one case in a child; returns 0 when it behaved as expected. */
static int run_case(const struct config_case *c)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        for (const char *const *s = settings; *s; s++)
            unsetenv(*s);
        for (size_t i = 0; i < sizeof c->env / sizeof c->env[0] && c->env[i]; i++) {
            char kv[256];
            snprintf(kv, sizeof kv, "%s", c->env[i]);
            char *eq = strchr(kv, '=');
            *eq = '\0';
            setenv(kv, eq + 1, 1);
        }
        char err[256] = "";
        int rc = ej_config_load(c->what, err, sizeof err);
        ssize_t w = write(fds[1], err, strlen(err));
        (void)w;
        close(fds[1]);
        int ok = c->error ? rc == -1 : rc == 0 && (!c->check || c->check(ej_cfg()));
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    char err[256] = "";
    ssize_t n = read(fds[0], err, sizeof err - 1);
    close(fds[0]);
    err[n > 0 ? n : 0] = '\0';
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    int ok = WEXITSTATUS(status) == 0 && (!c->error || strstr(err, c->error) != NULL) &&
             (c->error || err[0] == '\0');
    if (!ok)
        fprintf(stderr, "  %s with %s: exit %d, error \"%s\", want \"%s\"\n", c->what, c->env[0],
                WEXITSTATUS(status), err, c->error ? c->error : "(none)");
    return ok ? 0 : -1;
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(run_case(&cases[i]) == 0);
    return check_summary("test_config");
}
