/* Unit tests for auth/password.c and auth/random.c: §9 (passwords stored only as argon2id
 * hashes, one-time issued passwords), §10 (password policy) and the bound on concurrent
 * hashing that keeps a login storm from taking the server down. */
#include <argon2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"
#include "auth/random.h"
#include "check.h"

#define CURRENT_PREFIX "$argon2id$v=19$m=19456,t=2,p=1$"

/* Monotonic time in seconds. */
static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True when the n bytes at s are all base64 characters (A-Z a-z 0-9 + /). */
static bool all_base64(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    return true;
}

/* s repeated n times into a heap string (caller frees). */
static char *repeat(const char *s, size_t n)
{
    size_t len = strlen(s);
    char *out = malloc(len * n + 1);

    if (!out)
        abort();
    for (size_t i = 0; i < n; i++)
        memcpy(out + i * len, s, len);
    out[len * n] = '\0';
    return out;
}

/* §9 passwords are stored only as argon2id hashes: hash, verify, parameters, salt. */
static void test_hash_and_verify(void)
{
    static char a[EJ_PASSWORD_ENCODED_SIZE], b[EJ_PASSWORD_ENCODED_SIZE];
    const char *pw = "correct horse battery staple";
    bool rehash = true;

    CHECK(ej_password_hash(pw, a, sizeof a) == EJ_PASSWORD_OK);
    CHECK(ej_password_verify(a, pw, &rehash) == EJ_PASSWORD_OK);
    CHECK(!rehash);
    CHECK(ej_password_verify(a, pw, NULL) == EJ_PASSWORD_OK);

    /* a wrong password, and one that differs only in case, do not match */
    CHECK(ej_password_verify(a, "correct horse battery stapler", &rehash) == EJ_PASSWORD_MISMATCH);
    CHECK(ej_password_verify(a, "Correct horse battery staple", &rehash) == EJ_PASSWORD_MISMATCH);
    CHECK(ej_password_verify(a, "", &rehash) == EJ_PASSWORD_MISMATCH);

    /* the PHC string carries the current parameters, a 16-byte salt (22 base64 characters)
     * and a 32-byte hash (43 characters), and never the password */
    CHECK(strncmp(a, CURRENT_PREFIX, strlen(CURRENT_PREFIX)) == 0);
    const char *salt = a + strlen(CURRENT_PREFIX);
    const char *dollar = strchr(salt, '$');
    CHECK(dollar != NULL);
    if (dollar) {
        CHECK(dollar - salt == 22);
        CHECK(all_base64(salt, 22));
        CHECK(strlen(dollar + 1) == 43);
        CHECK(all_base64(dollar + 1, 43));
    }
    CHECK(strstr(a, pw) == NULL);
    CHECK(strlen(a) + 1 <= EJ_PASSWORD_ENCODED_SIZE);
    CHECK(argon2_encodedlen(EJ_PASSWORD_T_COST, EJ_PASSWORD_M_COST, EJ_PASSWORD_PARALLELISM,
                            EJ_PASSWORD_SALT_LEN, EJ_PASSWORD_HASH_LEN,
                            Argon2_id) <= EJ_PASSWORD_ENCODED_SIZE);

    /* a fresh salt every time: two hashes of one password differ, both verify */
    CHECK(ej_password_hash(pw, b, sizeof b) == EJ_PASSWORD_OK);
    CHECK(strcmp(a, b) != 0);
    CHECK(ej_password_verify(b, pw, &rehash) == EJ_PASSWORD_OK);

    /* issue 13: hashes made with the mmap allocation callbacks are libargon2's own PHC
     * strings (its verifier accepts them), and libargon2's verify with ours */
    CHECK(argon2id_verify(a, pw, strlen(pw)) == ARGON2_OK);
    CHECK(argon2id_verify(b, pw, strlen(pw)) == ARGON2_OK);
    CHECK(argon2id_verify(a, "not it", 6) == ARGON2_VERIFY_MISMATCH);

    /* a buffer too small for the encoded hash is an error, not a truncation */
    CHECK(ej_password_hash(pw, b, 64) == EJ_PASSWORD_ERROR);

    /* non-ASCII passwords hash and verify byte for byte */
    CHECK(ej_password_hash("pässwörd ĀāĂă 🔑🔑", a, sizeof a) == EJ_PASSWORD_OK);
    CHECK(ej_password_verify(a, "pässwörd ĀāĂă 🔑🔑", &rehash) == EJ_PASSWORD_OK);
    CHECK(ej_password_verify(a, "passwörd ĀāĂă 🔑🔑", &rehash) == EJ_PASSWORD_MISMATCH);
}

