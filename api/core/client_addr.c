/* The client's address behind trusted proxies (see client_addr.h). */
#include "core/client_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool ej_addr_parse(const char *s, size_t len, struct ej_addr *out)
{
    char buf[EJ_ADDR_STRLEN + 1];
    memset(out, 0, sizeof *out);
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        memcpy(out->b, v4_mapped_prefix, sizeof v4_mapped_prefix);
        memcpy(out->b + 12, &a4, 4);
        out->v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out->b) != 1)
        return false;
    /* ::ffff:a.b.c.d (a dual-stack socket's view of an IPv4 client) is that
     * IPv4 address: the same client must get the same budget either way. */
    out->v4 = memcmp(out->b, v4_mapped_prefix, sizeof v4_mapped_prefix) == 0;
    return true;
}

void ej_addr_format(const struct ej_addr *a, char out[EJ_ADDR_STRLEN])
{
    if (a->v4)
        inet_ntop(AF_INET, a->b + 12, out, EJ_ADDR_STRLEN);
    else
        inet_ntop(AF_INET6, a->b, out, EJ_ADDR_STRLEN);
}

void ej_addr_budget_key(const struct ej_addr *a, unsigned char key[16])
{
    memcpy(key, a->b, 16);
    if (!a->v4)
        memset(key + 8, 0, 8); /* the /64 */
}

/* Clears the bits of a beyond the first `bits`. */
static void mask(unsigned char b[16], int bits)
{
    for (int i = 0; i < 16; i++) {
        int keep = bits - 8 * i;
        if (keep >= 8)
            continue;
        b[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
    }
}

/* One entry "addr" or "addr/len" of s[0..len). */
static bool cidr_parse(const char *s, size_t len, struct ej_cidr *out)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (!ej_addr_parse(s, alen, &out->net))
        return false;
    int max = out->net.v4 ? 32 : 128;
    int bits = max;
    if (slash) {
        const char *p = slash + 1, *end = s + len;
        if (p == end || end - p > 3)
            return false;
        bits = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return false;
            bits = bits * 10 + (*p - '0');
        }
        if (bits > max || (slash[1] == '0' && end - slash > 2))
            return false;
    }
    out->bits = out->net.v4 ? 96 + bits : bits;
    mask(out->net.b, out->bits);
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims spaces around s[*from..*to). */
static void trim(const char *s, size_t *from, size_t *to)
{
    while (*from < *to && is_space(s[*from]))
        (*from)++;
    while (*to > *from && is_space(s[*to - 1]))
        (*to)--;
}

int ej_proxies_parse(const char *setting, struct ej_proxies *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!setting)
        return 0;
    size_t n = strlen(setting), start = 0;
    size_t from = 0, to = n;
    trim(setting, &from, &to);
    if (from == to)
        return 0;
    while (start <= n) {
        const char *comma = memchr(setting + start, ',', n - start);
        size_t end = comma ? (size_t)(comma - setting) : n;
        size_t a = start, b = end;
        trim(setting, &a, &b);
        if (out->count == EJ_MAX_TRUSTED_PROXIES) {
            snprintf(err, errlen, "lists more than %d entries", EJ_MAX_TRUSTED_PROXIES);
            return -1;
        }
        if (a == b || !cidr_parse(setting + a, b - a, &out->list[out->count])) {
            snprintf(err, errlen,
                     "must be comma-separated IP addresses or CIDR ranges (bad entry \"%.*s\")",
                     (int)(b - a > 60 ? 60 : b - a), setting + a);
            return -1;
        }
        out->count++;
        start = end + 1;
    }
    return 0;
}

bool ej_proxies_contains(const struct ej_proxies *p, const struct ej_addr *a)
{
    for (size_t i = 0; i < p->count; i++) {
        unsigned char b[16];
        memcpy(b, a->b, 16);
        mask(b, p->list[i].bits);
        if (memcmp(b, p->list[i].net.b, 16) == 0)
            return true;
    }
    return false;
}

enum ej_client_source ej_client_addr(const struct ej_proxies *p, const char *peer, const char *xff,
                                     struct ej_addr *addr, char out[EJ_ADDR_STRLEN])
{
    struct ej_addr peer_addr;
    if (!peer || !ej_addr_parse(peer, strlen(peer), &peer_addr)) {
        memset(addr, 0, sizeof *addr);
        snprintf(out, EJ_ADDR_STRLEN, "%s", peer ? peer : "");
        return EJ_CLIENT_UNKNOWN;
    }
    *addr = peer_addr;
    ej_addr_format(addr, out);
    if (!xff || !p->count || !ej_proxies_contains(p, &peer_addr))
        return EJ_CLIENT_PEER;

    /* From the right: skip the trusted hops; the first other entry is the client. */
    size_t end = strlen(xff);
    struct ej_addr hop;
    bool any = false;
    for (;;) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        trim(xff, &a, &b);
        if (!ej_addr_parse(xff + a, b - a, &hop)) {
            *addr = peer_addr; /* a broken chain: the proxy's own address */
            ej_addr_format(addr, out);
            return EJ_CLIENT_PEER_MALFORMED;
        }
        any = true;
        if (!ej_proxies_contains(p, &hop) || start == 0)
            break;
        end = start - 1;
    }
    if (!any)
        return EJ_CLIENT_PEER;
    *addr = hop;
    ej_addr_format(addr, out);
    return EJ_CLIENT_FORWARDED;
}
