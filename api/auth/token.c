#include "auth/token.h"

#include "auth/random.h"
#include "core/config.h"
#include "core/digest.h"
#include "core/json.h"

#include <ctype.h>
#include <errno.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *ej_token_issue(int64_t user_id, int64_t session_id, int64_t token_version, int ttl)
{
    const struct ej_key *key = &ej_cfg()->jwt_key;
    jwt_t *jwt = NULL;
    char *out = NULL, sub[24], jti[33];
    unsigned char raw[16];
    if (jwt_new(&jwt) != 0)
        return NULL;
    time_t now = time(NULL);
    if (ej_random_bytes(raw, sizeof raw) != 0) {
        jwt_free(jwt);
        return NULL;
    }
    for (int i = 0; i < 16; i++)
        snprintf(jti + 2 * i, 3, "%02x", raw[i]);
    snprintf(sub, sizeof sub, "%lld", (long long)user_id);
    if (jwt_add_header(jwt, "kid", key->kid) == 0 &&
        jwt_add_grant(jwt, "iss", EJ_TOKEN_ISSUER) == 0 &&
        jwt_add_grant(jwt, "aud", EJ_TOKEN_AUDIENCE) == 0 && jwt_add_grant(jwt, "sub", sub) == 0 &&
        jwt_add_grant_int(jwt, "iat", (long)now) == 0 &&
        jwt_add_grant_int(jwt, "exp", (long)now + ttl) == 0 &&
        jwt_add_grant(jwt, "jti", jti) == 0 && jwt_add_grant(jwt, "token_use", "access") == 0 &&
        jwt_add_grant_int(jwt, "tv", (long)token_version) == 0 &&
        jwt_add_grant_int(jwt, "sid", (long)session_id) == 0 &&
        jwt_set_alg(jwt, JWT_ALG_HS256, key->bytes, (int)key->len) == 0)
        out = jwt_encode_str(jwt);
    jwt_free(jwt);
    return out;
}

static int b64url_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Decodes unpadded base64url [s, s+n) into out (cap bytes); returns length or -1. */
static long b64url_decode(const char *s, size_t n, unsigned char *out, size_t cap)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)o;
}

/* Checks the JOSE header ourselves: {"alg":"HS256","kid":...,"typ":"JWT"?}
 * and returns the key its kid names, or NULL. */
static const struct ej_key *header_key(const char *token, size_t hlen, const char **why)
{
    unsigned char buf[512];
    long n = b64url_decode(token, hlen, buf, sizeof buf);
    if (n <= 0) {
        *why = "header not base64url";
        return NULL;
    }
    if (ej_json_depth((const char *)buf, (size_t)n, 2) > 1) {
        *why = "header nested";
        return NULL;
    }
    json_t *h = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    const char *alg = ej_json_str(h, "alg"), *kid = ej_json_str(h, "kid");
    const char *typ = ej_json_str(h, "typ");
    const struct ej_key *key = NULL;
    if (!json_is_object(h) || !alg || strcmp(alg, "HS256") != 0 || json_object_size(h) > 3 ||
        (typ && strcmp(typ, "JWT") != 0) || (json_object_get(h, "typ") && !typ)) {
        *why = "header not HS256 JWT";
    } else if (!kid) {
        *why = "no kid";
    } else {
        const struct ej_config *c = ej_cfg();
        if (strcmp(kid, c->jwt_key.kid) == 0)
            key = &c->jwt_key;
        for (size_t i = 0; !key && i < c->jwt_previous_count; i++)
            if (strcmp(kid, c->jwt_previous[i].kid) == 0)
                key = &c->jwt_previous[i];
        if (!key)
            *why = "unknown kid";
    }
    json_decref(h);
    return key;
}

static int grant_int(jwt_t *jwt, const char *name, int64_t *out)
{
    errno = 0;
    long v = jwt_get_grant_int(jwt, name);
    if (errno)
        return -1;
    *out = v;
    return 0;
}

int ej_token_verify(const char *token, struct ej_claims *c, const char **why)
{
    size_t len = strnlen(token, EJ_TOKEN_MAX + 1);
    const char *dot1 = memchr(token, '.', len);
    *why = "malformed";
    if (len == 0 || len > EJ_TOKEN_MAX || !dot1)
        return -1;
    for (size_t i = 0, dots = 0; i < len; i++) {
        if (token[i] == '.' && ++dots > 2)
            return -1;
        if (token[i] != '.' && b64url_value((unsigned char)token[i]) < 0)
            return -1;
    }
    const struct ej_key *key = header_key(token, (size_t)(dot1 - token), why);
    if (!key)
        return -1;

    jwt_t *jwt = NULL;
    int rc = -1;
    if (jwt_decode(&jwt, token, key->bytes, (int)key->len) != 0 || !jwt) {
        *why = "bad signature";
        goto out;
    }
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        *why = "alg";
        goto out;
    }
    const char *iss = jwt_get_grant(jwt, "iss"), *aud = jwt_get_grant(jwt, "aud");
    const char *use = jwt_get_grant(jwt, "token_use"), *sub = jwt_get_grant(jwt, "sub");
    if (!iss || strcmp(iss, EJ_TOKEN_ISSUER) || !aud || strcmp(aud, EJ_TOKEN_AUDIENCE) || !use ||
        strcmp(use, "access") || !sub || !jwt_get_grant(jwt, "jti")) {
        *why = "claims";
        goto out;
    }
    char *end;
    errno = 0;
    long long uid = strtoll(sub, &end, 10);
    if (errno || *end || uid <= 0 || !isdigit((unsigned char)sub[0]) ||
        grant_int(jwt, "iat", &c->iat) || grant_int(jwt, "exp", &c->exp) ||
        grant_int(jwt, "tv", &c->token_version) || grant_int(jwt, "sid", &c->session_id)) {
        *why = "claims";
        goto out;
    }
    c->user_id = uid;
    int64_t now = (int64_t)time(NULL);
    if (c->iat > now + EJ_TOKEN_CLOCK_SKEW) {
        *why = "iat in the future";
        goto out;
    }
    if (c->exp <= now) {
        *why = "expired";
        goto out;
    }
    if (c->exp - c->iat > 900 + EJ_TOKEN_CLOCK_SKEW) {
        *why = "lifetime too long";
        goto out;
    }
    rc = 0;
out:
    jwt_free(jwt);
    return rc;
}

int ej_refresh_token_new(char token[EJ_REFRESH_TOKEN_SIZE], char hash[65])
{
    unsigned char raw[32];
    if (ej_random_bytes(raw, sizeof raw) != 0)
        return -1;
    memcpy(token, "ejr_", 4);
    for (int i = 0; i < 32; i++)
        snprintf(token + 4 + 2 * i, 3, "%02x", raw[i]);
    ej_sha256_hex(token, EJ_REFRESH_TOKEN_SIZE - 1, hash);
    return 0;
}

int ej_refresh_token_hash(const char *token, char hash[65])
{
    if (strlen(token) != EJ_REFRESH_TOKEN_SIZE - 1 || strncmp(token, "ejr_", 4) != 0)
        return -1;
    for (const char *p = token + 4; *p; p++)
        if (!isxdigit((unsigned char)*p))
            return -1;
    ej_sha256_hex(token, EJ_REFRESH_TOKEN_SIZE - 1, hash);
    return 0;
}
