/* Password policy, argon2id hashing and the bound on concurrent hashing (see password.h). */
#include "auth/password.h"

#include <argon2.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "auth/random.h"

/* Ceilings on the parameters of a stored hash we agree to verify, so that a corrupt or
 * hostile row cannot make one login allocate gigabytes or spin for minutes. */
#define PHC_M_COST_MAX 262144u /* KiB: 256 MiB */
#define PHC_T_COST_MAX 16u
#define PHC_LANES_MAX 16u

/* A macro's value as a string literal, for the policy messages. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* Base64 (no padding) lengths of the current salt and hash. */
#define B64_LEN(bytes) (((bytes)*4 + 2) / 3)

/* ---- The hashing slots ---------------------------------------------------------------- */

static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned slot_max;  /* 0: not set yet, the default applies */
static unsigned slot_used; /* slots taken right now */

/* Threads waiting for a slot, in arrival order (ej_password_reserve): each
 * waiter's node lives on its own stack. Only the head may take a free slot, so
 * nobody is overtaken; every change wakes them all (at most EJ_THREADS). */
struct waiter {
    struct waiter *next;
};
static struct waiter *queue_head;
static struct waiter **queue_tail = &queue_head;
static unsigned queue_len;
static pthread_cond_t slot_freed;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;

/* The slot this thread reserved, which its hashing functions use. */
static __thread bool tl_reserved;

static void cond_make(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&slot_freed, &attr);
    pthread_condattr_destroy(&attr);
}

/* The default bound: the number of online cores, at least 1. */
static unsigned default_max_concurrent(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (cores < 1)
        return 1;
    if (cores > 1024)
        return 1024;
    return (unsigned)cores;
}

/* See password.h. */
bool ej_password_slot_try_acquire(void)
{
    bool taken = false;

    pthread_mutex_lock(&slot_lock);
    if (slot_max == 0)
        slot_max = default_max_concurrent();
    if (slot_used < slot_max && !queue_head) { /* waiters go first */
        slot_used++;
        taken = true;
    }
    pthread_mutex_unlock(&slot_lock);
    return taken;
}

/* See password.h. */
bool ej_password_saturated(void)
{
    pthread_mutex_lock(&slot_lock);
    bool full = slot_max != 0 && slot_used >= slot_max;
    pthread_mutex_unlock(&slot_lock);
    return full;
}

/* See password.h. */
void ej_password_slot_release(void)
{
    pthread_once(&cond_once, cond_make);
    pthread_mutex_lock(&slot_lock);
    if (slot_used > 0)
        slot_used--;
    if (queue_head)
        pthread_cond_broadcast(&slot_freed);
    pthread_mutex_unlock(&slot_lock);
}

/* Takes a slot, waiting up to wait_ms behind those who came first. */
static bool slot_wait(int wait_ms)
{
    struct waiter me = {NULL};
    struct timespec deadline;
    bool taken = false;

    pthread_once(&cond_once, cond_make);
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&slot_lock);
    if (slot_max == 0)
        slot_max = default_max_concurrent();
    *queue_tail = &me;
    queue_tail = &me.next;
    queue_len++;
    for (;;) {
        if (queue_head == &me && slot_used < slot_max) {
            slot_used++;
            taken = true;
            break;
        }
        if (pthread_cond_timedwait(&slot_freed, &slot_lock, &deadline) == ETIMEDOUT &&
            !(queue_head == &me && slot_used < slot_max))
            break;
    }
    /* Leave the queue (from the head if served, from anywhere on a timeout). */
    struct waiter **pp = &queue_head;
    while (*pp != &me)
        pp = &(*pp)->next;
    *pp = me.next;
    if (queue_tail == &me.next)
        queue_tail = pp;
    queue_len--;
    /* The next in line may now be the head, with a slot free. */
    if (queue_head)
        pthread_cond_broadcast(&slot_freed);
    pthread_mutex_unlock(&slot_lock);
    return taken;
}

/* See password.h. */
bool ej_password_reserve(int wait_ms)
{
    if (tl_reserved)
        return true;
    if (!(wait_ms > 0 ? slot_wait(wait_ms) : ej_password_slot_try_acquire()))
        return false;
    tl_reserved = true;
    return true;
}

