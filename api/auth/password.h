/* Passwords (§9): the policy a new password must meet, argon2id hashing and verification,
 * and a bound on how many hashes run at once. Pure: no database, no HTTP.
 *
 * Hashing costs EJ_PASSWORD_M_COST KiB of heap and tens of milliseconds of CPU, so at most
 * N hashes or verifications run at a time (ej_password_init). A request that hashes first
 * reserves a slot for its thread (ej_password_reserve), waiting a short, bounded time in
 * arrival order (FIFO: nobody is overtaken) before it touches the database; the hashing
 * functions then use that slot. Without a reservation a call that finds no free slot returns
 * EJ_PASSWORD_BUSY at once. Either way the HTTP layer answers 503 with Retry-After:
 * EJ_PASSWORD_RETRY_AFTER, so a login storm neither exhausts memory nor ties up the worker
 * threads other requests need for long.
 *
 * All functions are thread-safe. Passwords are never copied, stored or logged here. */
#ifndef EJ_AUTH_PASSWORD_H
#define EJ_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Result of every fallible function in this module. */
enum ej_password_result {
    EJ_PASSWORD_OK = 0,   /* done; for verify: the password matches */
    EJ_PASSWORD_MISMATCH, /* verify/burn: the password does not match */
    EJ_PASSWORD_BUSY,     /* every hashing slot is taken right now: answer 503, retry later */
    EJ_PASSWORD_ERROR,    /* internal error (out of memory, no randomness, corrupt hash) */
};

/* Policy: length in Unicode code points, inclusive bounds. */
#define EJ_PASSWORD_MIN_CHARS 12
#define EJ_PASSWORD_MAX_CHARS 128
/* The most bytes a password within the policy can take (4 bytes per code point). */
#define EJ_PASSWORD_MAX_BYTES (4 * EJ_PASSWORD_MAX_CHARS)

/* Current argon2id parameters (OWASP's minimum): memory in KiB, passes, lanes, and the salt
 * and hash lengths in bytes. Hashes made with anything else verify but ask for a rehash. */
#define EJ_PASSWORD_M_COST 19456
#define EJ_PASSWORD_T_COST 2
#define EJ_PASSWORD_PARALLELISM 1
#define EJ_PASSWORD_SALT_LEN 16
#define EJ_PASSWORD_HASH_LEN 32

/* Size of a buffer that holds any encoded hash this module makes, NUL included (the current
 * one is 97 characters: "$argon2id$v=19$m=19456,t=2,p=1$" + 22 + "$" + 43). */
#define EJ_PASSWORD_ENCODED_SIZE 128

/* Seconds to suggest in Retry-After when a call returns EJ_PASSWORD_BUSY. */
#define EJ_PASSWORD_RETRY_AFTER 1

/* Set how many hashes/verifications may run at once; 0 means the number of online CPU
 * cores. Also computes the dummy hash ej_password_burn() uses (one hash, ~tens of ms).
 * Call once at start-up, before the server threads start; calling it again only changes the
 * bound (slots already taken stay taken). Without a call the bound is the number of cores.
 * Returns EJ_PASSWORD_OK or EJ_PASSWORD_ERROR (the dummy hash could not be made). */
enum ej_password_result ej_password_init(unsigned max_concurrent);

/* The bound currently in force (after the default has been applied). */
unsigned ej_password_max_concurrent(void);

/* Check a new password against the policy: 12 to 128 Unicode code points of valid UTF-8,
 * no control characters (C0, DEL, C1; spaces are fine), not equal to username (ASCII
 * case-insensitive; username may be NULL), not in the common-password list (ASCII
 * case-insensitive). No composition rules. Returns NULL when acceptable, else a static
 * English message to put after the field name, e.g. "must be at least 12 characters". */
const char *ej_password_policy_error(const char *password, const char *username);

/* True when password, with ASCII letters lowercased, is in the common-password list. */
bool ej_password_is_common(const char *password);

/* Hash password with argon2id (current parameters, fresh 16-byte salt) into out as a PHC
 * string: "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>". outlen must be at least
 * EJ_PASSWORD_ENCODED_SIZE. Does not check the policy. Returns EJ_PASSWORD_OK,
 * EJ_PASSWORD_BUSY (out untouched) or EJ_PASSWORD_ERROR. */
enum ej_password_result ej_password_hash(const char *password, char *out, size_t outlen);

/* Check password against an encoded argon2id hash; the comparison is constant-time.
 * On EJ_PASSWORD_OK, *needs_rehash (if not NULL) tells whether the hash was made with other
 * parameters than the current ones (version, m, t, p, salt or hash length): the caller should
 * then store a fresh ej_password_hash() of the same password. Returns EJ_PASSWORD_OK,
 * EJ_PASSWORD_MISMATCH, EJ_PASSWORD_BUSY, or EJ_PASSWORD_ERROR when encoded is not a
 * well-formed argon2id hash with sane parameters (m <= 256 MiB, t <= 16, p <= 16). */
enum ej_password_result ej_password_verify(const char *encoded, const char *password,
                                           bool *needs_rehash);

/* Do the work of one verification against a fixed dummy hash, for logins naming an unknown
 * user, so they take as long as a wrong password for a real one. It takes a slot like
 * ej_password_verify and returns what a wrong password would: EJ_PASSWORD_MISMATCH, or
 * EJ_PASSWORD_BUSY when no slot is free (answer that exactly as for a known user, or the
 * 503s would tell which usernames exist), or EJ_PASSWORD_ERROR. */
enum ej_password_result ej_password_burn(const char *password);

/* Take a hashing slot if one is free right now; true on success, then the caller must call
 * ej_password_slot_release() exactly once. The functions above do this themselves; it is
 * exported for tests (and for a caller that must keep others out for a moment). */
bool ej_password_slot_try_acquire(void);

/* True if every hashing slot is taken at this instant: a hint (it may change
 * at once) that lets a login be refused before it costs any database work. */
bool ej_password_saturated(void);

/* Give back a slot taken by ej_password_slot_try_acquire(). */
void ej_password_slot_release(void);

/* Reserve a slot for the calling thread, waiting up to wait_ms milliseconds (0: only if one
 * is free now) behind the threads that started waiting earlier. True on success (also when
 * this thread already holds one); until ej_password_unreserve() the hashing functions called
 * on this thread use it instead of taking another. False: none came free in time. */
bool ej_password_reserve(int wait_ms);

/* Give back this thread's reserved slot, if it holds one. */
void ej_password_unreserve(void);

/* How many threads are waiting in ej_password_reserve() right now (for tests). */
unsigned ej_password_waiting(void);

/* The common-password list, generated at build time from auth/common-passwords.txt by
 * scripts/embed-list.cmake: lowercased, unique, sorted in strcmp() order. */
extern const char *const ej_common_passwords[];
extern const size_t ej_common_passwords_count;

#endif