/* §9 hashes made with older parameters still verify and ask to be rehashed. */
static void test_needs_rehash(void)
{
    static char enc[EJ_PASSWORD_ENCODED_SIZE];
    const char *pw = "an old password from 2019";
    const unsigned char salt[16] = "0123456789abcdef";
    bool rehash = false;

    CHECK(argon2id_hash_encoded(1, EJ_PASSWORD_M_COST, 1, pw, strlen(pw), salt, sizeof salt, 32,
                                enc, sizeof enc) == ARGON2_OK);
    CHECK(strncmp(enc, "$argon2id$v=19$m=19456,t=1,p=1$", 31) == 0);
    CHECK(ej_password_verify(enc, pw, &rehash) == EJ_PASSWORD_OK);
    CHECK(rehash);

    rehash = false;
    CHECK(argon2id_hash_encoded(2, 4096, 1, pw, strlen(pw), salt, sizeof salt, 32, enc,
                                sizeof enc) == ARGON2_OK);
    CHECK(ej_password_verify(enc, pw, &rehash) == EJ_PASSWORD_OK);
    CHECK(rehash);

    /* same m, t, p but an 8-byte salt and a 16-byte hash */
    rehash = false;
    CHECK(argon2id_hash_encoded(2, EJ_PASSWORD_M_COST, 1, pw, strlen(pw), salt, 8, 16, enc,
                                sizeof enc) == ARGON2_OK);
    CHECK(ej_password_verify(enc, pw, &rehash) == EJ_PASSWORD_OK);
    CHECK(rehash);

    /* the older Argon2 version 1.0 (0x10) */
    rehash = false;
    CHECK(argon2_hash(2, EJ_PASSWORD_M_COST, 1, pw, strlen(pw), salt, sizeof salt, NULL, 32, enc,
                      sizeof enc, Argon2_id, ARGON2_VERSION_10) == ARGON2_OK);
    CHECK(strncmp(enc, "$argon2id$v=16$m=19456,t=2,p=1$", 31) == 0);
    CHECK(ej_password_verify(enc, pw, &rehash) == EJ_PASSWORD_OK);
    CHECK(rehash);

    /* issue 13: a salt and a hash longer than the verifier decodes itself (64 bytes) go to
     * libargon2's own verify, with the same answers */
    {
        static const unsigned char long_salt[80] =
            "a salt of eighty bytes, longer than any made here......";
        static char long_enc[512];
        rehash = false;
        CHECK(argon2id_hash_encoded(2, 4096, 1, pw, strlen(pw), long_salt, sizeof long_salt, 72,
                                    long_enc, sizeof long_enc) == ARGON2_OK);
        CHECK(ej_password_verify(long_enc, pw, &rehash) == EJ_PASSWORD_OK);
        CHECK(rehash);
        CHECK(ej_password_verify(long_enc, "not it", &rehash) == EJ_PASSWORD_MISMATCH);
    }

    /* a mismatch never asks for a rehash */
    rehash = true;
    CHECK(ej_password_verify(enc, "not it", &rehash) == EJ_PASSWORD_MISMATCH);
    CHECK(!rehash);
}