/* See password.h. */
void ej_password_unreserve(void)
{
    if (!tl_reserved)
        return;
    tl_reserved = false;
    ej_password_slot_release();
}

/* See password.h. */
unsigned ej_password_waiting(void)
{
    pthread_mutex_lock(&slot_lock);
    unsigned n = queue_len;
    pthread_mutex_unlock(&slot_lock);
    return n;
}

/* A slot for one hash: this thread's reserved one, or a free one now. */
static bool take_slot(void)
{
    return tl_reserved || ej_password_slot_try_acquire();
}

static void give_slot(void)
{
    if (!tl_reserved)
        ej_password_slot_release();
}

/* See password.h. */
unsigned ej_password_max_concurrent(void)
{
    unsigned max;

    pthread_mutex_lock(&slot_lock);
    if (slot_max == 0)
        slot_max = default_max_concurrent();
    max = slot_max;
    pthread_mutex_unlock(&slot_lock);
    return max;
}

/* ---- Hashing -------------------------------------------------------------------------- */

/* Argon2's working memory (EJ_PASSWORD_M_COST KiB per hash) comes from the
 * kernel and goes back to it when the hash is done, through libargon2's own
 * allocation callbacks. Through malloc it stayed: glibc raises its mmap
 * threshold to the size of a large block once one is freed, so the next
 * blocks came from the hashing threads' malloc arenas and stayed resident
 * there (a server of 256 threads kept 316 MiB after a few logins, issue 13). */
static int hash_alloc(uint8_t **memory, size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        *memory = NULL;
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    }
    *memory = p;
    return ARGON2_OK;
}

static void hash_free(uint8_t *memory, size_t bytes)
{
    if (memory)
        munmap(memory, bytes);
}

/* An argon2id context over these buffers with the mmap callbacks. */
static argon2_context hash_context(const char *password, const uint8_t *salt, size_t saltlen,
                                   uint8_t *out, size_t outlen, unsigned long t_cost,
                                   unsigned long m_cost, unsigned long lanes, unsigned long version)
{
    argon2_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.out = out;
    ctx.outlen = (uint32_t)outlen;
    /* libargon2 only reads them (no ARGON2_FLAG_CLEAR_PASSWORD or _SECRET). */
    ctx.pwd = (uint8_t *)(uintptr_t)password;
    ctx.pwdlen = (uint32_t)strlen(password);
    ctx.salt = (uint8_t *)(uintptr_t)salt;
    ctx.saltlen = (uint32_t)saltlen;
    ctx.t_cost = (uint32_t)t_cost;
    ctx.m_cost = (uint32_t)m_cost;
    ctx.lanes = (uint32_t)lanes;
    ctx.threads = (uint32_t)lanes;
    ctx.version = (uint32_t)version;
    ctx.allocate_cbk = hash_alloc;
    ctx.free_cbk = hash_free;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    return ctx;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 without padding, as PHC strings carry salt and hash; appends to out at *len. */
static void b64_encode(const uint8_t *in, size_t n, char *out, size_t *len)
{
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[(*len)++] = b64_alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0)
        out[(*len)++] = b64_alphabet[(acc << (6 - bits)) & 63];
    out[*len] = '\0';
}

/* Decodes n base64 characters (phc_parse checked the alphabet) into out (at
 * most cap bytes): the byte count, or 0 when they do not fit or leave bits
 * over, as libargon2's decoder refuses them. */
static size_t b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
    unsigned acc = 0, bits = 0;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *c = strchr(b64_alphabet, in[i]);
        acc = (acc << 6) | (unsigned)(c - b64_alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len == cap)
                return 0;
            out[len++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits > 4 || (acc & ((1u << bits) - 1)) != 0)
        return 0;
    return len;
}

/* Hash password with the current parameters and a fresh salt into out (outlen bytes),
 * without taking a slot, as the PHC string libargon2's argon2id_hash_encoded writes.
 * Returns EJ_PASSWORD_OK or EJ_PASSWORD_ERROR. */
