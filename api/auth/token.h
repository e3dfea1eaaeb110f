/* Access tokens: JWT HS256 with `kid`, signed with the current key, verified
 * with the current or a previous (verify-only) key. The only module that
 * includes jwt.h. libjwt 1.10 verifies with whatever `alg` a token names and
 * copies parts onto the stack, so the header is checked and the length
 * bounded here before libjwt sees the token. */
#ifndef EJ_AUTH_TOKEN_H
#define EJ_AUTH_TOKEN_H

#include <stdint.h>

#define EJ_TOKEN_MAX 4096
#define EJ_TOKEN_ISSUER "ejournal"
#define EJ_TOKEN_AUDIENCE "ejournal-api"
#define EJ_TOKEN_CLOCK_SKEW 60

struct ej_claims {
    int64_t user_id;       /* sub */
    int64_t session_id;    /* sid: the login this token belongs to */
    int64_t token_version; /* tv */
    int64_t iat, exp;
};

/* Signs an access token valid for ttl seconds from now. Returns a new
 * malloc'd string or NULL. */
char *ej_token_issue(int64_t user_id, int64_t session_id, int64_t token_version, int ttl);

/* Verifies signature, algorithm, kid, issuer, audience, token_use, iat, exp.
 * Returns 0 and fills c, or -1 with a short reason (for debug logs only). */
int ej_token_verify(const char *token, struct ej_claims *c, const char **why);

/* Refresh tokens are opaque: "ejr_" + 64 hex digits (256 random bits).
 * Only their SHA-256 (hex) is stored. */
#define EJ_REFRESH_TOKEN_SIZE 69
/* Makes a new refresh token and its hash. Returns 0 or -1 (no randomness). */
int ej_refresh_token_new(char token[EJ_REFRESH_TOKEN_SIZE], char hash[65]);
/* Hashes a presented refresh token; -1 if it is not of the right form. */
int ej_refresh_token_hash(const char *token, char hash[65]);

#endif
