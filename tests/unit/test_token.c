/* auth/token (api/auth/token.c): access tokens are HS256 JWTs naming their key (kid), verified
 * with the current or a previous key only; anything else (another algorithm, another key, a
 * forged or cut signature, a wrong claim, expired, too long-lived, oversized) is refused. Refresh
 * tokens are "ejr_" + 64 hex digits, stored only as their SHA-256. */
#include "check.h"
#include "auth/token.h"
#include "core/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OLD_SECRET "old-key-old-key-old-key-old-key-old-key!"
#define NEW_SECRET "new-key-new-key-new-key-new-key-new-key!"

static void load(const char *secret, const char *previous)
{
    char err[256];
    setenv("EJ_DATABASE_URL", "dbname=none", 1);
    setenv("EJ_JWT_SECRET", secret, 1);
    if (previous)
        setenv("EJ_JWT_PREVIOUS_SECRETS", previous, 1);
    else
        unsetenv("EJ_JWT_PREVIOUS_SECRETS");
    if (ej_config_load("serve", err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

/* A token signed with `secret` by a child process (the configuration loads once per process). */
static char *token_from(const char *secret, int ttl)
{
    int fds[2];
    if (pipe(fds) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        load(secret, NULL);
        char *t = ej_token_issue(5, 6, 7, ttl);
        ssize_t w = t ? write(fds[1], t, strlen(t)) : 0;
        (void)w;
        _exit(t ? 0 : 1);
    }
    close(fds[1]);
    static char buf[EJ_TOKEN_MAX + 1];
    size_t n = 0;
    ssize_t got;
    while (n < sizeof buf - 1 && (got = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)got;
    buf[n] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? strdup(buf) : NULL;
}

static int verifies(const char *token, const char **why)
{
    struct ej_claims c;
    return ej_token_verify(token, &c, why) == 0;
}

static void test_access_tokens(void)
{
    char *old_token = token_from(OLD_SECRET, 300);
    char *stranger = token_from("another-key-another-key-another-key-xx", 300);
    CHECK(old_token && stranger);
    load(NEW_SECRET, OLD_SECRET);

    /* issued now with the current key: every claim back */
    char *t = ej_token_issue(5, 6, 7, 300);
    struct ej_claims c;
    const char *why = NULL;
    CHECK(t && ej_token_verify(t, &c, &why) == 0);
    CHECK(c.user_id == 5 && c.session_id == 6 && c.token_version == 7);
    CHECK(c.exp - c.iat == 300 && llabs((long long)(c.iat - time(NULL))) < 5);

    /* a previous key still verifies (rotation); a key we never had does not */
    CHECK(old_token && verifies(old_token, &why));
    CHECK(stranger && !verifies(stranger, &why));
    CHECK_STR(why, "unknown kid");

    /* expired, and a lifetime longer than 900 s plus the clock skew */
    char *expired = ej_token_issue(5, 6, 7, -1);
    CHECK(expired && !verifies(expired, &why));
    CHECK_STR(why, "expired");
    char *long_lived = ej_token_issue(5, 6, 7, 3600);
    CHECK(long_lived && !verifies(long_lived, &why));
    CHECK_STR(why, "lifetime too long");

    /* a signature changed or cut, a payload swapped */
    char *forged = strdup(t);
    size_t n = strlen(forged);
    forged[n - 2] = forged[n - 2] == 'A' ? 'B' : 'A';
    CHECK(!verifies(forged, &why));
    forged[n - 2] = t[n - 2];
    forged[n - 5] = '\0';
    CHECK(!verifies(forged, &why));
    char swapped[EJ_TOKEN_MAX + 1];
    const char *p1 = strchr(t, '.'), *p2 = strchr(old_token, '.');
    snprintf(swapped, sizeof swapped, "%.*s%s", (int)(p1 - t), t, p2);
    CHECK(!verifies(swapped, &why)); /* our header names the new key, the signature is the old */

    /* other headers: alg none, RS256, a nested header, no kid; not base64url at all */
    static const char *const refused[] = {
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",                         /* {"alg":"none"} */
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiIxIn0.c2ln",      /* RS256 */
        "eyJhbGciOiJIUzI1NiIsImtpZCI6eyJhIjoxfX0.eyJzdWIiOiIxIn0.c2ln", /* kid an object */
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",                    /* no kid */
        "a.b.c.d",
        "a+b.c/d.e",
        ".",
        "",
        "no-dots",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        CHECK(!verifies(refused[i], &why));

    /* longer than EJ_TOKEN_MAX: refused before libjwt sees it */
    char *huge = malloc(EJ_TOKEN_MAX + 2);
    memset(huge, 'A', EJ_TOKEN_MAX + 1);
    huge[10] = '.';
    huge[20] = '.';
    huge[EJ_TOKEN_MAX + 1] = '\0';
    CHECK(!verifies(huge, &why));
    CHECK_STR(why, "malformed");

    free(huge);
    free(forged);
    free(expired);
    free(long_lived);
    free(t);
    free(old_token);
    free(stranger);
}

static void test_refresh_tokens(void)
{
    char token[EJ_REFRESH_TOKEN_SIZE], hash[65], again[65], other[EJ_REFRESH_TOKEN_SIZE];
    CHECK(ej_refresh_token_new(token, hash) == 0);
    CHECK(strncmp(token, "ejr_", 4) == 0 && strlen(token) == EJ_REFRESH_TOKEN_SIZE - 1);
    CHECK(strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64);
    CHECK(ej_refresh_token_hash(token, again) == 0);
    CHECK_STR(again, hash);
    CHECK(ej_refresh_token_new(other, again) == 0);
    CHECK(strcmp(other, token) != 0 && strcmp(again, hash) != 0); /* random, not a counter */

    char bad[EJ_REFRESH_TOKEN_SIZE + 1];
    memcpy(bad, token, sizeof token);
    bad[4] = 'g';
    CHECK(ej_refresh_token_hash(bad, again) == -1);
    memcpy(bad, token, sizeof token);
    bad[0] = 'x';
    CHECK(ej_refresh_token_hash(bad, again) == -1);
    memcpy(bad, token, sizeof token);
    bad[EJ_REFRESH_TOKEN_SIZE - 2] = '\0';
    CHECK(ej_refresh_token_hash(bad, again) == -1);
    CHECK(ej_refresh_token_hash("", again) == -1);
}

int main(void)
{
    test_access_tokens();
    test_refresh_tokens();
    return check_summary("test_token");
}