static enum ej_password_result hash_unbounded(const char *password, char *out, size_t outlen)
{
    uint8_t salt[EJ_PASSWORD_SALT_LEN], hash[EJ_PASSWORD_HASH_LEN];
    int rc;

    if (!password || !out || outlen < EJ_PASSWORD_ENCODED_SIZE)
        return EJ_PASSWORD_ERROR;
    if (ej_random_bytes(salt, sizeof salt) != 0)
        return EJ_PASSWORD_ERROR;
    argon2_context ctx = hash_context(password, salt, sizeof salt, hash, sizeof hash,
                                      EJ_PASSWORD_T_COST, EJ_PASSWORD_M_COST,
                                      EJ_PASSWORD_PARALLELISM, ARGON2_VERSION_13);
    rc = argon2id_ctx(&ctx);
    if (rc == ARGON2_OK) {
        int n = snprintf(out, outlen, "$argon2id$v=%d$m=%d,t=%d,p=%d$", ARGON2_VERSION_13,
                         EJ_PASSWORD_M_COST, EJ_PASSWORD_T_COST, EJ_PASSWORD_PARALLELISM);
        size_t len = (size_t)n;
        b64_encode(salt, sizeof salt, out, &len);
        out[len++] = '$';
        b64_encode(hash, sizeof hash, out, &len);
    }
    explicit_bzero(hash, sizeof hash);
    return rc == ARGON2_OK ? EJ_PASSWORD_OK : EJ_PASSWORD_ERROR;
}

/* The dummy hash ej_password_burn() verifies against: made once, of a random password
 * nobody knows, with the current parameters. */
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[EJ_PASSWORD_ENCODED_SIZE];
static bool dummy_ready;

/* pthread_once routine that fills dummy_hash; sets dummy_ready on success. */
static void dummy_make(void)
{
    char password[EJ_RANDOM_PASSWORD_SIZE];

    if (ej_random_password(password, sizeof password) == 0 &&
        hash_unbounded(password, dummy_hash, sizeof dummy_hash) == EJ_PASSWORD_OK)
        dummy_ready = true;
    explicit_bzero(password, sizeof password);
}

/* See password.h. */
enum ej_password_result ej_password_init(unsigned max_concurrent)
{
    pthread_mutex_lock(&slot_lock);
    slot_max = max_concurrent ? max_concurrent : default_max_concurrent();
    pthread_mutex_unlock(&slot_lock);
    pthread_once(&dummy_once, dummy_make);
    return dummy_ready ? EJ_PASSWORD_OK : EJ_PASSWORD_ERROR;
}

/* See password.h. */
enum ej_password_result ej_password_hash(const char *password, char *out, size_t outlen)
{
    enum ej_password_result rc;

    if (!password || !out || outlen < EJ_PASSWORD_ENCODED_SIZE)
        return EJ_PASSWORD_ERROR;
    if (!take_slot())
        return EJ_PASSWORD_BUSY;
    rc = hash_unbounded(password, out, outlen);
    give_slot();
    return rc;
}

/* The parameters of a PHC string as libargon2 writes it:
 * $argon2id[$v=<version>]$m=<kib>,t=<passes>,p=<lanes>$<salt b64>$<hash b64> */
struct phc {
    unsigned long version;
    unsigned long m_cost;
    unsigned long t_cost;
    unsigned long lanes;
    size_t salt_chars;
    size_t hash_chars;
};

/* If *s starts with literal, step over it and return true. */
static bool skip_literal(const char **s, const char *literal)
{
    size_t n = strlen(literal);

    if (strncmp(*s, literal, n) != 0)
        return false;
    *s += n;
    return true;
}

/* Parse a decimal number in [min, max] without sign or leading zeros at *s and step over
 * it. Returns false when there is none or it is out of range. */
static bool parse_decimal(const char **s, unsigned long min, unsigned long max, unsigned long *out)
{
    const char *p = *s;
    unsigned long v = 0;

    if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
        return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long)(*p - '0');
        if (v > max)
            return false;
    }
    if (v < min)
        return false;
    *out = v;
    *s = p;
    return true;
}

