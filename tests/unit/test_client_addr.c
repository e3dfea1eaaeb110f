/* Unit tests for core/client_addr.c (issue 9 #4: the client address behind
 * trusted proxies) and core/budget.c (issue 9 #3: the per-address budget). */
#include "check.h"
#include "core/budget.h"
#include "core/client_addr.h"

#include <stdbool.h>
#include <string.h>

static struct ej_proxies proxies(const char *setting)
{
    struct ej_proxies p;
    char err[160] = "";
    CHECK(ej_proxies_parse(setting, &p, err, sizeof err) == 0);
    if (err[0])
        fprintf(stderr, "unexpected error for %s: %s\n", setting, err);
    return p;
}

/* The client address resolved for peer + xff under setting, as text. */
static const char *client(const char *setting, const char *peer, const char *xff,
                          enum ej_client_source *src)
{
    static char out[EJ_ADDR_STRLEN];
    struct ej_proxies p = proxies(setting);
    struct ej_addr a;
    *src = ej_client_addr(&p, peer, xff, &a, out);
    return out;
}

static void test_parse_setting(void)
{
    struct ej_proxies p;
    char err[160];
    CHECK(ej_proxies_parse(NULL, &p, err, sizeof err) == 0 && p.count == 0);
    CHECK(ej_proxies_parse("", &p, err, sizeof err) == 0 && p.count == 0);
    CHECK(ej_proxies_parse("  ", &p, err, sizeof err) == 0 && p.count == 0);
    CHECK(ej_proxies_parse("127.0.0.1", &p, err, sizeof err) == 0 && p.count == 1);
    CHECK(ej_proxies_parse(" 10.0.0.0/8 , ::1,fd00::/8,192.168.1.7/32, 0.0.0.0/0 ", &p, err,
                           sizeof err) == 0 &&
          p.count == 5);
    const char *bad[] = {"banana",      "10.0.0.0/33",        "::/129",   "10.0.0.1,",
                         ",10.0.0.1",   "10.0.0.1,,10.0.0.2", "10.0.0/8", "10.0.0.0/",
                         "10.0.0.0/8x", "1.2.3.4:80",         "[::1]",    "fe80::1%eth0",
                         "10.0.0.0/08", "10.0.0.0/-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        int rc = ej_proxies_parse(bad[i], &p, err, sizeof err);
        CHECK(rc == -1);
        CHECK(strstr(err, "CIDR") != NULL); /* the error says what is expected */
        if (rc != -1)
            fprintf(stderr, "accepted: %s\n", bad[i]);
    }
    /* the bad entry is named */
    CHECK(ej_proxies_parse("127.0.0.1, nginx.local", &p, err, sizeof err) == -1);
    CHECK(strstr(err, "nginx.local") != NULL);
    /* too many entries */
    char many[1024] = "";
    for (int i = 0; i < EJ_MAX_TRUSTED_PROXIES + 1; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s10.0.0.%d", i ? "," : "", i);
    CHECK(ej_proxies_parse(many, &p, err, sizeof err) == -1);
}

static void test_contains(void)
{
    struct ej_proxies p = proxies("10.1.0.0/16, 2001:db8:1::/48, 192.168.5.5");
    struct ej_addr a;
    CHECK(ej_addr_parse("10.1.200.3", 10, &a) && ej_proxies_contains(&p, &a));
    CHECK(ej_addr_parse("10.2.0.1", 8, &a) && !ej_proxies_contains(&p, &a));
    CHECK(ej_addr_parse("192.168.5.5", 11, &a) && ej_proxies_contains(&p, &a));
    CHECK(ej_addr_parse("192.168.5.6", 11, &a) && !ej_proxies_contains(&p, &a));
    CHECK(ej_addr_parse("2001:db8:1:ffff::1", 18, &a) && ej_proxies_contains(&p, &a));
    CHECK(ej_addr_parse("2001:db8:2::1", 13, &a) && !ej_proxies_contains(&p, &a));
    /* an IPv4-mapped IPv6 peer is that IPv4 address */
    CHECK(ej_addr_parse("::ffff:10.1.0.9", 15, &a) && a.v4 && ej_proxies_contains(&p, &a));
    /* host bits in a range are ignored: 10.1.2.3/16 is 10.1.0.0/16 */
    struct ej_proxies q = proxies("10.1.2.3/16");
    CHECK(ej_addr_parse("10.1.99.1", 9, &a) && ej_proxies_contains(&q, &a));
    /* IPv4 ranges do not match IPv6 addresses and the other way round */
    struct ej_proxies any4 = proxies("0.0.0.0/0");
    CHECK(ej_addr_parse("2001:db8::1", 11, &a) && !ej_proxies_contains(&any4, &a));
    struct ej_proxies any6 = proxies("::/0");
    CHECK(ej_addr_parse("2001:db8::1", 11, &a) && ej_proxies_contains(&any6, &a));
}

static void test_resolve(void)
{
    enum ej_client_source src;
    /* no proxies configured: X-Forwarded-For is ignored */
    CHECK_STR(client("", "127.0.0.1", "10.9.9.9", &src), "127.0.0.1");
    CHECK(src == EJ_CLIENT_PEER);
    /* peer not trusted: ignored too */
    CHECK_STR(client("127.0.0.1", "127.0.0.2", "10.9.9.9", &src), "127.0.0.2");
    CHECK(src == EJ_CLIENT_PEER);
    /* trusted peer without the header: the peer */
    CHECK_STR(client("127.0.0.1", "127.0.0.1", NULL, &src), "127.0.0.1");
    CHECK(src == EJ_CLIENT_PEER);
    /* trusted peer: the rightmost entry */
    CHECK_STR(client("127.0.0.1", "127.0.0.1", "10.9.9.9", &src), "10.9.9.9");
    CHECK(src == EJ_CLIENT_FORWARDED);
    /* a client's forged entries on the left are not believed */
    CHECK_STR(client("127.0.0.1", "127.0.0.1", "6.6.6.6, 10.9.9.9", &src), "10.9.9.9");
    CHECK_STR(client("127.0.0.1", "127.0.0.1", "garbage, 10.9.9.9", &src), "10.9.9.9");
    CHECK(src == EJ_CLIENT_FORWARDED);
    /* trusted hops on the right are skipped */
    CHECK_STR(client("127.0.0.1, 10.0.0.0/8", "127.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.5", &src),
              "203.0.113.7");
    CHECK(src == EJ_CLIENT_FORWARDED);
    /* every entry trusted: the leftmost */
    CHECK_STR(client("10.0.0.0/8, 127.0.0.1", "127.0.0.1", "10.0.0.7,10.0.0.5", &src), "10.0.0.7");
    /* IPv6, canonical form */
    CHECK_STR(client("::1", "::1", " 2001:DB8:0:0::7 ", &src), "2001:db8::7");
    CHECK(src == EJ_CLIENT_FORWARDED);
    CHECK_STR(client("127.0.0.1", "::ffff:127.0.0.1", "10.9.9.9", &src), "10.9.9.9");
    /* malformed relevant entries: the peer, flagged */
    const char *bad[] = {"",          " ",          "10.9.9.9:1234", "[2001:db8::1]", "unknown",
                         "10.9.9.9,", "10.9.9.9, ", "a, b, c",       "10.9.9.9,,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_STR(client("127.0.0.1", "127.0.0.1", bad[i], &src), "127.0.0.1");
        CHECK(src == EJ_CLIENT_PEER_MALFORMED);
    }
    /* a very long header is handled (and its rightmost entry used) */
    static char longxff[8192];
    size_t used = 0;
    for (int i = 0; i < 500; i++)
        used += (size_t)snprintf(longxff + used, sizeof longxff - used, "1.1.1.1, ");
    snprintf(longxff + used, sizeof longxff - used, "198.51.100.1");
    CHECK_STR(client("127.0.0.1", "127.0.0.1", longxff, &src), "198.51.100.1");
    /* an unparsable peer is kept as it is */
    CHECK_STR(client("127.0.0.1", "not-an-ip", "10.9.9.9", &src), "not-an-ip");
    CHECK(src == EJ_CLIENT_UNKNOWN);
}

static void key_of(const char *s, unsigned char key[16])
{
    struct ej_addr a;
    CHECK(ej_addr_parse(s, strlen(s), &a));
    ej_addr_budget_key(&a, key);
}

static void test_budget_keys(void)
{
    unsigned char a[16], b[16];
    /* IPv6 counts by /64 */
    key_of("2001:db8:1:2:aaaa::1", a);
    key_of("2001:db8:1:2:bbbb::2", b);
    CHECK(memcmp(a, b, 16) == 0);
    key_of("2001:db8:1:3::1", b);
    CHECK(memcmp(a, b, 16) != 0);
    /* IPv4 by the whole address, the same in its mapped form */
    key_of("192.0.2.1", a);
    key_of("192.0.2.2", b);
    CHECK(memcmp(a, b, 16) != 0);
    key_of("::ffff:192.0.2.1", b);
    CHECK(memcmp(a, b, 16) == 0);
}

static void test_budget(void)
{
    unsigned char a[16], b[16];
    key_of("192.0.2.1", a);
    key_of("192.0.2.2", b);
    int wait = -1;

    ej_budget_init(0); /* off */
    for (int i = 0; i < 1000; i++)
        CHECK(ej_budget_take(a, 100.0, &wait));

    ej_budget_init(6); /* 6 at once, then one every 10 s */
    for (int i = 0; i < 6; i++)
        CHECK(ej_budget_take(a, 100.0, &wait));
    CHECK(!ej_budget_take(a, 100.0, &wait));
    CHECK(wait == 10);
    CHECK(!ej_budget_take(a, 105.0, &wait));
    CHECK(wait == 5);
    /* another address is not affected */
    CHECK(ej_budget_take(b, 105.0, &wait));
    /* refills: one token after 10 s, never more than a full bucket */
    CHECK(ej_budget_take(a, 110.5, &wait));
    CHECK(!ej_budget_take(a, 110.5, &wait));
    int ok = 0;
    for (int i = 0; i < 20; i++)
        ok += ej_budget_take(a, 10000.0, &wait);
    CHECK(ok == 6);
    /* a retry-after is at least 1 s */
    ej_budget_init(600000);
    for (int i = 0; i < 600000; i++)
        ej_budget_take(a, 200.0, &wait);
    wait = 0;
    CHECK(!ej_budget_take(a, 200.0, &wait) && wait == 1);

    /* Bounded memory: 100000 addresses pass through; a spent address that has
     * been evicted comes back no richer than the entries it displaced. */
    ej_budget_init(2);
    CHECK(ej_budget_take(a, 300.0, &wait) && ej_budget_take(a, 300.0, &wait));
    CHECK(!ej_budget_take(a, 300.0, &wait));
    for (unsigned i = 0; i < 100000; i++) {
        unsigned char k[16] = {0};
        memcpy(k, &i, sizeof i);
        k[15] = 0x77;
        /* each spends its whole bucket */
        ej_budget_take(k, 300.0, &wait);
        ej_budget_take(k, 300.0, &wait);
    }
    CHECK(!ej_budget_take(a, 300.0, &wait)); /* still spent, evicted or not */
}

int main(void)
{
    test_parse_setting();
    test_contains();
    test_resolve();
    test_budget_keys();
    test_budget();
    return check_summary("test_client_addr");
}