/* §9 a corrupt stored hash is an internal error, never a match. */
static void test_malformed_hashes(void)
{
#define SALT "MDEyMzQ1Njc4OWFiY2RlZg"                      /* 16 bytes */
#define HASH "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" /* 32 bytes */
    static const char *const bad[] = {
        "",
        "password",
        "$argon2i$v=19$m=19456,t=2,p=1$" SALT "$" HASH,
        "$argon2id$v=19$m=19456,t=2,p=1$" SALT,
        "$argon2id$v=19$m=19456,t=2,p=1$$" HASH,
        "$argon2id$v=19$m=19456,t=2,p=1$" SALT "$AAAA!AAA",
        "$argon2id$v=19$m=019456,t=2,p=1$" SALT "$" HASH,
        "$argon2id$v=19$m=-1,t=2,p=1$" SALT "$" HASH,
        "$argon2id$v=19$m=19456,t=2$" SALT "$" HASH,
        /* parameters above the ceilings: 4 GiB, 1000 passes, 64 lanes, overflow */
        "$argon2id$v=19$m=4194304,t=2,p=1$" SALT "$" HASH,
        "$argon2id$v=19$m=19456,t=1000,p=1$" SALT "$" HASH,
        "$argon2id$v=19$m=19456,t=2,p=64$" SALT "$" HASH,
        "$argon2id$v=19$m=99999999999999999999999,t=2,p=1$" SALT "$" HASH,
        /* well-formed, but libargon2 refuses it: a 1-byte salt */
        "$argon2id$v=19$m=19456,t=2,p=1$QQ$" HASH,
    };
#undef SALT
#undef HASH
    bool rehash = true;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(ej_password_verify(bad[i], "password", &rehash) == EJ_PASSWORD_ERROR);
        CHECK(!rehash);
    }
    CHECK(ej_password_verify(NULL, "password", &rehash) == EJ_PASSWORD_ERROR);
    CHECK(ej_password_verify(CURRENT_PREFIX "MDEyMzQ1Njc4OWFiY2RlZg$AAAA", NULL, &rehash) ==
          EJ_PASSWORD_ERROR);
}

/* §6/§9 a login for an unknown user burns the same work and fails like a wrong password. */
static void test_burn(void)
{
    CHECK(ej_password_burn("whatever they typed") == EJ_PASSWORD_MISMATCH);
    CHECK(ej_password_burn("") == EJ_PASSWORD_MISMATCH);
    CHECK(ej_password_burn(NULL) == EJ_PASSWORD_ERROR);
}

/* §10 policy: length is 12 to 128 code points, counted as code points, not bytes. */
static void test_policy_length(void)
{
    char *s;

    CHECK_STR(ej_password_policy_error("abcdefghijk", NULL), "must be at least 12 characters");
    CHECK(ej_password_policy_error("abcdefghijkm", NULL) == NULL);
    CHECK_STR(ej_password_policy_error("", NULL), "must be at least 12 characters");
    CHECK_STR(ej_password_policy_error(NULL, NULL), "is required");

    s = repeat("x", 128);
    CHECK(ej_password_policy_error(s, NULL) == NULL);
    free(s);
    s = repeat("x", 129);
    CHECK_STR(ej_password_policy_error(s, NULL), "must be at most 128 characters");
    free(s);

    /* U+0101 'ā' is 2 bytes: 12 of them (24 bytes) are enough, 11 (22 bytes) are not */
    s = repeat("\xC4\x81", 12);
    CHECK(strlen(s) == 24);
    CHECK(ej_password_policy_error(s, NULL) == NULL);
    free(s);
    s = repeat("\xC4\x81", 11);
    CHECK_STR(ej_password_policy_error(s, NULL), "must be at least 12 characters");
    free(s);
    s = repeat("\xC4\x81", 128);
    CHECK(ej_password_policy_error(s, NULL) == NULL);
    free(s);
    s = repeat("\xC4\x81", 129);
    CHECK_STR(ej_password_policy_error(s, NULL), "must be at most 128 characters");
    free(s);

    /* 4-byte code points: 128 of them are 512 bytes, EJ_PASSWORD_MAX_BYTES */
    s = repeat("\xF0\x9F\x94\x91", 128);
    CHECK(strlen(s) == EJ_PASSWORD_MAX_BYTES);
    CHECK(ej_password_policy_error(s, NULL) == NULL);
    free(s);
    s = repeat("\xF0\x9F\x94\x91", 11);
    CHECK_STR(ej_password_policy_error(s, NULL), "must be at least 12 characters");
    free(s);
}