/* Number of base64 characters (A-Z a-z 0-9 + /) at the start of s. */
static size_t base64_run(const char *s)
{
    size_t n = 0;

    while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
           (s[n] >= '0' && s[n] <= '9') || s[n] == '+' || s[n] == '/')
        n++;
    return n;
}

/* Parse an encoded argon2id hash into *out. Returns false when it is malformed, not
 * argon2id, or its parameters exceed the PHC_*_MAX ceilings. */
static bool phc_parse(const char *s, struct phc *out)
{
    if (!skip_literal(&s, "$argon2id$"))
        return false;
    out->version = ARGON2_VERSION_10; /* what an absent v= field means */
    if (skip_literal(&s, "v=")) {
        if (!parse_decimal(&s, 0, 255, &out->version) || !skip_literal(&s, "$"))
            return false;
    }
    if (!skip_literal(&s, "m=") || !parse_decimal(&s, 1, PHC_M_COST_MAX, &out->m_cost) ||
        !skip_literal(&s, ",t=") || !parse_decimal(&s, 1, PHC_T_COST_MAX, &out->t_cost) ||
        !skip_literal(&s, ",p=") || !parse_decimal(&s, 1, PHC_LANES_MAX, &out->lanes) ||
        !skip_literal(&s, "$"))
        return false;
    out->salt_chars = base64_run(s);
    s += out->salt_chars;
    if (out->salt_chars == 0 || !skip_literal(&s, "$"))
        return false;
    out->hash_chars = base64_run(s);
    s += out->hash_chars;
    return out->hash_chars > 0 && *s == '\0';
}

/* The longest salt and hash verify_encoded decodes itself; a longer one (never
 * made here) is left to libargon2's argon2id_verify and its malloc. */
#define VERIFY_MAX_BYTES 64

/* argon2id_verify(encoded, password) of a string phc_parse accepted as p,
 * with the mmap callbacks: ARGON2_OK, ARGON2_VERIFY_MISMATCH or an error. */
static int verify_encoded(const char *encoded, const struct phc *p, const char *password)
{
    uint8_t salt[VERIFY_MAX_BYTES], want[VERIFY_MAX_BYTES], got[VERIFY_MAX_BYTES];
    if (p->salt_chars > B64_LEN(VERIFY_MAX_BYTES) || p->hash_chars > B64_LEN(VERIFY_MAX_BYTES))
        return argon2id_verify(encoded, password, strlen(password));
    /* The salt and the hash are the last two fields: ...$<salt>$<hash>. */
    const char *hash_text = encoded + strlen(encoded) - p->hash_chars;
    const char *salt_text = hash_text - 1 - p->salt_chars;
    size_t saltlen = b64_decode(salt_text, p->salt_chars, salt, sizeof salt);
    size_t hashlen = b64_decode(hash_text, p->hash_chars, want, sizeof want);
    if (saltlen == 0 || hashlen == 0)
        return ARGON2_DECODING_FAIL;
    argon2_context ctx = hash_context(password, salt, saltlen, got, hashlen, p->t_cost, p->m_cost,
                                      p->lanes, p->version);
    int rc = argon2id_verify_ctx(&ctx, (const char *)want); /* constant-time compare */
    explicit_bzero(got, sizeof got);
    return rc;
}

/* True when a hash with these parameters should be replaced by one with the current ones. */
static bool phc_outdated(const struct phc *p)
{
    return p->version != ARGON2_VERSION_13 || p->m_cost != EJ_PASSWORD_M_COST ||
           p->t_cost != EJ_PASSWORD_T_COST || p->lanes != EJ_PASSWORD_PARALLELISM ||
           p->salt_chars != B64_LEN(EJ_PASSWORD_SALT_LEN) ||
           p->hash_chars != B64_LEN(EJ_PASSWORD_HASH_LEN);
}

