/* The client's address (issue 9 #4): who is on the other end of a request,
 * also behind a reverse proxy. Pure: no HTTP, no database, no globals.
 *
 * EJ_TRUSTED_PROXIES lists the proxies (IP addresses or CIDR ranges, IPv4 and
 * IPv6). When the TCP peer is one of them, the client is the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy: each proxy
 * appends the address it saw, so entries left of the first untrusted one
 * were written by someone we do not trust and prove nothing. If every entry
 * is a trusted proxy, the leftmost one is the client. If that entry is not a
 * plain IP address (a port, a name, garbage, or the header is too long), the
 * peer itself is the client: the chain is broken, and lumping such requests
 * under the proxy's address cannot be forged, while believing any of it could.
 * When the peer is not a trusted proxy, X-Forwarded-For is ignored.
 *
 * Only one X-Forwarded-For header is read (the HTTP layer gives the first):
 * the proxy must send the chain as one header, as nginx's
 * `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does. */
#ifndef EJ_CORE_CLIENT_ADDR_H
#define EJ_CORE_CLIENT_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define EJ_MAX_TRUSTED_PROXIES 32
/* Longest text form of an address we produce (INET6_ADDRSTRLEN). */
#define EJ_ADDR_STRLEN 46

/* An IPv4 address is kept as its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so
 * one comparison covers both families. */
struct ej_addr {
    unsigned char b[16];
    bool v4;
};

struct ej_cidr {
    struct ej_addr net;
    int bits; /* prefix length in the 128-bit form (an IPv4 /n is 96 + n) */
};

struct ej_proxies {
    struct ej_cidr list[EJ_MAX_TRUSTED_PROXIES];
    size_t count;
};

/* Parses a plain IPv4 or IPv6 address (no port, no brackets, no zone).
 * Returns true on success. */
bool ej_addr_parse(const char *s, size_t len, struct ej_addr *out);

/* The canonical text of an address (IPv4 dotted, IPv6 as inet_ntop writes it). */
void ej_addr_format(const struct ej_addr *a, char out[EJ_ADDR_STRLEN]);

/* The key the per-address budget counts under: an IPv4 address whole, an
 * IPv6 address by its /64 (one subscriber usually gets a whole /64). */
void ej_addr_budget_key(const struct ej_addr *a, unsigned char key[16]);

/* Parses the EJ_TRUSTED_PROXIES value: comma-separated addresses or CIDR
 * ranges, spaces around entries allowed; NULL or "" means none. On error
 * returns -1 and writes why (naming the bad entry) into err. */
int ej_proxies_parse(const char *setting, struct ej_proxies *out, char *err, size_t errlen);

/* True if a is inside one of the trusted ranges. */
bool ej_proxies_contains(const struct ej_proxies *p, const struct ej_addr *a);

/* How the client address was found. */
enum ej_client_source {
    EJ_CLIENT_PEER = 0,       /* the TCP peer (not a trusted proxy, or no X-Forwarded-For) */
    EJ_CLIENT_FORWARDED,      /* from X-Forwarded-For, behind a trusted proxy */
    EJ_CLIENT_PEER_MALFORMED, /* trusted peer, but the header's relevant entry was not an address */
    EJ_CLIENT_UNKNOWN,        /* the peer address itself could not be parsed: out is peer as is */
};

/* Resolves the client address of a request from its TCP peer and its
 * X-Forwarded-For header (NULL if absent). Writes the canonical text into out
 * and the parsed form into *addr (zeroed for EJ_CLIENT_UNKNOWN). */
enum ej_client_source ej_client_addr(const struct ej_proxies *p, const char *peer, const char *xff,
                                     struct ej_addr *addr, char out[EJ_ADDR_STRLEN]);

#endif