/* §10 policy: valid UTF-8 only, no control characters, spaces allowed. */
static void test_policy_encoding(void)
{
    static const char *const invalid[] = {
        "abcdefghijkl\x80",             /* lone continuation byte */
        "abcdefghijkl\xC3\x28",         /* bad continuation */
        "abcdefghijkl\xC0\xAF",         /* overlong '/' */
        "abcdefghijkl\xE0\x80\xAF",     /* overlong, 3 bytes */
        "abcdefghijkl\xED\xA0\x80",     /* UTF-16 surrogate U+D800 */
        "abcdefghijkl\xF4\x90\x80\x80", /* above U+10FFFF */
        "abcdefghijkl\xF5\x80\x80\x80", /* lead byte never valid */
        "abcdefghijkl\xFF",
        "abcdefghijkl\xE2\x82",   /* truncated at the end */
        "\342\202abcdefghijklmn", /* truncated in the middle (octal) */
    };

    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
        CHECK_STR(ej_password_policy_error(invalid[i], NULL), "must be valid UTF-8");

    CHECK_STR(ej_password_policy_error("abcdefghijkl\tm", NULL),
              "must not contain control characters");
    CHECK_STR(ej_password_policy_error("abcdefghijkl\nm", NULL),
              "must not contain control characters");
    CHECK_STR(ej_password_policy_error("abcdefghijkl\x7Fm", NULL),
              "must not contain control characters");
    CHECK_STR(ej_password_policy_error("abcdefghijkl\xC2\x85m", NULL), /* U+0085 NEL (C1) */
              "must not contain control characters");

    CHECK(ej_password_policy_error("correct horse battery staple", NULL) == NULL);
    CHECK(ej_password_policy_error("            ", NULL) == NULL); /* no composition rules */
    CHECK(ej_password_policy_error("\xE2\x82\xAC uro-Zeichen \xF0\x9F\x94\x91", NULL) == NULL);
}

/* §10 policy: not the username, compared case-insensitively. */
static void test_policy_username(void)
{
    CHECK_STR(ej_password_policy_error("teacher.jones", "teacher.jones"),
              "must not be the same as the username");
    CHECK_STR(ej_password_policy_error("Teacher.JONES", "teacher.jones"),
              "must not be the same as the username");
    CHECK_STR(ej_password_policy_error("teacher.jones", "TEACHER.Jones"),
              "must not be the same as the username");
    CHECK(ej_password_policy_error("teacher.jones1", "teacher.jones") == NULL);
    CHECK(ej_password_policy_error("teacher.jones", "teacher.jone") == NULL);
    CHECK(ej_password_policy_error("teacher.jones", NULL) == NULL);
}

/* §10 policy: not in the shipped list of common passwords, case-insensitively. */
static void test_policy_common(void)
{
    static const char *const listed[] = {
        "qwerty123456", "1qaz2wsx3edc", "leavemealone", "finalfantasy", "justinbieber",
    };
    static const char *const upper[] = {
        "QWERTY123456", "1QAZ2WSX3EDC", "LeaveMeAlone", "FinalFantasy", "JustinBieber",
    };

    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
        CHECK(ej_password_is_common(listed[i]));
        CHECK(ej_password_is_common(upper[i]));
        CHECK_STR(ej_password_policy_error(listed[i], NULL), "is too common");
        CHECK_STR(ej_password_policy_error(upper[i], "someone.else"), "is too common");
    }
    /* short list entries are refused for their length first */
    CHECK(ej_password_is_common("password"));
    CHECK(ej_password_is_common("PassWord"));
    CHECK_STR(ej_password_policy_error("password", NULL), "must be at least 12 characters");
    CHECK(!ej_password_is_common("qwerty1234567"));
    CHECK(!ej_password_is_common("zzzzzzzzzzzzzzzzzzzz"));
    CHECK(!ej_password_is_common(""));
    CHECK(!ej_password_is_common(NULL));
    /* entries with characters special to CMake or C survive the embedding */
    CHECK(ej_password_is_common("asdfjkl;"));
    CHECK(ej_password_is_common("[start]"));
    CHECK(ej_password_is_common("kl?benhavn"));

    /* the list is real: thousands of entries, lowercase, unique, in strcmp() order */
    CHECK(ej_common_passwords_count >= 1000);
    size_t unsorted = 0, not_lower = 0;
    for (size_t i = 0; i < ej_common_passwords_count; i++) {
        if (i > 0 && strcmp(ej_common_passwords[i - 1], ej_common_passwords[i]) >= 0)
            unsorted++;
        for (const char *p = ej_common_passwords[i]; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                not_lower++;
        if (!ej_password_is_common(ej_common_passwords[i]))
            unsorted++;
    }
    CHECK(unsorted == 0);
    CHECK(not_lower == 0);
}