/* See password.h. */
enum ej_password_result ej_password_verify(const char *encoded, const char *password,
                                           bool *needs_rehash)
{
    struct phc params;
    int rc;

    if (needs_rehash)
        *needs_rehash = false;
    if (!encoded || !password || !phc_parse(encoded, &params))
        return EJ_PASSWORD_ERROR;
    if (!take_slot())
        return EJ_PASSWORD_BUSY;
    rc = verify_encoded(encoded, &params, password);
    give_slot();
    if (rc == ARGON2_VERIFY_MISMATCH)
        return EJ_PASSWORD_MISMATCH;
    if (rc != ARGON2_OK)
        return EJ_PASSWORD_ERROR;
    if (needs_rehash)
        *needs_rehash = phc_outdated(&params);
    return EJ_PASSWORD_OK;
}

/* See password.h. */
enum ej_password_result ej_password_burn(const char *password)
{
    int rc;

    if (!password)
        return EJ_PASSWORD_ERROR;
    pthread_once(&dummy_once, dummy_make);
    if (!dummy_ready)
        return EJ_PASSWORD_ERROR;
    struct phc dummy;
    if (!phc_parse(dummy_hash, &dummy))
        return EJ_PASSWORD_ERROR;
    if (!take_slot())
        return EJ_PASSWORD_BUSY;
    rc = verify_encoded(dummy_hash, &dummy, password);
    give_slot();
    /* Nobody knows the dummy's password, but should a guess ever match, it still fails. */
    return rc == ARGON2_OK || rc == ARGON2_VERIFY_MISMATCH ? EJ_PASSWORD_MISMATCH
                                                           : EJ_PASSWORD_ERROR;
}

/* ---- Policy --------------------------------------------------------------------------- */

/* ASCII-only lowercase: locale-independent, leaves other bytes alone. */
static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Decode one well-formed UTF-8 sequence (Unicode Table 3-7: no overlongs, no surrogates,
 * nothing above U+10FFFF) at s into *cp. Returns its length in bytes, or 0 when s does not
 * start with one. Never reads past a NUL: NUL is not a valid continuation byte. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len;
    uint32_t v;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        v = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        v = s[0] & 0x0Fu;
        if (s[0] == 0xE0)
            lo = 0xA0; /* overlong */
        else if (s[0] == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        v = s[0] & 0x07u;
        if (s[0] == 0xF0)
            lo = 0x90; /* overlong */
        else if (s[0] == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if (s[i] < lo || s[i] > hi)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return len;
}

/* True for the C0 controls, DEL and the C1 controls. */
static bool is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* ASCII case-insensitive equality of two NUL-terminated strings. */
static bool equal_ignoring_ascii_case(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;

    for (; *x && *y; x++, y++)
        if (ascii_lower(*x) != ascii_lower(*y))
            return false;
    return *x == *y;
}

/* bsearch comparator: key is the password (compared with ASCII letters lowercased),
 * element points at a lowercase list entry. Same order as strcmp(). */
static int common_compare(const void *key, const void *element)
{
    const unsigned char *a = key;
    const unsigned char *b = *(const unsigned char *const *)element;

    for (;; a++, b++) {
        unsigned char c = ascii_lower(*a);
        if (c != *b || c == '\0')
            return (int)c - (int)*b;
    }
}

/* See password.h. */
bool ej_password_is_common(const char *password)
{
    if (!password)
        return false;
    return bsearch(password, ej_common_passwords, ej_common_passwords_count,
                   sizeof ej_common_passwords[0], common_compare) != NULL;
}

/* See password.h. */
const char *ej_password_policy_error(const char *password, const char *username)
{
    const unsigned char *s = (const unsigned char *)password;
    size_t chars = 0;

    if (!password)
        return "is required";
    while (*s) {
        uint32_t cp;
        size_t len = utf8_decode(s, &cp);
        if (len == 0)
            return "must be valid UTF-8";
        if (is_control(cp))
            return "must not contain control characters";
        if (++chars > EJ_PASSWORD_MAX_CHARS)
            return "must be at most " STRINGIFY(EJ_PASSWORD_MAX_CHARS) " characters";
        s += len;
    }
    if (chars < EJ_PASSWORD_MIN_CHARS)
        return "must be at least " STRINGIFY(EJ_PASSWORD_MIN_CHARS) " characters";
    if (username && equal_ignoring_ascii_case(password, username))
        return "must not be the same as the username";
    if (ej_password_is_common(password))
        return "is too common";
    return NULL;
}