/* Arguments and results of one thread of test_busy_threads. */
struct racer {
    pthread_barrier_t *start;
    const char *encoded;
    enum ej_password_result result;
};

/* Thread body: wait for the others, then verify once. */
static void *racer_run(void *arg)
{
    struct racer *r = arg;

    pthread_barrier_wait(r->start);
    r->result = ej_password_verify(r->encoded, "storm of logins", NULL);
    return NULL;
}

/* A login storm neither exhausts memory nor queues: beyond the bound, calls answer BUSY at
 * once (the HTTP layer turns that into 503 with Retry-After). */
static void test_busy(void)
{
    static char enc[EJ_PASSWORD_ENCODED_SIZE];
    bool rehash = true;

    CHECK(ej_password_init(1) == EJ_PASSWORD_OK);
    CHECK(ej_password_max_concurrent() == 1);
    CHECK(ej_password_hash("storm of logins", enc, sizeof enc) == EJ_PASSWORD_OK);

    /* the only slot is held: every call returns BUSY immediately, without hashing */
    CHECK(ej_password_slot_try_acquire());
    CHECK(!ej_password_slot_try_acquire());
    double t0 = now_seconds();
    static char other[EJ_PASSWORD_ENCODED_SIZE] = "untouched";
    CHECK(ej_password_hash("storm of logins", other, sizeof other) == EJ_PASSWORD_BUSY);
    CHECK_STR(other, "untouched");
    CHECK(ej_password_verify(enc, "storm of logins", &rehash) == EJ_PASSWORD_BUSY);
    CHECK(!rehash);
    CHECK(ej_password_burn("storm of logins") == EJ_PASSWORD_BUSY);
    CHECK(now_seconds() - t0 < 0.1); /* no hash ran (three would take 0.1 s or more) */
    ej_password_slot_release();

    /* and the slot really came back */
    CHECK(ej_password_verify(enc, "storm of logins", &rehash) == EJ_PASSWORD_OK);
    CHECK(ej_password_slot_try_acquire());
    ej_password_slot_release();

    /* eight threads at once against a bound of two: some run, the rest get BUSY, none
     * errs; retried a few times in case the scheduler happened to serialise them */
    enum { RACERS = 8 };
    bool saw_busy = false;
    CHECK(ej_password_init(2) == EJ_PASSWORD_OK);
    for (int round = 0; round < 5 && !saw_busy; round++) {
        pthread_barrier_t start;
        pthread_t threads[RACERS];
        struct racer racers[RACERS];
        int ok = 0, busy = 0, other_result = 0;

        pthread_barrier_init(&start, NULL, RACERS);
        for (int i = 0; i < RACERS; i++) {
            racers[i] = (struct racer){
                .start = &start, .encoded = enc, .result = EJ_PASSWORD_ERROR};
            CHECK(pthread_create(&threads[i], NULL, racer_run, &racers[i]) == 0);
        }
        for (int i = 0; i < RACERS; i++) {
            pthread_join(threads[i], NULL);
            if (racers[i].result == EJ_PASSWORD_OK)
                ok++;
            else if (racers[i].result == EJ_PASSWORD_BUSY)
                busy++;
            else
                other_result++;
        }
        pthread_barrier_destroy(&start);
        CHECK(ok >= 1);
        CHECK(other_result == 0);
        saw_busy = busy > 0;
    }
    CHECK(saw_busy);

    /* after the storm every slot is free again */
    CHECK(ej_password_slot_try_acquire());
    CHECK(ej_password_slot_try_acquire());
    CHECK(!ej_password_slot_try_acquire());
    ej_password_slot_release();
    ej_password_slot_release();

    CHECK(ej_password_init(0) == EJ_PASSWORD_OK); /* 0: the number of cores */
    CHECK(ej_password_max_concurrent() >= 1);
}

/* §9 issued passwords are one-time random strings: length, alphabet, uniqueness. */
static void test_random_password(void)
{
    enum { COUNT = 1000 };
    static char pw[COUNT][EJ_RANDOM_PASSWORD_SIZE];
    const char *alphabet = EJ_RANDOM_PASSWORD_ALPHABET;
    size_t counts[256] = {0};
    size_t bad_length = 0, bad_symbol = 0, duplicates = 0, refused = 0;
    char small[EJ_RANDOM_PASSWORD_LEN] = "x";

    CHECK(strlen(alphabet) == 56);
    CHECK(strpbrk(alphabet, "0O1lIo") == NULL);

    for (int i = 0; i < COUNT; i++) {
        CHECK(ej_random_password(pw[i], sizeof pw[i]) == 0);
        if (strlen(pw[i]) != EJ_RANDOM_PASSWORD_LEN)
            bad_length++;
        for (const char *p = pw[i]; *p; p++) {
            if (!strchr(alphabet, *p))
                bad_symbol++;
            counts[(unsigned char)*p]++;
        }
        if (ej_password_policy_error(pw[i], "some.user") != NULL)
            refused++;
        for (int j = 0; j < i; j++)
            if (strcmp(pw[i], pw[j]) == 0)
                duplicates++;
    }
    CHECK(bad_length == 0);
    CHECK(bad_symbol == 0);
    CHECK(duplicates == 0);
    CHECK(refused == 0);

    /* every symbol turns up about 20000/56 = 357 times (sd 19): a crude check for bias */
    size_t outliers = 0;
    for (const char *p = alphabet; *p; p++)
        if (counts[(unsigned char)*p] < 250 || counts[(unsigned char)*p] > 470)
            outliers++;
    CHECK(outliers == 0);

    /* a buffer without room for the NUL is refused and left empty */
    CHECK(ej_random_password(small, sizeof small) == -1);
    CHECK_STR(small, "");
    CHECK(ej_random_password(NULL, 64) == -1);
}

/* ej_random_bytes fills large buffers completely. */
static void test_random_bytes(void)
{
    enum { N = 1 << 20 };
    unsigned char *buf = calloc(1, N);
    size_t zeros = 0;

    if (!buf)
        abort();
    CHECK(ej_random_bytes(buf, 0) == 0);
    CHECK(ej_random_bytes(buf, N) == 0);
    for (size_t i = 0; i < N; i++)
        zeros += buf[i] == 0;
    /* about N/256 = 4096 zero bytes expected; an unfilled tail would give far more */
    CHECK(zeros > 3500 && zeros < 4700);
    CHECK(buf[N - 1] != 0 || buf[N - 2] != 0 || buf[N - 3] != 0);
    free(buf);
}

/* issue 9 #3: a thread that reserves a slot waits its turn, first come first served. */
struct queuer {
    int wait_ms;
    bool got;
    int *order; /* shared: the next place in line */
    int place;  /* where this thread came when it got its slot */
    const char *encoded;
    enum ej_password_result result;
};

static pthread_mutex_t order_lock = PTHREAD_MUTEX_INITIALIZER;

static void *queuer_run(void *arg)
{
    struct queuer *q = arg;

    q->got = ej_password_reserve(q->wait_ms);
    if (q->got) {
        pthread_mutex_lock(&order_lock);
        q->place = (*q->order)++;
        pthread_mutex_unlock(&order_lock);
        /* the reserved slot is used: no BUSY although the bound is 1 */
        q->result = ej_password_verify(q->encoded, "fair queue", NULL);
        ej_password_unreserve();
    }
    return NULL;
}

static void wait_for_waiters(unsigned n)
{
    for (int i = 0; i < 2000 && ej_password_waiting() < n; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    CHECK(ej_password_waiting() == n);
}

static void test_fair_wait(void)
{
    static char enc[EJ_PASSWORD_ENCODED_SIZE];
    int order = 0;
    enum { N = 4 };
    struct queuer qs[N];
    pthread_t th[N];

    CHECK(ej_password_init(1) == EJ_PASSWORD_OK);
    CHECK(ej_password_hash("fair queue", enc, sizeof enc) == EJ_PASSWORD_OK);
    CHECK(ej_password_reserve(0)); /* this thread holds the only slot */
    CHECK(ej_password_reserve(0)); /* again: still the one slot */
    CHECK(!ej_password_slot_try_acquire());
    /* our own hashing uses the reserved slot */
    CHECK(ej_password_verify(enc, "fair queue", NULL) == EJ_PASSWORD_OK);
    /* N waiters line up one after another */
    for (int i = 0; i < N; i++) {
        qs[i] = (struct queuer){.wait_ms = 20000,
                                .order = &order,
                                .place = -1,
                                .encoded = enc,
                                .result = EJ_PASSWORD_ERROR};
        CHECK(pthread_create(&th[i], NULL, queuer_run, &qs[i]) == 0);
        wait_for_waiters((unsigned)i + 1);
    }
    /* one with a short wait gives up after it, and leaves the line */
    double t0 = now_seconds();
    struct queuer late = {.wait_ms = 100, .order = &order, .place = -1, .encoded = enc};
    pthread_t lt;
    CHECK(pthread_create(&lt, NULL, queuer_run, &late) == 0);
    pthread_join(lt, NULL);
    CHECK(!late.got);
    CHECK(now_seconds() - t0 >= 0.09);
    CHECK(ej_password_waiting() == N);
    ej_password_unreserve();
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        CHECK(qs[i].got);
        CHECK(qs[i].place == i); /* served in arrival order */
        CHECK(qs[i].result == EJ_PASSWORD_OK);
    }
    CHECK(ej_password_waiting() == 0);
    CHECK(ej_password_slot_try_acquire());
    ej_password_slot_release();
    CHECK(ej_password_init(2) == EJ_PASSWORD_OK);
}

/* Resident memory of this process in KiB (VmRSS), or -1. */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    long kib = -1;

    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static void *hasher_run(void *arg)
{
    char enc[EJ_PASSWORD_ENCODED_SIZE];

    for (int i = 0; i < 2; i++) {
        CHECK(ej_password_hash("a password to hash", enc, sizeof enc) == EJ_PASSWORD_OK);
        CHECK(ej_password_verify(enc, "a password to hash", NULL) == EJ_PASSWORD_OK);
    }
    (void)arg;
    return NULL;
}

/* issue 13: argon2's 19 MiB go back to the system after each hash, whichever thread hashed
 * (through malloc, each hashing thread's arena kept its block: hundreds of MiB on a server).
 * Run first, before other tests have made malloc keep blocks for reasons of their own. */
static void test_memory_returned(void)
{
    pthread_t t[2];
    long before = rss_kib();

    /* two threads at once (the two slots), each in a malloc arena of its own */
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&t[i], NULL, hasher_run, NULL) == 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    long after = rss_kib();
    CHECK(before > 0 && after > 0);
    /* 8 hashes of 19 MiB each; what stays is far below one block */
    CHECK(after - before < 8 * 1024);
    if (after - before >= 8 * 1024)
        fprintf(stderr, "resident memory grew by %ld KiB over 8 hashes\n", after - before);
}

int main(void)
{
    CHECK(ej_password_init(2) == EJ_PASSWORD_OK);
    test_memory_returned();
    test_hash_and_verify();
    test_needs_rehash();
    test_malformed_hashes();
    test_burn();
    test_policy_length();
    test_policy_encoding();
    test_policy_username();
    test_policy_common();
    test_busy();
    test_fair_wait();
    test_random_password();
    test_random_bytes();
    return check_summary("password");
}
